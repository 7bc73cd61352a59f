"""The secret links behind calendar feeds: made when first asked for, replaced on request."""

from django.db import transaction

from fablab.models import CoopCalendar, Machine, new_calendar_token
from producers.models import Producer


def coop_calendar_ensure(*, producer: Producer) -> CoopCalendar:
    """The co-op's calendar, made with a fresh secret the first time it is asked for.
    Safe to call twice at once: the second caller reads the first one's row."""
    calendar, _ = CoopCalendar.objects.get_or_create(producer=producer)
    return calendar


@transaction.atomic
def coop_calendar_reset(*, producer: Producer) -> CoopCalendar:
    """Give the co-op's feed a new secret link; the old link stops working at once."""
    calendar, created = CoopCalendar.objects.select_for_update().get_or_create(producer=producer)
    if not created:
        calendar.token = new_calendar_token()
        calendar.save(update_fields=["token"])
    return calendar


@transaction.atomic
def machine_calendar_reset(*, machine: Machine) -> Machine:
    """Give the machine's feed a new secret link; the old link stops working at once."""
    machine.calendar_token = new_calendar_token()
    Machine.objects.filter(pk=machine.pk).update(calendar_token=machine.calendar_token)
    return machine
