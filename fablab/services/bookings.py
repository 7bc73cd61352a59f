"""Booking machine time: create, move, cancel.

No two active bookings of one machine overlap. On PostgreSQL the database itself says
so (the exclusion constraint of migration 0002): the services check first for a
friendly answer, and a booking that slips in between the check and the insert meets
the constraint, which is turned into the same `BookingOverlaps`. SQLite has no such
constraint, so there the services take the database's write lock before they check:
bookings are checked and written one at a time.

Who may book: a member of the co-op the time is for (platform staff for any co-op),
holding a current certification for the machine's capability on the day of the
booking. Nobody is exempt from the certification, platform and Fab Lab staff included:
it is about the safety of the person at the machine, not about rank.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import dateformat, timezone

from backend.errors import InvalidTransition
from fablab.exceptions import (
    BookingNotAllowed,
    BookingOverlaps,
    CertificationRequired,
    JobNotOpen,
    MachineNotBookable,
    MachineOutOfService,
    OutsideOpeningHours,
)
from fablab.hours import covers, duration_in_words, weekly_windows
from fablab.models import Booking, Certification, Machine, OutOfService
from producers import permissions
from producers.models import Producer

NO_OVERLAP_CONSTRAINT = "booking_machine_time_no_overlap"
EXCLUSION_VIOLATION = "23P01"
# How far ahead a machine may be booked: time further out is the Fab Lab's to plan.
BOOKING_HORIZON = datetime.timedelta(days=2 * 366)


def booking_create(
    *,
    machine: Machine,
    producer: Producer,
    by,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    job=None,
    note: str = "",
) -> Booking:
    """Book `machine` for `producer` from `starts_at` to `ends_at`, by the person `by`.

    Checks, in order: the times (ValidationError, by field), who may book
    (BookingNotAllowed 403; MachineNotBookable 404 for a machine the co-op may not
    use), the job (ValidationError for another co-op's, JobNotOpen), the certification
    (CertificationRequired), the opening hours (OutsideOpeningHours), the outages
    (MachineOutOfService) and the other bookings (BookingOverlaps). Writes one row or
    nothing.
    """
    starts_at, ends_at = _in_utc(starts_at, ends_at)
    _check_times(machine, starts_at, ends_at)
    if not permissions.can_act_for(by, producer):
        raise BookingNotAllowed(f"Only members of {producer.name} book machine time for it.")
    _check_machine_open_to(machine, producer)
    _check_job(job, producer)
    _check_certified(machine, by, starts_at, ends_at)
    with transaction.atomic():
        _serialise_on_sqlite(machine)
        _check_time_free(machine, starts_at, ends_at)
        booking = Booking(
            machine=machine,
            producer=producer,
            booked_by=by,
            job=job,
            starts_at=starts_at,
            ends_at=ends_at,
            note=note,
        )
        _save(booking)
    return booking


def booking_move(
    *, booking: Booking, by, starts_at: datetime.datetime, ends_at: datetime.datetime
) -> Booking:
    """Move an active booking to new times, checked as a new booking would be (the
    booker's certification, hours, outages, other bookings) but not against itself.

    Who may: as for `booking_cancel`. Locks the booking row; all or nothing: on any
    refusal the booking keeps its old times. Raises InvalidTransition for a cancelled
    booking or one already begun, MachineNotBookable once the machine is out of use.
    """
    with transaction.atomic():
        locked = _booking_for_update(booking)
        _check_may_change(locked, by)
        if locked.starts_at <= timezone.now():
            raise InvalidTransition("This booking has begun: it can no longer be moved.")
        machine = locked.machine
        starts_at, ends_at = _in_utc(starts_at, ends_at)
        _check_times(machine, starts_at, ends_at)
        _check_machine_open_to(machine, locked.producer)
        _check_certified(machine, locked.booked_by, starts_at, ends_at)
        _serialise_on_sqlite(machine)
        _check_time_free(machine, starts_at, ends_at, excluding=locked.pk)
        locked.starts_at, locked.ends_at = starts_at, ends_at
        _save(locked, update_fields=["starts_at", "ends_at", "updated_at"])
    return locked


def booking_cancel(*, booking: Booking, by) -> Booking:
    """Cancel an active booking: its time is free again at once.

    Who may: the person who booked it, a manager of its co-op, Fab Lab staff and
    platform staff (BookingNotAllowed otherwise). Locks the booking row. Raises
    InvalidTransition for a booking already cancelled or already over.
    """
    with transaction.atomic():
        locked = _booking_for_update(booking)
        _check_may_change(locked, by)
        if locked.ends_at <= timezone.now():
            raise InvalidTransition("This booking is over: there is nothing to cancel.")
        locked.status = Booking.Status.CANCELLED
        locked.cancelled_at = timezone.now()
        locked.save(update_fields=["status", "cancelled_at", "updated_at"])
    return locked


def can_change(booking: Booking, user, *, lab_staff: bool | None = None) -> bool:
    """Whether `user` may move or cancel `booking`. `lab_staff`: whether the user is Fab
    Lab or platform staff, when the caller knows it already (asking costs a query)."""
    if lab_staff is None:
        lab_staff = permissions.can_keep_shared_store(user)
    return (
        lab_staff
        or booking.booked_by_id == getattr(user, "pk", None)
        or permissions.can_manage(user, booking.producer)
    )


# --- The checks ---------------------------------------------------------------------------


def _in_utc(starts_at: datetime.datetime, ends_at: datetime.datetime):
    """Both times in UTC: Python compares and subtracts two times of one zone by their
    wall clocks, which is an hour out across a daylight-saving change."""
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        raise ValidationError({"starts_at": "Give the times with their time zone."})
    try:
        return starts_at.astimezone(datetime.UTC), ends_at.astimezone(datetime.UTC)
    except OverflowError:
        raise ValidationError({"starts_at": "That time is out of range."}) from None


def _check_times(machine: Machine, starts_at: datetime.datetime, ends_at: datetime.datetime):
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": "The end must be after the start."})
    longest = machine.max_booking_minutes
    if ends_at - starts_at > datetime.timedelta(minutes=longest):
        most = duration_in_words(longest)
        raise ValidationError(
            {"ends_at": f"One booking of {machine.name} may last at most {most}."}
        )
    now = timezone.now()
    if starts_at < now:
        raise ValidationError({"starts_at": "That time has already passed."})
    if starts_at > now + BOOKING_HORIZON:
        raise ValidationError(
            {"starts_at": f"Machines are booked up to {BOOKING_HORIZON.days} days ahead."}
        )


def _check_machine_open_to(machine: Machine, producer: Producer) -> None:
    keeper = machine.keeper
    if not machine.active or (keeper.kind != Producer.Kind.FABLAB and keeper.pk != producer.pk):
        raise MachineNotBookable()


def _check_job(job, producer: Producer) -> None:
    if job is None:
        return
    if job.producer_id != producer.pk:
        raise ValidationError({"job": "That job is not one of your co-op's."})
    if job.status not in job.OPEN_STATUSES:
        raise JobNotOpen()


def _check_certified(machine, person, starts_at, ends_at) -> None:
    capability = machine.capability
    first = timezone.localdate(starts_at)
    last = timezone.localdate(ends_at)
    held = (
        Certification.objects.current(last)
        .filter(person=person, capability=capability, certified_on__lte=first)
        .exists()
    )
    if not held:
        raise CertificationRequired(
            f"Booking {machine.name} needs a current certification for "
            f"{capability.name.lower()} on the day of the booking. "
            "Ask a Fab Lab technician to certify you first.",
            capability=capability.slug,
        )


def _check_time_free(machine, starts_at, ends_at, *, excluding: int | None = None) -> None:
    windows = weekly_windows(machine.opening_hours.all(), starts_at, ends_at)
    if not covers(windows, starts_at, ends_at):
        raise OutsideOpeningHours(
            f"{machine.name} is not open for the whole of that time: "
            "book within one of its opening hours."
        )
    outage = (
        OutOfService.objects.filter(machine=machine, starts_at__lt=ends_at, ends_at__gt=starts_at)
        .order_by("starts_at")
        .first()
    )
    if outage:
        raise MachineOutOfService(
            f"{machine.name} is out of service then ({outage.reason}) until "
            f"{dateformat.format(timezone.localtime(outage.ends_at), 'M j, g:i A')}.",
            reason=outage.reason,
        )
    taken = Booking.objects.active().filter(machine=machine).overlapping(starts_at, ends_at)
    if excluding is not None:
        taken = taken.exclude(pk=excluding)
    if taken.exists():
        raise BookingOverlaps(_overlap_detail(machine))


def _overlap_detail(machine: Machine) -> str:
    return f"{machine.name} is already booked for part of that time: choose another time."


def _check_may_change(booking: Booking, by) -> None:
    if not can_change(booking, by):
        raise BookingNotAllowed(
            "Only the person who booked, a manager of the co-op or Fab Lab staff "
            "may change this booking."
        )
    if booking.status != Booking.Status.BOOKED:
        raise InvalidTransition("This booking is cancelled.")


# --- Locks and writes ---------------------------------------------------------------------


def _booking_for_update(booking: Booking) -> Booking:
    return (
        Booking.objects.select_for_update(of=("self",))
        .select_related("machine__capability", "machine__keeper", "producer", "booked_by")
        .get(pk=booking.pk)
    )


def _serialise_on_sqlite(machine: Machine) -> None:
    """On SQLite, hold the database's write lock from here to the commit, so that the
    overlap check and the insert of one booking cannot interleave with another's.

    A no-op write takes the lock even if the transaction began deferred. PostgreSQL
    needs nothing: its exclusion constraint refuses an overlap whatever the timing.
    """
    if connection.vendor == "sqlite":
        Machine.objects.filter(pk=machine.pk).update(active=machine.active)


def _save(booking: Booking, **kwargs) -> None:
    """Write the booking; an overlap the database refuses becomes `BookingOverlaps`.

    In a savepoint, so the surrounding transaction stays usable after the refusal.
    """
    try:
        with transaction.atomic():
            booking.save(**kwargs)
    except IntegrityError as exc:
        if not _is_overlap(exc):
            raise
        raise BookingOverlaps(_overlap_detail(booking.machine)) from exc


def _is_overlap(exc: IntegrityError) -> bool:
    cause = exc.__cause__
    if getattr(cause, "sqlstate", None) != EXCLUSION_VIOLATION:
        return False
    diag = getattr(cause, "diag", None)
    return getattr(diag, "constraint_name", None) in (None, NO_OVERLAP_CONSTRAINT)
