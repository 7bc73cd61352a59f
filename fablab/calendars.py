"""One machine's day or week, laid out for a page; the bookings its calendar feeds carry.

Every day runs from local midnight to the next local midnight in the network's time
zone, so the day the clocks go back has 25 hours and the day they go forward 23. The
day is cut into segments (booked, out of service, closed, free) that cover it without
gaps; a page shows them in rows of one hour each, reckoned in UTC so no hour is lost or
counted twice when the clocks change.
"""

import datetime
import operator
from dataclasses import dataclass, field
from functools import reduce
from itertools import pairwise

from django.db.models import QuerySet
from django.utils import timezone

from fablab.hours import Window, covers, weekly_windows
from fablab.models import Booking, CoopCalendar, Machine, OutOfService
from fablab.selectors import machines_for
from producers.models import Producer
from producers.permissions import is_fablab_staff, is_platform_staff, producer_ids_for

HOUR = datetime.timedelta(hours=1)
# What a calendar feed carries: a month back, half a year ahead.
FEED_PAST = datetime.timedelta(days=30)
FEED_AHEAD = datetime.timedelta(days=180)


@dataclass(frozen=True)
class Segment:
    """A stretch of one day in which one thing holds."""

    BOOKED = "booked"
    OUT_OF_SERVICE = "out_of_service"
    CLOSED = "closed"
    FREE = "free"

    kind: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    booking: Booking | None = None
    outage: OutOfService | None = None
    # Whether the viewer may see who booked and for which job (their own co-op's booking,
    # or the viewer is Fab Lab or platform staff).
    detailed: bool = False

    @property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


@dataclass(frozen=True)
class Entry:
    segment: Segment
    # The segment began in an earlier hour: the row says it goes on.
    continued: bool


@dataclass(frozen=True)
class HourRow:
    starts_at: datetime.datetime
    entries: list[Entry]

    @property
    def kind(self) -> str:
        """The kind of the one segment filling the hour, or "mixed"."""
        kinds = {entry.segment.kind for entry in self.entries}
        return kinds.pop() if len(kinds) == 1 else "mixed"


@dataclass
class Day:
    date: datetime.date
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    opening: list[Window]
    segments: list[Segment] = field(default_factory=list)

    @property
    def is_closed(self) -> bool:
        return not self.opening

    @property
    def clock_change(self) -> bool:
        """The clocks go forward or back during this day."""
        return self.hours != 24

    @property
    def hours(self) -> float:
        return (self.ends_at - self.starts_at).total_seconds() / 3600

    @property
    def shown(self) -> list[Segment]:
        """The segments worth listing: all but the closed hours before and after the day's
        first and last open, booked or out-of-service time."""
        busy = [i for i, s in enumerate(self.segments) if s.kind != Segment.CLOSED]
        if not busy:
            return []
        return self.segments[busy[0] : busy[-1] + 1]

    @property
    def bookings(self) -> list[Segment]:
        return [s for s in self.segments if s.kind == Segment.BOOKED]

    @property
    def rows(self) -> list[HourRow]:
        """One row per hour from the hour of the first shown segment to the end of the last."""
        shown = self.shown
        if not shown:
            return []
        # Chicago's offsets are whole hours, so an hour in UTC is an hour on the wall.
        hour = shown[0].starts_at.replace(minute=0, second=0, microsecond=0)
        rows = []
        while hour < shown[-1].ends_at:
            end = hour + HOUR
            entries = [
                Entry(segment=s, continued=s.starts_at < hour)
                for s in self.segments
                if s.starts_at < end and s.ends_at > hour
            ]
            rows.append(HourRow(starts_at=hour, entries=entries))
            hour = end
        return rows


@dataclass
class Week:
    monday: datetime.date
    days: list[Day]

    @property
    def sunday(self) -> datetime.date:
        return self.monday + datetime.timedelta(days=6)


def local_midnight(day: datetime.date) -> datetime.datetime:
    """The start of `day` in the network's time zone, in UTC.

    Everything here is reckoned in UTC: Python compares and subtracts two datetimes of
    one zone by their wall clocks, which is an hour out across a clock change.
    """
    zone = timezone.get_current_timezone()
    midnight = timezone.make_aware(datetime.datetime.combine(day, datetime.time()), zone)
    return midnight.astimezone(datetime.UTC)


def machines_seen_by(user) -> QuerySet[Machine]:
    """The machines whose calendars `user` may open: every one for Fab Lab and platform
    staff; for a co-op member, the active machines their co-ops may book."""
    machines = Machine.objects.select_related("keeper", "capability")
    if is_platform_staff(user) or is_fablab_staff(user):
        return machines
    ids = producer_ids_for(user)
    if not ids:
        return machines.none()
    bookable = reduce(operator.or_, (machines_for(pid) for pid in sorted(ids)))
    return machines.filter(pk__in=bookable.values("pk"))


