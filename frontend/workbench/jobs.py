"""The job board: open jobs by status, and the buttons that move them on."""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from backend.errors import DomainError
from catalog.models import Material, Product
from fablab.selectors import certified_people
from frontend.workbench.common import shows_producer, workbench_view
from frontend.workbench.forms import DeclineForm, HandOverForm
from orders.design_links import design_links_for_jobs
from orders.models import Job
from orders.selectors import job_payment_status, jobs_visible_to
from orders.services import (
    ALLOWED,
    VERBS,
    CounterPaymentInput,
    job_accept,
    job_decline,
    job_hand_over,
    job_no_show,
    job_ready,
    job_start,
    takes_payment_at_counter,
)

J = Job.Status

# URL action -> (the service, its name in orders.services.ALLOWED, the button's text).
JOB_ACTIONS = {
    "accept": (job_accept, "accept", "Accept"),
    "decline": (job_decline, "decline", "Decline"),
    "start": (job_start, "start", "Start making"),
    "ready": (job_ready, "ready", "Mark ready"),
    "hand-over": (job_hand_over, "hand_over", "Hand over"),
    "no-show": (job_no_show, "no_show", "Not collected"),
}
# Actions that ask first: they sit behind their own confirm step, not with the buttons.
CONFIRMED = ("decline", "no-show")

BOARD_GROUPS = [
    (J.ROUTED, "Waiting for you", "Nothing is waiting for an answer."),
    (J.ACCEPTED, "Accepted", "No accepted jobs waiting to be started."),
    (J.IN_PRODUCTION, "Being made", "Nothing is being made right now."),
    (J.READY, "Ready", "Nothing is waiting for pickup or delivery."),
    (J.HANDED_OVER, "Handed over recently", "Nothing handed over in the last two weeks."),
]
# How long a handed-over job stays on the board, so the crew sees what went out.
RECENTLY = datetime.timedelta(days=14)


def _board_jobs(user):
    """Open jobs and the recently handed over, earliest due first.

    Only dispatched jobs: an order that is not yet paid is not work for anyone,
    and the selector leaves them in for platform staff.
    """
    recent = Q(status=J.HANDED_OVER, updated_at__gte=timezone.now() - RECENTLY)
    return (
        jobs_visible_to(user)
        .filter(dispatched=True)
        .filter(Q(status__in=Job.OPEN_STATUSES) | recent)
        .order_by("due_date", "pk")
    )


def _decline_form(job: Job, data=None) -> DeclineForm:
    return DeclineForm(data, auto_id=f"job-{job.pk}-%s")


def _hand_over_form(job: Job, data=None) -> HandOverForm:
    """Pre-filled with the part's whole total: what the customer owes at the counter."""
    return HandOverForm(data, auto_id=f"job-{job.pk}-handover-%s", initial={"amount": job.total})


# Jobs whose start is still ahead: the board says who can start them.
NOT_STARTED = {Job.Status.ROUTED, Job.Status.ACCEPTED}


def _needs(jobs: list[Job]) -> dict[int, list[tuple]]:
    """For each job not started yet: the capabilities its goods need and who at its co-op is
    certified for each today (an empty list: nobody, so it cannot start). Two queries."""
    waiting = [job for job in jobs if job.status in NOT_STARTED]
    product_ids = {line.product_id for job in waiting for line in job.lines.all()}
    if not product_ids:
        return {}
    capabilities: dict[int, list] = {}
    rows = Product.required_capabilities.through.objects.filter(product_id__in=product_ids)
    for row in rows.select_related("capability"):
        capabilities.setdefault(row.product_id, []).append(row.capability)
    if not capabilities:
        return {}
    people = certified_people(
        {job.producer_id for job in waiting},
        {c.pk for found in capabilities.values() for c in found},
    )
    needs = {}
    for job in waiting:
        needed = {
            c.pk: c
            for line in job.lines.all()
            if not line.cancelled
            for c in capabilities.get(line.product_id, [])
        }
        if needed:
            needs[job.pk] = [
                (c, people.get((job.producer_id, c.pk), []))
                for c in sorted(needed.values(), key=lambda c: c.name)
            ]
    return needs


