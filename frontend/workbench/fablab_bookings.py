"""Machines and bookings: the machines a co-op may book, booking one, and the co-op's
bookings with cancel and move.

Times are typed and shown on Chicago's wall clock (the network's `TIME_ZONE`) and
stored in UTC; every rule (certification, opening hours, outages, overlaps) is the
booking service's, and its refusal is shown next to the form as it gave it.
"""

import datetime
from itertools import groupby

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from backend.errors import DomainError
from fablab import selectors
from fablab.hours import duration_in_words
from fablab.models import Booking, Machine, OpeningHours
from fablab.services.bookings import booking_cancel, booking_create, booking_move, can_change
from fablab.services.machines import may_keep
from frontend.workbench.common import my_producers, workbench_view
from frontend.workbench.forms import _Form
from orders.models import Job
from producers.models import Producer
from producers.permissions import can_keep_shared_store

# Service field -> form field: the form asks for a day and two times.
FIELD_OF = {"starts_at": "start", "ends_at": "end"}


# --- Words for hours -----------------------------------------------------------------------


def clock(value: datetime.time) -> str:
    """9 am, 5:30 pm, noon."""
    if value == datetime.time(12):
        return "noon"
    hour = value.hour % 12 or 12
    suffix = "am" if value.hour < 12 else "pm"
    return f"{hour}:{value.minute:02d} {suffix}" if value.minute else f"{hour} {suffix}"


def hours_in_words(hours) -> str:
    """ "Mon–Fri 9 am–5 pm; Sat 10 am–2 pm", days with the same hours run together."""
    by_day: dict[int, list[str]] = {}
    for row in hours:
        by_day.setdefault(row.weekday, []).append(f"{clock(row.opens)}–{clock(row.closes)}")
    if not by_day:
        return "Not open for booking"
    names = [label[:3] for _, label in OpeningHours.Weekday.choices]
    parts = []
    days = sorted(by_day)
    # Runs of consecutive days with the same windows.
    runs = groupby(enumerate(days), key=lambda pair: (pair[1] - pair[0], tuple(by_day[pair[1]])))
    for (_, windows), run in runs:
        run_days = [day for _, day in run]
        first, last = names[run_days[0]], names[run_days[-1]]
        label = first if first == last else f"{first}–{last}"
        parts.append(f"{label} {', '.join(windows)}")
    return "; ".join(parts)


def _decorate(machine: Machine) -> Machine:
    machine.hours_text = hours_in_words(machine.opening_hours.all())
    machine.longest = duration_in_words(machine.max_booking_minutes)
    outages = getattr(machine, "outages_ahead", [])
    machine.next_outage = outages[0] if outages else None
    return machine


# --- Forms ---------------------------------------------------------------------------------


class JobChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, job) -> str:
        return f"Order {job.order.number}, due {job.due_date:%b} {job.due_date.day}"


