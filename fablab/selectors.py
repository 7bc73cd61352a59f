"""Reads about the Fab Lab: who is certified, which machines a co-op may use, free machine time."""

import datetime
from collections import defaultdict

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from fablab.hours import Window, subtract, weekly_windows
from fablab.models import Booking, Certification, Machine, OutOfService
from producers.models import Membership, Producer
from producers.permissions import can_keep_shared_store, producer_ids_for


def certified_capabilities(producer_ids, *, on: datetime.date | None = None) -> dict[int, set[int]]:
    """For each producer, the capabilities (ids) at least one of its members is certified for
    on `on` (today by default). One query."""
    rows = (
        Certification.objects.current(on)
        .filter(person__memberships__producer_id__in=list(producer_ids))
        .values_list("person__memberships__producer_id", "capability_id")
        .distinct()
    )
    found: dict[int, set[int]] = defaultdict(set)
    for producer_id, capability_id in rows:
        found[producer_id].add(capability_id)
    return found


def machines_for(producer: Producer | int) -> QuerySet[Machine]:
    """The active machines a co-op's members may book: the Fab Lab's and the co-op's own."""
    producer_id = producer if isinstance(producer, int) else producer.pk
    return Machine.objects.filter(
        Q(keeper__kind=Producer.Kind.FABLAB) | Q(keeper_id=producer_id), active=True
    )


def free_windows(
    machine: Machine, start: datetime.datetime, end: datetime.datetime
) -> list[Window]:
    """When `machine` is open, in service and not booked between `start` and `end`.

    Reads the machine's `opening_hours`, `outages` and active `bookings` (prefetch them
    to read many machines at once).
    """
    open_ = weekly_windows(machine.opening_hours.all(), start, end)
    outages = [(o.starts_at, o.ends_at) for o in machine.outages.all()]
    booked = [
        (b.starts_at, b.ends_at)
        for b in machine.bookings.all()
        if b.status == Booking.Status.BOOKED
    ]
    return subtract(open_, [*outages, *booked])


def machines_with_time(capability_ids, *, until: datetime.datetime) -> list[Machine]:
    """Active machines giving any of `capability_ids`, with what a free-time read needs:
    opening hours, outages and active bookings between now and `until`. Four queries."""
    now = timezone.now()
    return list(
        Machine.objects.filter(active=True, capability_id__in=list(capability_ids))
        .select_related("keeper")
        .prefetch_related(
            "opening_hours",
            Prefetch("outages", queryset=OutOfService.objects.filter(ends_at__gt=now)),
            Prefetch(
                "bookings",
                queryset=Booking.objects.active().overlapping(now, until),
            ),
        )
        .order_by("pk")
    )


def members_of(producer: Producer | int) -> QuerySet:
    producer_id = producer if isinstance(producer, int) else producer.pk
    return Membership.objects.filter(producer_id=producer_id).select_related("user")


def certifications_visible_to(user) -> QuerySet[Certification]:
    """The certifications `user` may read: every one for Fab Lab and platform staff; for
    anyone else their own and those of the people in their co-ops. With person,
    capability and certifier joined."""
    found = Certification.objects.select_related("person", "capability", "certified_by")
    if not user or not user.is_authenticated:
        return found.none()
    if can_keep_shared_store(user):
        return found
    colleagues = Membership.objects.filter(producer_id__in=producer_ids_for(user)).values("user_id")
    return found.filter(Q(person=user) | Q(person_id__in=colleagues))


def certifications_to_remind(*, on: datetime.date, within_days: int) -> QuerySet[Certification]:
    """Current certifications that run out within `within_days` of `on` and whose holder
    has not been reminded since they were granted or renewed; holders with no email or a
    closed account are left out."""
    return (
        Certification.objects.current(on)
        .filter(
            expires_on__lte=on + datetime.timedelta(days=within_days),
            reminded_at__isnull=True,
            person__is_active=True,
        )
        .exclude(person__email="")
        .select_related("person", "capability")
        .order_by("pk")
    )


def fablab_producer() -> Producer | None:
    """The network's Fab Lab, when there is one."""
    return Producer.objects.filter(kind=Producer.Kind.FABLAB).first()
