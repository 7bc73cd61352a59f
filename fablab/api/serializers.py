"""Machine and booking serializers: they parse input; the rules live in
`fablab.services.bookings`. Times go out in the network's time zone (America/Chicago)
with their offset; times sent without an offset are read in that zone."""

from rest_framework import serializers

from fablab.models import Booking, Machine, OpeningHours, OutOfService
from fablab.selectors import booking_cost, machines_visible_to, open_jobs_of
from producers import permissions
from producers.models import Producer

NOTE_MAX = Booking._meta.get_field("note").max_length


class OpeningHoursSerializer(serializers.ModelSerializer):
    day = serializers.CharField(source="get_weekday_display", read_only=True)

    class Meta:
        model = OpeningHours
        fields = ["weekday", "day", "opens", "closes"]


class OutOfServiceSerializer(serializers.ModelSerializer):
    class Meta:
        model = OutOfService
        fields = ["starts_at", "ends_at", "reason"]


class WindowSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()


class MachineSerializer(serializers.ModelSerializer):
    capability = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    capability_name = serializers.CharField(source="capability.name", read_only=True)
    keeper = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    keeper_name = serializers.CharField(source="keeper.name", read_only=True)
    rate_per_hour = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)
    opening_hours = OpeningHoursSerializer(many=True, read_only=True)
    out_of_service = OutOfServiceSerializer(
        source="outages_ahead",
        many=True,
        read_only=True,
        help_text="Out-of-service periods not yet over.",
    )

    class Meta:
        model = Machine
        fields = [
            "slug",
            "name",
            "description",
            "capability",
            "capability_name",
            "keeper",
            "keeper_name",
            "rate_per_hour",
            "max_booking_minutes",
            "opening_hours",
            "out_of_service",
        ]


class MachineDetailSerializer(MachineSerializer):
    free = WindowSerializer(
        many=True,
        read_only=True,
        help_text="When it is open, in service and not booked over the next seven days.",
    )

    class Meta(MachineSerializer.Meta):
        fields = [*MachineSerializer.Meta.fields, "free"]


class CostField(serializers.DecimalField):
    """What a booking costs at its machine's rate: money as text, never a float."""

    def to_representation(self, booking: Booking):
        return super().to_representation(booking_cost(booking))


class BookingSerializer(serializers.ModelSerializer):
    machine = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    machine_name = serializers.CharField(source="machine.name", read_only=True)
    producer = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    booked_by = serializers.CharField(source="booked_by.username", read_only=True)
    minutes = serializers.IntegerField(read_only=True)
    cost = CostField(
        source="*",
        max_digits=12,
        decimal_places=2,
        read_only=True,
        help_text="The machine's rate for the time booked, to the cent.",
    )

    class Meta:
        model = Booking
        fields = [
            "id",
            "machine",
            "machine_name",
            "producer",
            "booked_by",
            "job",
            "starts_at",
            "ends_at",
            "minutes",
            "cost",
            "note",
            "status",
            "cancelled_at",
            "created_at",
        ]
        read_only_fields = fields


class BookingTimesSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()


class BookingCreateSerializer(BookingTimesSerializer):
    """What a booking needs. `producer` may be left out by a member of just one co-op."""

    machine = serializers.SlugField(max_length=80)
    producer = serializers.SlugField(max_length=80, required=False)
    job = serializers.IntegerField(min_value=1, max_value=2**31 - 1, required=False)
    note = serializers.CharField(max_length=NOTE_MAX, required=False, allow_blank=True)

    def validate_machine(self, slug: str) -> Machine:
        user = self.context["request"].user
        machine = machines_visible_to(user).filter(slug=slug).first()
        if machine is None:
            raise serializers.ValidationError("No machine by that name is open to you.")
        return machine

    def validate(self, data: dict) -> dict:
        user = self.context["request"].user
        data["producer"] = self._producer(user, data.get("producer"))
        if "job" in data:
            job = open_jobs_of(data["producer"]).filter(pk=data["job"]).first()
            if job is None:
                raise serializers.ValidationError({"job": "No open job of your co-op by that id."})
            data["job"] = job
        return data

    @staticmethod
    def _producer(user, slug: str | None) -> Producer:
        if slug is None:
            mine = permissions.producer_ids_for(user)
            if len(mine) != 1:
                raise serializers.ValidationError({"producer": "Say which co-op the time is for."})
            return Producer.objects.get(pk=next(iter(mine)))
        producer = Producer.objects.filter(slug=slug).first()
        if producer is None or not permissions.can_act_for(user, producer):
            raise serializers.ValidationError({"producer": "You do not book for that co-op."})
        return producer
