"""Taking a machine out of service and putting it back, for the people who keep it.

The period is typed on Chicago's wall clock, from one day and time to another; the
service says who may and what it refuses. Bookings that fall in the time stay booked:
the page names them, so the keeper can tell those co-ops and they can move them.
"""

import datetime

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from fablab.models import OutOfService
from fablab.services.machines import REASON_MAX, may_keep, outage_end, outage_record
from frontend.workbench.common import workbench_view
from frontend.workbench.fablab_bookings import _machine_or_404, _run, clock
from frontend.workbench.forms import _Form

FIELD_OF = {"starts_at": "start_time", "ends_at": "end_time"}


class OutageForm(_Form):
    start_date = forms.DateField(label="From day", widget=forms.DateInput(attrs={"type": "date"}))
    start_time = forms.TimeField(
        label="From time", widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    end_date = forms.DateField(label="Until day", widget=forms.DateInput(attrs={"type": "date"}))
    end_time = forms.TimeField(
        label="Until time", widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    reason = forms.CharField(
        label="Why",
        max_length=REASON_MAX,
        help_text="Shown to the co-ops on the machine's page, e.g. “New laser tube being fitted”.",
    )

    def clean(self):
        data = super().clean()
        zone = timezone.get_current_timezone()
        for side in ("start", "end"):
            day, time = data.get(f"{side}_date"), data.get(f"{side}_time")
            if day and time:
                data[f"{side}s_at"] = datetime.datetime.combine(day, time, tzinfo=zone)
        return data


def _moment(value: datetime.datetime) -> str:
    local = timezone.localtime(value)
    return f"{local:%a} {local.day} {local:%b}, {clock(local.time())}"


def _when(start: datetime.datetime, end: datetime.datetime) -> str:
    return f"from {_moment(start)} to {_moment(end)}"


@workbench_view
@require_http_methods(["GET", "HEAD", "POST"])
def machine_outage(request, slug):
    machine = _machine_or_404(request.user, slug)
    if not may_keep(request.user, machine):
        raise PermissionDenied
    data = request.POST if request.method == "POST" else None
    form = OutageForm(data)
    status = 200
    if data is not None:
        status = 400
        if form.is_valid():
            result, status = _run_outage(form, request, machine)
            if result:
                outage, clashes = result
                messages.success(
                    request,
                    f"{machine.name} is out of service {_when(outage.starts_at, outage.ends_at)}.",
                )
                if clashes:
                    held = "; ".join(
                        f"{b.producer.name} ({b.booked_by.get_full_name() or b.booked_by}), "
                        f"{_when(b.starts_at, b.ends_at)}"
                        for b in clashes
                    )
                    messages.warning(
                        request,
                        f"Still booked in that time: {held}. Tell them, so they can move.",
                    )
                return redirect("workbench:machine", slug=machine.slug)
    return render(
        request,
        "frontend/workbench/fablab/outage.html",
        {"section": "machines", "machine": machine, "form": form},
        status=status,
    )


def _run_outage(form, request, machine):
    data = form.cleaned_data
    outcome, status = _run(
        form,
        lambda: outage_record(
            machine=machine,
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            reason=data["reason"],
            by=request.user,
        ),
        field_of=FIELD_OF,
    )
    return outcome, status


@workbench_view
@require_POST
def machine_outage_end(request, slug, pk):
    machine = _machine_or_404(request.user, slug)
    outage = get_object_or_404(OutOfService, pk=pk, machine=machine)
    if not may_keep(request.user, machine):
        raise PermissionDenied
    outage_end(outage=outage, by=request.user)
    messages.success(request, f"{machine.name} is back in service.")
    return redirect("workbench:machine", slug=machine.slug)