class BookingTimesForm(_Form):
    """A day and two wall-clock times in Chicago."""

    date = forms.DateField(label="Day", widget=forms.DateInput(attrs={"type": "date"}))
    start = forms.TimeField(
        label="From", widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    end = forms.TimeField(
        label="Until", widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )

    def clean(self):
        data = super().clean()
        day = data.get("date")
        for field in ("start", "end"):
            if day and data.get(field):
                data[f"{field}s_at"] = self._aware(field, day, data[field])
        return data

    def _aware(self, field, day, time) -> datetime.datetime:
        zone = timezone.get_current_timezone()
        moment = datetime.datetime.combine(day, time, tzinfo=zone)
        # A time the clocks skip when they spring forward does not exist.
        back = moment.astimezone(datetime.UTC).astimezone(zone)
        if back.replace(tzinfo=None) != moment.replace(tzinfo=None):
            self.add_error(field, "The clocks skip that time that night: choose another.")
        return moment

    def times(self) -> dict:
        return {
            "starts_at": self.cleaned_data["starts_at"],
            "ends_at": self.cleaned_data["ends_at"],
        }


class BookingForm(BookingTimesForm):
    producer = forms.ModelChoiceField(
        label="For the co-op", queryset=Producer.objects.none(), empty_label=None
    )
    job = JobChoiceField(
        label="For a job (optional)",
        queryset=Job.objects.none(),
        required=False,
        empty_label="No job: time on its own",
    )
    note = forms.CharField(
        label="Note (optional)",
        max_length=Booking._meta.get_field("note").max_length,
        required=False,
        help_text="What you will make, for the Fab Lab's technicians.",
    )

    def __init__(self, *args, producers, jobs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["producer"].queryset = Producer.objects.filter(pk__in=[p.pk for p in producers])
        # A member of one co-op books for it without being asked.
        self.only_producer = producers[0] if len(producers) == 1 else None
        if self.only_producer:
            del self.fields["producer"]
        self.fields["job"].queryset = jobs
        if not jobs.exists():
            del self.fields["job"]

    def booking_producer(self) -> Producer:
        return self.only_producer or self.cleaned_data["producer"]


# --- Pages ---------------------------------------------------------------------------------


def _bookers_of(user, machine: Machine) -> list[Producer]:
    """The user's co-ops that may book `machine`: every co-op for the Fab Lab's machines,
    only the keeper for a co-op's own. Every co-op for platform staff."""
    producers = my_producers(user)
    if machine.keeper.kind != Producer.Kind.FABLAB:
        producers = [p for p in producers if p.pk == machine.keeper_id]
    return [p for p in producers if p.kind != Producer.Kind.FABLAB or machine.keeper_id == p.pk]


def _jobs_for(producers: list[Producer], machine: Machine):
    """Open jobs of these co-ops whose goods need what the machine does."""
    return (
        Job.objects.filter(
            producer__in=producers,
            status__in=Job.OPEN_STATUSES,
            lines__product__required_capabilities=machine.capability,
        )
        .select_related("order")
        .distinct()
        .order_by("due_date", "pk")
    )


def _machine_or_404(user, slug: str) -> Machine:
    machine = selectors.machines_visible_to(user).filter(slug=slug).first()
    if machine is None:
        raise Http404("No such machine.")
    return _decorate(machine)


@workbench_view
@require_http_methods(["GET", "HEAD"])
def machines(request):
    found = [_decorate(m) for m in selectors.machines_visible_to(request.user)]
    return render(
        request,
        "frontend/workbench/fablab/machines.html",
        {"section": "machines", "machines": found},
    )


@workbench_view
@require_http_methods(["GET", "HEAD", "POST"])
def machine(request, slug):
    user = request.user
    machine = _machine_or_404(user, slug)
    producers = _bookers_of(user, machine)
    form = None
    status = 200
    if request.method == "POST" and not producers:
        status = 403  # the page says who books this machine
    if producers:
        data = request.POST if request.method == "POST" else None
        form = BookingForm(data, producers=producers, jobs=_jobs_for(producers, machine))
        if data is not None:
            status = 400
            if form.is_valid():
                booking, status = _run(
                    form,
                    lambda: booking_create(
                        machine=machine,
                        producer=form.booking_producer(),
                        by=user,
                        job=form.cleaned_data.get("job"),
                        note=form.cleaned_data["note"],
                        **form.times(),
                    ),
                )
                if booking:
                    messages.success(request, f"Booked: {_when(booking)} on {machine.name}.")
                    return redirect("workbench:bookings")
    _, free = selectors.machine_with_time(machine)
    context = {
        "section": "machines",
        "machine": machine,
        "form": form,
        "may_keep": may_keep(user, machine),
        "outages": machine.outages.filter(ends_at__gt=timezone.now()).order_by("starts_at"),
        "free": [(timezone.localtime(s), timezone.localtime(e)) for s, e in free][:12],
        "booked": selectors.bookings_visible_to(user).filter(
            machine=machine, status=Booking.Status.BOOKED, ends_at__gt=timezone.now()
        )[:20],
    }
    return render(request, "frontend/workbench/fablab/machine.html", context, status=status)


@workbench_view
@require_http_methods(["GET", "HEAD"])
def bookings(request):
    user = request.user
    now = timezone.now()
    visible = selectors.bookings_visible_to(user)
    upcoming = list(visible.filter(status=Booking.Status.BOOKED, ends_at__gt=now))
    lab_staff = can_keep_shared_store(user)
    for booking in upcoming:
        booking.may_change = can_change(booking, user, lab_staff=lab_staff)
        booking.length = duration_in_words(booking.minutes)
        booking.cost = selectors.booking_cost(booking)
        booking.started = booking.starts_at <= now
    earlier = visible.exclude(pk__in=[b.pk for b in upcoming]).order_by("-starts_at", "-pk")[:20]
    return render(
        request,
        "frontend/workbench/fablab/bookings.html",
        {"section": "machines", "upcoming": upcoming, "earlier": earlier},
    )


def _booking_or_404(user, pk: int) -> Booking:
    booking = selectors.bookings_visible_to(user).filter(pk=pk).first()
    if booking is None:
        raise Http404("No such booking.")
    return booking


@workbench_view
@require_POST
def booking_cancel_view(request, pk):
    booking = _booking_or_404(request.user, pk)
    try:
        booking_cancel(booking=booking, by=request.user)
    except DomainError as error:
        messages.error(request, error.detail)
    else:
        messages.success(request, f"Cancelled: {_when(booking)} on {booking.machine.name}.")
    return redirect("workbench:bookings")


@workbench_view
@require_http_methods(["GET", "HEAD", "POST"])
def booking_move_view(request, pk):
    booking = _booking_or_404(request.user, pk)
    local_start, local_end = (timezone.localtime(t) for t in (booking.starts_at, booking.ends_at))
    initial = {"date": local_start.date(), "start": local_start.time(), "end": local_end.time()}
    data = request.POST if request.method == "POST" else None
    form = BookingTimesForm(data, initial=initial)
    status = 200
    if data is not None:
        status = 400
        if form.is_valid():
            moved, status = _run(
                form, lambda: booking_move(booking=booking, by=request.user, **form.times())
            )
            if moved:
                messages.success(request, f"Moved to {_when(moved)} on {booking.machine.name}.")
                return redirect("workbench:bookings")
    return render(
        request,
        "frontend/workbench/fablab/booking_move.html",
        {"section": "machines", "booking": booking, "form": form},
        status=status,
    )


def _run(form, operation, *, field_of: dict[str, str] = FIELD_OF):
    """Call the service; put what it refuses on the form. Returns (result, status)."""
    try:
        return operation(), 200
    except ValidationError as error:
        for field, found in error.message_dict.items():
            name = field_of.get(field, field)
            form.add_error(name if name in form.fields else None, found)
        return None, 400
    except DomainError as error:
        form.add_error(None, error.detail)
        return None, error.status_code


def _when(booking: Booking) -> str:
    start, end = timezone.localtime(booking.starts_at), timezone.localtime(booking.ends_at)
    return f"{start:%A, %B} {start.day}, {clock(start.time())}–{clock(end.time())}"
