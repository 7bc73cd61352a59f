from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from backend.fields import STRICT_MAPPING
from producers.models import Capability, Membership, Producer
from producers.services import PRODUCER_MANAGER_FIELDS, PRODUCER_STAFF_FIELDS
from producers.webhooks import check_webhook_url

User = get_user_model()


class CapabilitySerializer(serializers.ModelSerializer):
    class Meta:
        model = Capability
        fields = ["slug", "name", "description"]


class ProducerPublicSerializer(serializers.ModelSerializer):
    """What anyone may read about a producer."""

    capabilities = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)

    class Meta:
        model = Producer
        fields = [
            "slug",
            "name",
            "kind",
            "description",
            "website",
            "address",
            "pickup_address",
            "opening_hours",
            "public_phone",
            "latitude",
            "longitude",
            "capabilities",
            "status",
            "created_at",
        ]
        read_only_fields = fields
        # Read-only fields lose `allow_blank`, and with it the schema's "or empty" for
        # formatted strings: an empty website is not a URI.
        extra_kwargs = {"website": {"allow_blank": True}}


class ProducerPrivateSerializer(ProducerPublicSerializer):
    """What the producer's members and platform staff read. Never the webhook secret."""

    class Meta(ProducerPublicSerializer.Meta):
        fields = [
            *ProducerPublicSerializer.Meta.fields,
            "contact_email",
            "contact_phone",
            "max_open_jobs",
            "stripe_account_id",
            "webhook_url",
            "webhook_secret_rotated_at",
            "updated_at",
        ]
        read_only_fields = fields
        extra_kwargs = {
            name: {"allow_blank": True} for name in ("website", "contact_email", "webhook_url")
        }


class ProducerWriteSerializer(serializers.ModelSerializer):
    """Input for managers editing their producer. Identity fields are staff's to set."""

    serializer_field_mapping = STRICT_MAPPING

    capabilities = serializers.SlugRelatedField(
        slug_field="slug", many=True, queryset=Capability.objects.all(), required=False
    )

    class Meta:
        model = Producer
        fields = [*PRODUCER_MANAGER_FIELDS, "capabilities"]

    def validate_webhook_url(self, value: str) -> str:
        if value:
            try:
                check_webhook_url(value)
            except DjangoValidationError as exc:
                raise serializers.ValidationError(exc.messages) from None
        return value

    def validate(self, attrs):
        latitude = attrs.get("latitude", getattr(self.instance, "latitude", None))
        longitude = attrs.get("longitude", getattr(self.instance, "longitude", None))
        if (latitude is None) != (longitude is None):
            raise serializers.ValidationError(
                {"longitude": "Give both latitude and longitude, or neither."}
            )
        return attrs


class ProducerStaffWriteSerializer(ProducerWriteSerializer):
    """Platform staff also set the slug, the kind and the payout account."""

    class Meta(ProducerWriteSerializer.Meta):
        fields = [*ProducerWriteSerializer.Meta.fields, *PRODUCER_STAFF_FIELDS]
        extra_kwargs = {"slug": {"required": False}}


class WebhookSecretSerializer(serializers.Serializer):
    webhook_secret = serializers.CharField(read_only=True)
    previous_secret_valid_until = serializers.DateTimeField(read_only=True)


class UserSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["username", "first_name", "last_name"]


class MembershipSerializer(serializers.ModelSerializer):
    user = UserSummarySerializer(read_only=True)
    email = serializers.EmailField(source="user.email", read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "user", "email", "role", "created_at"]
        read_only_fields = fields


class MembershipCreateSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    role = serializers.ChoiceField(choices=Membership.Role.choices, default=Membership.Role.MEMBER)

    def validate_username(self, value: str):
        try:
            return User.objects.get(username=value, is_active=True)
        except User.DoesNotExist:
            raise serializers.ValidationError("No active account has that username.") from None


class MembershipUpdateSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Membership.Role.choices)


class MyMembershipSerializer(serializers.ModelSerializer):
    producer = serializers.SerializerMethodField()

    class Meta:
        model = Membership
        fields = ["producer", "role"]

    def get_producer(self, membership: Membership) -> dict:
        producer = membership.producer
        return {"slug": producer.slug, "name": producer.name, "kind": producer.kind}


class MeSerializer(serializers.ModelSerializer):
    memberships = MyMembershipSerializer(many=True, read_only=True)
    is_fablab_staff = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = [
            "username",
            "email",
            "first_name",
            "last_name",
            "is_staff",
            "is_fablab_staff",
            "memberships",
        ]
        read_only_fields = fields

    def get_is_fablab_staff(self, user) -> bool:
        return any(m.producer.is_fablab for m in user.memberships.all())
