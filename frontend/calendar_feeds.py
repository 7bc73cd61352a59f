"""Calendar feeds for people's calendar apps: no sign-in, the secret link is the key.

A reset link answers 404 at once. The answer is never stored by a shared cache, and
search engines are asked not to index it.
"""

from django.http import Http404, HttpResponse
from django.views.decorators.http import require_safe

from fablab import calendars
from fablab.feeds import bookings_feed


def _ics(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}.ics"'
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


@require_safe
def machine_calendar_feed(request, token: str):
    machine = calendars.machine_by_calendar_token(token)
    if machine is None:
        raise Http404("No such calendar.")
    body = bookings_feed(
        calendars.feed_bookings(machine=machine),
        name=f"{machine.name} bookings",
        detailed=False,
    )
    return _ics(body, machine.slug)


@require_safe
def coop_calendar_feed(request, token: str):
    calendar = calendars.coop_calendar_by_token(token)
    if calendar is None:
        raise Http404("No such calendar.")
    producer = calendar.producer
    body = bookings_feed(
        calendars.feed_bookings(producer=producer),
        name=f"{producer.name} machine bookings",
        detailed=True,
    )
    return _ics(body, f"{producer.slug}-machines")
