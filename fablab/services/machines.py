"""Taking a machine out of service, and putting it back.

A machine's keepers decide: Fab Lab staff for the Fab Lab's machines, a co-op's managers
for its own (platform staff for any). Bookings that fall in the time are not cancelled
here: they are returned, so the keeper sees whom to tell and the co-ops can move them.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from fablab.exceptions import MachineKeepersOnly
from fablab.models import Booking, Machine, OutOfService
from producers import permissions
from producers.models import Producer

REASON_MAX = 240


def may_keep(user, machine: Machine) -> bool:
    """Who may take `machine` out of service: its keepers, and platform staff."""
    if machine.keeper.kind == Producer.Kind.FABLAB:
        return permissions.can_keep_shared_store(user)
    return permissions.can_manage(user, machine.keeper)


def outage_record(
    *,
    machine: Machine,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    reason: str,
    by,
) -> tuple[OutOfService, list[Booking]]:
    """Take `machine` out of service from `starts_at` to `ends_at`, for `reason`.

    Raises MachineKeepersOnly (403) for anyone but its keepers, ValidationError (by field)
    for an end not after the start, an end already past, or a missing reason. Returns
    the period and the active bookings it overlaps, earliest first.
    """
    if not may_keep(by, machine):
        raise MachineKeepersOnly()
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why, so the co-ops know what is going on."})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": f"Keep the reason to {REASON_MAX} characters."})
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        raise ValidationError({"starts_at": "Give the times with their time zone."})
    starts_at, ends_at = starts_at.astimezone(datetime.UTC), ends_at.astimezone(datetime.UTC)
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": "The end must be after the start."})
    if ends_at <= timezone.now():
        raise ValidationError({"ends_at": "That time has already passed."})
    with transaction.atomic():
        outage = OutOfService.objects.create(
            machine=machine, starts_at=starts_at, ends_at=ends_at, reason=reason
        )
    clashes = list(
        machine.bookings.active()
        .overlapping(starts_at, ends_at)
        .select_related("producer", "booked_by")
        .order_by("starts_at")
    )
    return outage, clashes


def outage_end(*, outage: OutOfService, by) -> OutOfService | None:
    """Put the machine back in service now: a period not yet begun is removed (None is
    returned); one under way ends now. Raises MachineKeepersOnly for anyone else."""
    if not may_keep(by, outage.machine):
        raise MachineKeepersOnly()
    now = timezone.now()
    with transaction.atomic():
        if outage.starts_at >= now:
            outage.delete()
            return None
        if outage.ends_at > now:
            outage.ends_at = now
            outage.save(update_fields=["ends_at"])
    return outage