def _board_context(
    request, *, failed: tuple[int, DeclineForm | HandOverForm] | None = None
) -> dict:
    jobs = list(_board_jobs(request.user))
    today = timezone.localdate()
    failed_form = failed[1] if failed else None
    # Made fresh at each view: a link works for DESIGN_LINK_MAX_AGE_HOURS, for this co-op.
    designs = design_links_for_jobs(jobs)
    needs = _needs(jobs)
    for job in jobs:
        again = failed_form if failed and failed[0] == job.pk else None
        job.money = job_payment_status(job)
        # At the counter, handing over means taking the money: a form, not a bare button.
        job.collects = (
            takes_payment_at_counter(job)
            and job.status in ALLOWED["hand_over"][0]
            and not job.order.pickup_point_id
        )
        job.buttons = [
            (slug, label)
            for slug, (_, name, label) in JOB_ACTIONS.items()
            if slug not in CONFIRMED
            and job.status in ALLOWED[name][0]
            and not (slug == "hand-over" and job.collects)
            # A part for a pickup point is handed over there, by the point's keepers.
            and not (slug == "hand-over" and job.order.pickup_point_id)
        ]
        if job.collects:
            job.hand_over_form = again if isinstance(again, HandOverForm) else _hand_over_form(job)
        job.can_decline = job.status in ALLOWED["decline"][0]
        job.can_no_show = job.status in ALLOWED["no_show"][0]
        if job.can_decline:
            job.decline_form = again if isinstance(again, DeclineForm) else _decline_form(job)
        job.overdue = job.is_open and job.due_date < today
        job.live_lines = [line for line in job.lines.all() if not line.cancelled]
        job.needs = needs.get(job.pk, [])
        job.design_links = [
            (line.title, designs[job.pk][line.product_id])
            for line in job.live_lines
            if line.product_id in designs.get(job.pk, {})
        ]
        # Ready-made goods held for the job are already listed as its items.
        job.held = [
            a
            for a in job.allocations.all()
            if a.state == a.State.HELD and a.material.category != Material.Category.FINISHED_GOODS
        ]
    groups = [
        {
            "status": status,
            "title": title,
            "empty": empty,
            "jobs": [job for job in jobs if job.status == status],
        }
        for status, title, empty in BOARD_GROUPS
    ]
    return {
        "section": "home",
        "jobs": jobs,
        "groups": groups,
        "today": today,
        "show_producer": shows_producer(request.user),
        "failed_job": failed[0] if failed else None,
    }


def _render_board(request, *, failed=None, status: int = 200):
    context = _board_context(request, failed=failed)
    if request.htmx:
        # htmx swaps only 2xx answers; the errors are in the markup either way.
        return render(request, "frontend/workbench/home.html#board", context)
    return render(request, "frontend/workbench/home.html", context, status=status)


@workbench_view
@require_GET
def home(request):
    return _render_board(request)


@workbench_view
@require_POST
def job_action(request, pk: int, action: str):
    if action not in JOB_ACTIONS:
        raise Http404("No such action.")
    # The card's related rows are not needed to act on the job.
    visible = jobs_visible_to(request.user).filter(dispatched=True).prefetch_related(None)
    job = get_object_or_404(visible, pk=pk)
    service, name, _ = JOB_ACTIONS[action]
    extra = {}
    form = None
    if action == "decline":
        form = _decline_form(job, request.POST)
        if not form.is_valid():
            return _render_board(request, failed=(job.pk, form), status=400)
        extra["reason"] = form.cleaned_data["reason"]
    elif action == "hand-over" and takes_payment_at_counter(job):
        form = _hand_over_form(job, request.POST)
        if not form.is_valid():
            return _render_board(request, failed=(job.pk, form), status=400)
        extra["payment"] = CounterPaymentInput(**form.cleaned_data)
    try:
        service(job=job, by=request.user, **extra)
    except ValidationError as error:
        # The service checks what it is given, whatever the form let through.
        if form is None:
            raise
        form.add_service_error(error)
        return _render_board(request, failed=(job.pk, form), status=400)
    except DomainError as error:
        messages.error(request, f"Order {job.order.number}: {error.detail}")
    else:
        taken = extra.get("payment")
        note = f" Taken: ${taken.amount:,.2f} ({_method_words(form)})." if taken else ""
        messages.success(
            request, f"Order {job.order.number} for {job.producer.name}: {VERBS[name]}.{note}"
        )
    if request.htmx:
        return _render_board(request)
    return redirect(f"{reverse('workbench:home')}#job-{job.pk}")


def _method_words(form: HandOverForm) -> str:
    return dict(form.fields["method"].choices)[form.cleaned_data["method"]].lower()
