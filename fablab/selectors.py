"""Reads about the Fab Lab: who is certified, which machines a co-op may use, free machine time."""

import datetime
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, DurationField, ExpressionWrapper, F, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from fablab.hours import Window, subtract, weekly_windows
from fablab.models import Booking, Certification, Machine, OutOfService
from producers import permissions
from producers.models import Membership, Producer
from producers.permissions import can_keep_shared_store, producer_ids_for

CENTS = Decimal("0.01")
HOURS = Decimal("0.01")


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


def _month_bounds(month: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    start = month.replace(day=1)
    following = (start + datetime.timedelta(days=32)).replace(day=1)
    return (
        timezone.make_aware(datetime.datetime.combine(start, datetime.time.min)),
        timezone.make_aware(datetime.datetime.combine(following, datetime.time.min)),
    )


def machine_usage(*, month: datetime.date, user) -> list[dict]:
    """Machine hours each co-op booked in a month (by when each booking starts, in the
    network's time zone), per machine, at the machine's rate per hour.

    Cancelled bookings do not count. Fab Lab staff and platform staff see every co-op;
    a co-op member sees their own co-ops' rows. Two queries.
    """
    start, end = _month_bounds(month)
    bookings = Booking.objects.active().filter(starts_at__gte=start, starts_at__lt=end)
    if not permissions.can_keep_shared_store(user):
        bookings = bookings.filter(producer_id__in=permissions.producer_ids_for(user))
    rows = (
        bookings.order_by()
        .values("producer_id", "machine_id")
        .annotate(
            booked=Sum(
                ExpressionWrapper(F("ends_at") - F("starts_at"), output_field=DurationField())
            ),
            bookings=Count("id"),
        )
    )
    rows = list(rows)
    machines = Machine.objects.select_related("capability").in_bulk(
        {row["machine_id"] for row in rows}
    )
    producers = Producer.objects.in_bulk({row["producer_id"] for row in rows})
    report = []
    for row in rows:
        machine, producer = machines[row["machine_id"]], producers[row["producer_id"]]
        minutes = int(row["booked"].total_seconds() // 60)
        hours = (Decimal(minutes) / 60).quantize(HOURS, ROUND_HALF_UP)
        cost = (Decimal(minutes) * machine.rate_per_hour / 60).quantize(CENTS, ROUND_HALF_UP)
        report.append(
            {
                "producer__slug": producer.slug,
                "producer__name": producer.name,
                "machine__slug": machine.slug,
                "machine__name": machine.name,
                "capability": machine.capability.name,
                "bookings": row["bookings"],
                "minutes": minutes,
                "hours": hours,
                "rate_per_hour": machine.rate_per_hour,
                "cost": cost,
            }
        )
    return sorted(report, key=lambda r: (r["producer__name"], r["machine__name"]))


# --- Machines and bookings, as each person may see them ---------------------------------


def sees_every_machine(user) -> bool:
    """Fab Lab staff and platform staff see every machine and every booking."""
    return permissions.can_keep_shared_store(user)


def in_the_network(user) -> bool:
    """Whether `user` books machine time at all: a co-op member, or staff."""
    return bool(permissions.producer_ids_for(user)) or permissions.is_platform_staff(user)


def machines_visible_to(user) -> QuerySet[Machine]:
    """The active machines `user` sees: the Fab Lab's and their co-ops' own (all of them for
    staff), with capability, keeper, opening hours and the outages still ahead."""
    machines = Machine.objects.filter(active=True)
    if not sees_every_machine(user):
        machines = machines.filter(
            Q(keeper__kind=Producer.Kind.FABLAB)
            | Q(keeper_id__in=permissions.producer_ids_for(user))
        )
    return machines.select_related("capability", "keeper").prefetch_related(
        "opening_hours",
        Prefetch(
            "outages",
            queryset=OutOfService.objects.filter(ends_at__gt=timezone.now()),
            to_attr="outages_ahead",
        ),
    )


def machine_with_time(machine: Machine, *, days: int = 7) -> tuple[Machine, list[Window]]:
    """`machine` and its free windows from now for `days` days. Four queries."""
    now = timezone.now()
    until = now + datetime.timedelta(days=days)
    found = machines_with_time([machine.capability_id], until=until)
    same = next((m for m in found if m.pk == machine.pk), None)
    if same is None:  # taken out of use meanwhile: no free time
        return machine, []
    return same, free_windows(same, now, until)


def bookings_visible_to(user) -> QuerySet[Booking]:
    """The bookings of `user`'s co-ops (every booking for staff), soonest first."""
    bookings = Booking.objects.all()
    if not sees_every_machine(user):
        bookings = bookings.filter(producer_id__in=permissions.producer_ids_for(user))
    return bookings.select_related(
        "machine__capability", "machine__keeper", "producer", "booked_by", "job"
    ).order_by("starts_at", "pk")


def open_jobs_of(producer: Producer | int) -> QuerySet:
    """The producer's jobs a booking may be for: those still open."""
    producer_id = producer if isinstance(producer, int) else producer.pk
    job_model = Booking._meta.get_field("job").related_model
    return job_model.objects.filter(
        producer_id=producer_id, status__in=job_model.OPEN_STATUSES
    ).order_by("due_date", "pk")


def booking_cost(booking: Booking) -> Decimal:
    """What the time booked costs at its machine's rate, to the cent (half up)."""
    cost = booking.machine.rate_per_hour * booking.minutes / Decimal(60)
    return cost.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


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


def certified_people(
    producer_ids, capability_ids, *, on: datetime.date | None = None
) -> dict[tuple[int, int], list[dict]]:
    """{(producer id, capability id): the members certified for it on `on`, soonest to run
    out last}, each as {"name", "expires_on"}. One query."""
    rows = (
        Certification.objects.current(on)
        .filter(
            capability_id__in=list(capability_ids),
            person__memberships__producer_id__in=list(producer_ids),
        )
        .values(
            "person__memberships__producer_id",
            "capability_id",
            "person__username",
            "person__first_name",
            "person__last_name",
            "expires_on",
        )
        .order_by("-expires_on", "person__username")
    )
    found: dict[tuple[int, int], list[dict]] = defaultdict(list)
    for row in rows:
        name = f"{row['person__first_name']} {row['person__last_name']}".strip()
        found[(row["person__memberships__producer_id"], row["capability_id"])].append(
            {"name": name or row["person__username"], "expires_on": row["expires_on"]}
        )
    return found
