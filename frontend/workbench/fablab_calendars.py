"""Machine calendars in the workbench: a machine's day and week, and the secret links of
the calendar feeds with their reset buttons.

A co-op member sees the machines their co-ops may book; Fab Lab and platform staff see
every machine. Another machine is not found. Bookings name the co-op holding them; who
booked and for which job shows only to that co-op's members and to staff.
"""

import datetime
from functools import wraps

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from fablab import calendars
from fablab.services.calendars import (
    coop_calendar_ensure,
    coop_calendar_reset,
    machine_calendar_reset,
)
from frontend.workbench.common import workbench_view
from producers.models import Producer
from producers.permissions import (
    can_act_for,
    can_keep_shared_store,
    can_manage,
    producer_ids_for,
)

# How far from today a calendar page may be asked for; further is a mistyped date.
FARTHEST = datetime.timedelta(days=3 * 366)


def machine_view(view):
    """A calendar page of one machine, named by the `slug` in its URL, for those who may
    see it; to everyone else it is not found."""

    @wraps(view)
    def wrapper(request, slug, *args, **kwargs):
        machine = calendars.machines_seen_by(request.user).filter(slug=slug).first()
        if machine is None:
            raise Http404("No such machine.")
        return view(request, machine, *args, **kwargs)

    return workbench_view(wrapper)


def _asked_date(request) -> datetime.date | None:
    """The `date` in the query (YYYY-MM-DD), today when there is none, None when it is
    not a date within a few years of today."""
    today = timezone.localdate()
    raw = request.GET.get("date", "").strip()
    if not raw:
        return today
    try:
        date = datetime.date.fromisoformat(raw)
    except ValueError:
        return None
    if abs(date - today) > FARTHEST or len(raw) != 10:
        return None
    return date


def _bad_date(request, machine, view_name: str):
    context = {
        "section": "calendars",
        "machine": machine,
        "today_url": reverse(view_name, args=[machine.slug]),
        "asked": request.GET.get("date", "")[:40],
    }
    return render(request, "frontend/workbench/fablab/bad_date.html", context, status=400)


def _detailed_for(user) -> set[int] | None:
    return None if calendars.sees_every_booking(user) else producer_ids_for(user)


def _link(view_name: str, machine, date: datetime.date) -> str:
    return f"{reverse(view_name, args=[machine.slug])}?date={date.isoformat()}"


@machine_view
@require_GET
def machine_day(request, machine):
    date = _asked_date(request)
    if date is None:
        return _bad_date(request, machine, "workbench:machine-day")
    day = calendars.machine_day(machine, date, detailed_for=_detailed_for(request.user))
    today = timezone.localdate()
    context = {
        "section": "calendars",
        "machine": machine,
        "day": day,
        "is_today": date == today,
        "previous_url": _link("workbench:machine-day", machine, date - datetime.timedelta(1)),
        "next_url": _link("workbench:machine-day", machine, date + datetime.timedelta(1)),
        "today_url": _link("workbench:machine-day", machine, today),
        "week_url": _link("workbench:machine-week", machine, date),
    }
    return render(request, "frontend/workbench/fablab/machine_day.html", context)


@machine_view
@require_GET
def machine_week(request, machine):
    date = _asked_date(request)
    if date is None:
        return _bad_date(request, machine, "workbench:machine-week")
    week = calendars.machine_week(machine, date, detailed_for=_detailed_for(request.user))
    today = timezone.localdate()
    for day in week.days:
        day.url = _link("workbench:machine-day", machine, day.date)
        day.is_today = day.date == today
    context = {
        "section": "calendars",
        "machine": machine,
        "week": week,
        "has_today": week.monday <= today <= week.sunday,
        "previous_url": _link(
            "workbench:machine-week", machine, week.monday - datetime.timedelta(7)
        ),
        "next_url": _link("workbench:machine-week", machine, week.monday + datetime.timedelta(7)),
        "today_url": _link("workbench:machine-week", machine, today),
        "day_url": _link("workbench:machine-day", machine, date),
    }
    return render(request, "frontend/workbench/fablab/machine_week.html", context)


def _feed_url(request, name: str, token: str) -> str:
    return request.build_absolute_uri(reverse(name, args=[token]))


def _my_coops(user) -> list[Producer]:
    return list(Producer.objects.filter(pk__in=producer_ids_for(user)).order_by("name"))


def _bookable_machines(user):
    """Every active machine for staff; for a member, those their co-ops may book."""
    return calendars.machines_seen_by(user).filter(active=True).order_by("name")


@workbench_view
@require_GET
def calendar_links(request):
    """The feed links of the user's co-ops and of each machine they may book."""
    user = request.user
    coops = _my_coops(user)
    coop_feeds = []
    for coop in coops:
        calendar = coop_calendar_ensure(producer=coop)
        coop_feeds.append(
            {
                "producer": coop,
                "url": _feed_url(request, "frontend:coop_calendar_feed", calendar.token),
                "may_reset": can_manage(user, coop),
            }
        )
    machines = list(_bookable_machines(user))
    for machine in machines:
        machine.feed_url = _feed_url(
            request, "frontend:machine_calendar_feed", machine.calendar_token
        )
    context = {
        "section": "calendars",
        "coop_feeds": coop_feeds,
        "machines": machines,
        "may_reset_machines": can_keep_shared_store(user),
    }
    return render(request, "frontend/workbench/fablab/calendars.html", context)


@workbench_view
@require_POST
def coop_calendar_reset_view(request, slug: str):
    producer = Producer.objects.filter(slug=slug).first()
    if producer is None or not can_act_for(request.user, producer):
        raise Http404("No such co-op.")
    if not can_manage(request.user, producer):
        return render(
            request,
            "frontend/workbench/managers_only.html",
            {"producer": producer},
            status=403,
        )
    coop_calendar_reset(producer=producer)
    messages.success(
        request,
        f"{producer.name}'s calendar has a new link. The old one no longer works: "
        "subscribe again with the new one.",
    )
    return redirect(f"{reverse('workbench:calendars')}#coop-{producer.slug}")


@workbench_view
@require_POST
def machine_calendar_reset_view(request, slug: str):
    machine = calendars.machines_seen_by(request.user).filter(slug=slug).first()
    if machine is None:
        raise Http404("No such machine.")
    if not can_keep_shared_store(request.user):
        return render(request, "frontend/workbench/fablab/staff_only.html", status=403)
    machine_calendar_reset(machine=machine)
    messages.success(
        request,
        f"The {machine.name} calendar has a new link. The old one no longer works: "
        "subscribe again with the new one.",
    )
    return redirect(f"{reverse('workbench:calendars')}#machine-{machine.slug}")
