"""Calendar feeds (iCalendar, RFC 5545) of machine bookings, for people's calendar apps.

A feed is read by whoever holds its secret link, with no sign-in. A co-op's feed tells
its members who booked and for which job; a machine's feed is read by every co-op that
may book the machine, so it names only the co-op holding each booking.
"""

import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event

from fablab.models import Booking

PRODID = "-//Community Production//Fab Lab machine calendars//EN"


def _host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def booking_uid(booking: Booking) -> str:
    """Stable for the life of the booking, so a calendar app updates rather than duplicates."""
    return f"booking-{booking.pk}@{_host()}"


def _who(booking: Booking) -> str:
    user = booking.booked_by
    return user.get_full_name() or user.username


def _event(booking: Booking, *, detailed: bool, stamp: datetime.datetime) -> Event:
    event = Event()
    event.add("uid", booking_uid(booking))
    event.add("dtstamp", stamp)
    event.add("dtstart", booking.starts_at.astimezone(datetime.UTC))
    event.add("dtend", booking.ends_at.astimezone(datetime.UTC))
    event.add("summary", f"{booking.machine.name} — {booking.producer.name}")
    event.add("last-modified", booking.updated_at.astimezone(datetime.UTC))
    event.add("status", "CONFIRMED")
    event.add("transp", "OPAQUE")
    if detailed:
        lines = [f"Booked by {_who(booking)} for {booking.producer.name}."]
        if booking.job_id is not None:
            lines.append(f"For order {booking.job.order.number} (job {booking.job_id}).")
        if booking.note:
            lines.append(booking.note)
        event.add("description", "\n".join(lines))
    else:
        event.add("description", f"Booked by {booking.producer.name}.")
    return event


def bookings_feed(bookings, *, name: str, detailed: bool) -> bytes:
    """A VCALENDAR named `name` with one VEVENT per booking in `bookings` (pass only
    active ones), its times in UTC. `detailed`: say who booked and for which job."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    stamp = timezone.now().astimezone(datetime.UTC).replace(microsecond=0)
    for booking in bookings:
        calendar.add_component(_event(booking, detailed=detailed, stamp=stamp))
    return calendar.to_ical()
