"""The Fab Lab's machines and their bookings. Thin: every rule is in
`fablab.services.bookings`, every read in `fablab.selectors`."""

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response

from fablab.api.serializers import (
    BookingCreateSerializer,
    BookingSerializer,
    BookingTimesSerializer,
    MachineDetailSerializer,
    MachineSerializer,
)
from fablab.models import Booking, Machine
from fablab.selectors import (
    bookings_visible_to,
    in_the_network,
    machine_with_time,
    machines_visible_to,
)
from fablab.services.bookings import booking_cancel, booking_create, booking_move


class InTheNetwork(BasePermission):
    message = "Machine time is booked by members of the network's co-ops."

    def has_permission(self, request, view) -> bool:
        return in_the_network(request.user)


class MachineViewSet(viewsets.ReadOnlyModelViewSet):
    """The machines you may book: the Fab Lab's and your co-op's own (every one for Fab
    Lab staff), with what each does, its rate, opening hours (wall-clock, America/Chicago)
    and the out-of-service periods ahead. A machine's page adds its free time this week."""

    permission_classes = [IsAuthenticated, InTheNetwork]
    lookup_field = "slug"
    lookup_value_regex = r"[-a-zA-Z0-9_]{1,80}"

    def get_queryset(self) -> QuerySet[Machine]:
        return machines_visible_to(self.request.user)

    def get_serializer_class(self):
        return MachineDetailSerializer if self.action == "retrieve" else MachineSerializer

    def retrieve(self, request, *args, **kwargs):
        machine = self.get_object()
        _, free = machine_with_time(machine)
        machine.free = [{"starts_at": start, "ends_at": end} for start, end in free]
        return Response(MachineDetailSerializer(machine).data)


class BookingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Machine time booked by your co-ops (every booking for Fab Lab staff).

    `POST` books: a member certified for the machine's capability, within one of its
    opening-hours windows, not while it is out of service, not over another booking, no
    longer than the machine allows (`409 certification_required`, `outside_opening_hours`,
    `machine_out_of_service`, `booking_overlaps`; `400` for times that end before they
    start, lie in the past or run too long). `PATCH` moves a booking, checked again;
    `POST …/cancel/` frees its time. The booker, a manager of the co-op, Fab Lab staff or
    platform staff move and cancel (`403 booking_not_allowed`).
    """

    permission_classes = [IsAuthenticated, InTheNetwork]
    serializer_class = BookingSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Booking]:
        return bookings_visible_to(self.request.user)

    @extend_schema(request=BookingCreateSerializer, responses={201: BookingSerializer})
    def create(self, request):
        data = BookingCreateSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        booking = booking_create(by=request.user, **data.validated_data)
        return Response(self._answer(booking), status=status.HTTP_201_CREATED)

    @extend_schema(request=BookingTimesSerializer, responses=BookingSerializer)
    def partial_update(self, request, pk=None):
        booking = self.get_object()
        data = BookingTimesSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        booking_move(booking=booking, by=request.user, **data.validated_data)
        return Response(self._answer(booking))

    @extend_schema(request=None, responses=BookingSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        booking = booking_cancel(booking=self.get_object(), by=request.user)
        return Response(self._answer(booking))

    def _answer(self, booking: Booking) -> dict:
        return BookingSerializer(self.get_queryset().get(pk=booking.pk)).data
