"""A Fab Lab with a laser cutter open every day, a co-op whose member is certified for
it, and the times to book it at: shared by the booking tests."""

import datetime
import zoneinfo
from dataclasses import dataclass

from django.utils import timezone

from fablab.models import Machine, OpeningHours
from fablab.services.bookings import booking_create
from producers.models import Capability
from tests.factories import (
    CapabilityFactory,
    FabLabFactory,
    MembershipFactory,
    ProducerFactory,
    UserFactory,
    certify_a_member,
)

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")


def local(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    """A wall-clock time in Chicago on `day`, aware."""
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=CHICAGO)


def next_weekday(weekday: int, *, weeks_ahead: int = 1) -> datetime.date:
    """The date of `weekday` (0 = Monday) in a week to come, in Chicago."""
    today = timezone.localdate()
    return today + datetime.timedelta(days=(weekday - today.weekday()) % 7 + 7 * weeks_ahead)


def laser_cutter(*, keeper=None, capability: Capability | None = None, **kwargs) -> Machine:
    """A laser cutter open 9 am to 5 pm every day, at most 4 hours a booking."""
    machine = Machine.objects.create(
        name=kwargs.pop("name", "Laser cutter"),
        slug=kwargs.pop("slug", "laser-cutter"),
        capability=capability or CapabilityFactory(slug="laser_cutting", name="Laser cutting"),
        keeper=keeper or FabLabFactory(),
        rate_per_hour=kwargs.pop("rate_per_hour", "18.00"),
        max_booking_minutes=kwargs.pop("max_booking_minutes", 240),
        **kwargs,
    )
    for weekday in range(7):
        OpeningHours.objects.create(
            machine=machine, weekday=weekday, opens=datetime.time(9), closes=datetime.time(17)
        )
    return machine


@dataclass
class Lab:
    machine: Machine
    coop: object
    member: object

    def book(self, start, end, *, by=None, **kwargs):
        return booking_create(
            machine=kwargs.pop("machine", self.machine),
            producer=kwargs.pop("producer", self.coop),
            by=by or self.member,
            starts_at=start,
            ends_at=end,
            **kwargs,
        )


def lab_world(slug: str = "makers") -> Lab:
    machine = laser_cutter()
    coop = ProducerFactory(name="Makers Co-op", slug=slug, certified=False)
    member = certify_a_member(coop, capabilities=[machine.capability])
    return Lab(machine=machine, coop=coop, member=member)


def uncertified_member(coop):
    return MembershipFactory(producer=coop, user=UserFactory(username="not-yet-trained")).user


def next_clock_change(month: int) -> datetime.date:
    """The next day (from tomorrow) on which Chicago's clocks change, in `month`: 3 for
    springing forward, 11 for falling back. Found with zoneinfo, not written down."""
    day = timezone.localdate() + datetime.timedelta(days=1)
    for _ in range(800):
        noon = datetime.datetime.combine(day, datetime.time(12), tzinfo=CHICAGO)
        before = noon - datetime.timedelta(days=1)
        if day.month == month and noon.utcoffset() != before.utcoffset():
            return day
        day += datetime.timedelta(days=1)
    raise AssertionError("no change of the clocks in two years")