def sees_every_booking(user) -> bool:
    """Fab Lab and platform staff see who booked and for which job, whoever's booking it is."""
    return is_platform_staff(user) or is_fablab_staff(user)


def _segments(
    start: datetime.datetime,
    end: datetime.datetime,
    opening: list[Window],
    outages: list[OutOfService],
    bookings: list[Booking],
    detailed_for: set[int] | None,
) -> list[Segment]:
    """[start, end) cut where anything begins or ends; a booking outranks an outage, which
    outranks the opening hours."""
    points = {start, end}
    spans = [*opening, *((x.starts_at, x.ends_at) for x in [*outages, *bookings])]
    for span in spans:
        points.update(p for p in span if start < p < end)
    segments: list[Segment] = []
    for a, b in pairwise(sorted(points)):
        booking = next((x for x in bookings if x.starts_at < b and x.ends_at > a), None)
        outage = next((o for o in outages if o.starts_at < b and o.ends_at > a), None)
        if booking is not None:
            detailed = detailed_for is None or booking.producer_id in detailed_for
            segment = Segment(Segment.BOOKED, a, b, booking=booking, detailed=detailed)
        elif outage is not None:
            segment = Segment(Segment.OUT_OF_SERVICE, a, b, outage=outage)
        elif covers(opening, a, b):
            segment = Segment(Segment.FREE, a, b)
        else:
            segment = Segment(Segment.CLOSED, a, b)
        last = segments[-1] if segments else None
        if (
            last is not None
            and last.kind == segment.kind
            and last.booking is segment.booking
            and last.outage is segment.outage
        ):
            segments[-1] = Segment(
                last.kind, last.starts_at, b, last.booking, last.outage, last.detailed
            )
        else:
            segments.append(segment)
    return segments


def _days(
    machine: Machine, first: datetime.date, count: int, detailed_for: set[int] | None
) -> list[Day]:
    """`count` days of `machine` from `first`: three queries (hours, outages, bookings)."""
    start = local_midnight(first)
    end = local_midnight(first + datetime.timedelta(days=count))
    hours = list(machine.opening_hours.all())
    outages = list(machine.outages.filter(starts_at__lt=end, ends_at__gt=start))
    bookings = list(
        Booking.objects.active()
        .filter(machine=machine)
        .overlapping(start, end)
        .select_related("producer", "booked_by", "job__order")
    )
    days = []
    for offset in range(count):
        date = first + datetime.timedelta(days=offset)
        day_start, day_end = local_midnight(date), local_midnight(date + datetime.timedelta(1))
        opening = [
            (opens.astimezone(datetime.UTC), closes.astimezone(datetime.UTC))
            for opens, closes in weekly_windows(hours, day_start, day_end)
        ]
        day = Day(date=date, starts_at=day_start, ends_at=day_end, opening=opening)
        day.segments = _segments(
            day_start,
            day_end,
            opening,
            [o for o in outages if o.starts_at < day_end and o.ends_at > day_start],
            [b for b in bookings if b.starts_at < day_end and b.ends_at > day_start],
            detailed_for,
        )
        days.append(day)
    return days


def machine_day(machine: Machine, date: datetime.date, *, detailed_for: set[int] | None) -> Day:
    """`machine`'s day `date` (local). `detailed_for`: the co-ops (ids) whose bookings the
    viewer may see in full, or None for all of them."""
    return _days(machine, date, 1, detailed_for)[0]


def machine_week(machine: Machine, date: datetime.date, *, detailed_for: set[int] | None) -> Week:
    """The week (Monday to Sunday, local) holding `date`."""
    monday = date - datetime.timedelta(days=date.weekday())
    return Week(monday=monday, days=_days(machine, monday, 7, detailed_for))


# --- Calendar feeds -------------------------------------------------------------------------


def machine_by_calendar_token(token: str) -> Machine | None:
    return Machine.objects.filter(calendar_token=token).first()


def coop_calendar_by_token(token: str) -> CoopCalendar | None:
    return CoopCalendar.objects.select_related("producer").filter(token=token).first()


def feed_bookings(
    *,
    machine: Machine | None = None,
    producer: Producer | None = None,
    now: datetime.datetime | None = None,
) -> QuerySet[Booking]:
    """The active bookings a feed carries, of one machine or one co-op, from a month back
    to half a year ahead, with what an event names. One query."""
    now = now or timezone.now()
    bookings = (
        Booking.objects.active()
        .overlapping(now - FEED_PAST, now + FEED_AHEAD)
        .select_related("machine", "producer", "booked_by", "job__order")
        .order_by("starts_at", "pk")
    )
    if machine is not None:
        bookings = bookings.filter(machine=machine)
    if producer is not None:
        bookings = bookings.filter(producer=producer)
    return bookings
