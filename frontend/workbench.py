"""The co-op workbench: the job board, stock, the shared store, usage and webhook deliveries.

Views only read through the apps' selectors and write through their services;
whether a move is allowed is always the service's answer, shown to the user as
it gave it.
"""

import datetime
import re
from collections import defaultdict
from decimal import Decimal
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from backend.errors import DomainError
from backend.money import format_quantity, to_money
from catalog.exceptions import InsufficientStock
from catalog.models import Material, Product
from catalog.permissions import is_network_member, may_draw_down, may_manage_location
from catalog.selectors import (
    balances_visible_to,
    material_list,
    materials_below_reorder,
    materials_usage,
    product_list,
)
from catalog.services.stock import stock_adjust_to_count, stock_draw_down, stock_receive
from frontend.charts import horizontal_bar_chart
from frontend.workbench_forms import CountForm, DeclineForm, DrawdownForm, ReceiptForm
from orders import selectors as order_selectors
from orders.models import Job
from orders.selectors import jobs_visible_to
from orders.services import (
    ALLOWED,
    VERBS,
    job_accept,
    job_decline,
    job_hand_over,
    job_ready,
    job_start,
)
from producers.models import Producer
from producers.permissions import is_fablab_staff, is_platform_staff, producer_ids_for
from producers.selectors import producer_list

J = Job.Status

# URL action -> (the service, its name in orders.services.ALLOWED, the button's text).
JOB_ACTIONS = {
    "accept": (job_accept, "accept", "Accept"),
    "decline": (job_decline, "decline", "Decline"),
    "start": (job_start, "start", "Start making"),
    "ready": (job_ready, "ready", "Mark ready"),
    "hand-over": (job_hand_over, "hand_over", "Hand over"),
}

BOARD_GROUPS = [
    (J.ROUTED, "Waiting for you", "Nothing is waiting for an answer."),
    (J.ACCEPTED, "Accepted", "No accepted jobs waiting to be started."),
    (J.IN_PRODUCTION, "Being made", "Nothing is being made right now."),
    (J.READY, "Ready", "Nothing is waiting for pickup or delivery."),
    (J.HANDED_OVER, "Handed over recently", "Nothing handed over in the last two weeks."),
]
# How long a handed-over job stays on the board, so the crew sees what went out.
RECENTLY = datetime.timedelta(days=14)
# A ready-made product is flagged when this few or fewer are left to sell.
LOW_GOODS = Decimal("2")
DELIVERY_LOG_SIZE = 50
MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")


def workbench_view(view):
    """Signed in, and a member of some producer (or platform staff); others see why not."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_network_member(request.user):
            return render(request, "frontend/workbench/forbidden.html", status=403)
        return view(request, *args, **kwargs)

    return login_required(wrapper)


def _my_producers(user) -> list[Producer]:
    """The producers whose work and stock the user looks after; every one for platform staff."""
    producers = producer_list()
    if not is_platform_staff(user):
        producers = producers.filter(pk__in=producer_ids_for(user))
    return list(producers)


# --- The job board ---------------------------------------------------------------------


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


def _board_context(request, *, failed: tuple[int, DeclineForm] | None = None) -> dict:
    jobs = list(_board_jobs(request.user))
    today = timezone.localdate()
    for job in jobs:
        job.buttons = [
            (slug, label)
            for slug, (_, name, label) in JOB_ACTIONS.items()
            if slug != "decline" and job.status in ALLOWED[name][0]
        ]
        job.can_decline = job.status in ALLOWED["decline"][0]
        if job.can_decline:
            job.decline_form = failed[1] if failed and failed[0] == job.pk else _decline_form(job)
        job.overdue = job.is_open and job.due_date < today
        job.live_lines = [line for line in job.lines.all() if not line.cancelled]
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
        "show_producer": is_platform_staff(request.user) or len(producer_ids_for(request.user)) > 1,
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
    if action == "decline":
        form = _decline_form(job, request.POST)
        if not form.is_valid():
            return _render_board(request, failed=(job.pk, form), status=400)
        extra["reason"] = form.cleaned_data["reason"]
    try:
        service(job=job, by=request.user, **extra)
    except DomainError as error:
        messages.error(request, f"Order {job.order.number}: {error.detail}")
    else:
        messages.success(
            request, f"Order {job.order.number} for {job.producer.name}: {VERBS[name]}."
        )
    if request.htmx:
        return _render_board(request)
    return redirect(f"{reverse('workbench:home')}#job-{job.pk}")


# --- Stock at a glance ---------------------------------------------------------------------


@workbench_view
@require_GET
def stock(request):
    user = request.user
    producers = _my_producers(user)
    ids = [producer.pk for producer in producers]
    products = (
        product_list(user=user)
        .filter(producer_id__in=ids, fulfilment=Product.Fulfilment.STOCK)
        .exclude(status=Product.Status.ARCHIVED)
        .order_by("title", "pk")
    )
    # Finished goods are shown with their products above, not again as shelf stock.
    balances = (
        balances_visible_to(user)
        .filter(location__producer_id__in=ids, location__shared=False)
        .exclude(material__category=Material.Category.FINISHED_GOODS)
        .order_by("location__name", "material__name", "pk")
    )
    goods_of, shelves_of = defaultdict(list), defaultdict(list)
    for product in products:
        product.low = product.stock_available <= LOW_GOODS
        goods_of[product.producer_id].append(product)
    for balance in balances:
        shelves_of[balance.location.producer_id].append(balance)
    sections = [
        {"producer": p, "products": goods_of[p.pk], "balances": shelves_of[p.pk]} for p in producers
    ]
    return render(
        request,
        "frontend/workbench/stock.html",
        {
            "section": "stock",
            "sections": sections,
            "low_materials": list(materials_below_reorder(material_list())),
        },
    )


# --- The shared store --------------------------------------------------------------------


def _may_record_store(user) -> bool:
    """Receipts and counts in the shared store are the Fab Lab's to record."""
    return is_platform_staff(user) or is_fablab_staff(user)


def _drawdown_form(user, data=None) -> DrawdownForm:
    own = producer_ids_for(user)
    initial = {"producer": next(iter(own))} if len(own) == 1 else {}
    return DrawdownForm(data, user=user, prefix="drawdown", initial=initial)


def _render_store(request, *, forms=None, status: int = 200):
    user = request.user
    may_record = _may_record_store(user)
    forms = forms or {}
    context = {
        "section": "store",
        "balances": balances_visible_to(user)
        .filter(location__shared=True)
        .order_by("material__name", "location__name", "pk"),
        "may_record": may_record,
        "drawdown_form": forms.get("drawdown") or _drawdown_form(user),
    }
    if may_record:
        context["receipt_form"] = forms.get("receipt") or ReceiptForm(user=user, prefix="receipt")
        context["count_form"] = forms.get("count") or CountForm(user=user, prefix="count")
    return render(request, "frontend/workbench/store.html", context, status=status)


@workbench_view
@require_GET
def store(request):
    return _render_store(request)


def _left(movement) -> str:
    free = movement.on_hand_after - movement.reserved_after
    return f"{format_quantity(free)} {movement.material.unit}"


def _run(form, operation) -> tuple[object | None, int]:
    """Call the service; put what it refuses next to the fields. Returns (result, status)."""
    try:
        return operation(), 200
    except InsufficientStock as error:
        form.add_error("quantity", error.detail)
    except DomainError as error:
        form.add_error("quantity" if "quantity" in form.fields else None, error.detail)
    except ValidationError as error:
        form.add_service_error(error)
        return None, 400
    return None, 409


@workbench_view
@require_POST
def store_drawdown(request):
    user = request.user
    form = _drawdown_form(user, request.POST)
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        if not may_draw_down(user, data["location"], data["producer"]):
            form.add_error("producer", "You may draw down for your own co-op only.")
        else:
            movement, status = _run(
                form,
                lambda: stock_draw_down(
                    material=data["material"],
                    location=data["location"],
                    quantity=data["quantity"],
                    by=user,
                    reason=data["reason"],
                    producer=data["producer"],
                ),
            )
            if status == 200:
                messages.success(
                    request,
                    f"Drew down {format_quantity(-movement.quantity)} {movement.material.unit} "
                    f"of {movement.material.name} for {data['producer'].name}. "
                    f"{_left(movement)} left free.",
                )
                return redirect("workbench:store")
    return _render_store(request, forms={"drawdown": form}, status=status)


def _store_record(request, *, form_class, prefix: str, operation, done):
    user = request.user
    if not _may_record_store(user):
        return render(request, "frontend/workbench/forbidden.html", {"store": True}, status=403)
    form = form_class(request.POST, user=user, prefix=prefix)
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        if not may_manage_location(user, data["location"]):
            form.add_error("location", "Only the Fab Lab records stock in its store.")
        else:
            result, status = _run(form, lambda: operation(user, data))
            if status == 200:
                messages.success(request, done(result, data))
                return redirect("workbench:store")
    return _render_store(request, forms={prefix: form}, status=status)


@workbench_view
@require_POST
def store_receipt(request):
    return _store_record(
        request,
        form_class=ReceiptForm,
        prefix="receipt",
        operation=lambda user, data: stock_receive(
            material=data["material"],
            location=data["location"],
            quantity=data["quantity"],
            by=user,
            reason=data["reason"],
        ),
        done=lambda movement, data: (
            f"Received {format_quantity(movement.quantity)} {movement.material.unit} of "
            f"{movement.material.name}. {_left(movement)} free now."
        ),
    )


@workbench_view
@require_POST
def store_count(request):
    return _store_record(
        request,
        form_class=CountForm,
        prefix="count",
        operation=lambda user, data: stock_adjust_to_count(
            material=data["material"],
            location=data["location"],
            counted=data["quantity"],
            by=user,
            reason=data["reason"],
        ),
        done=lambda movement, data: (
            f"The count of {data['material'].name} matched the books: nothing to change."
            if movement is None
            else f"Count recorded: {data['material'].name} changed by "
            f"{format_quantity(movement.quantity)} {movement.material.unit} to "
            f"{format_quantity(movement.on_hand_after)} on the shelf."
        ),
    )


# --- Materials usage report -----------------------------------------------------------------


def _month(value: str | None) -> tuple[datetime.date, str]:
    """The month asked for (`YYYY-MM`), or this month and what was wrong with the request."""
    this_month = timezone.localdate().replace(day=1)
    if not value:
        return this_month, ""
    match = MONTH_PATTERN.match(value)
    if match:
        try:
            return datetime.date(int(match[1]), int(match[2]), 1), ""
        except ValueError:
            pass
    return this_month, "Months are written like 2025-04; showing this month instead."


def _dollars(value: Decimal) -> str:
    return f"${to_money(value):,}"


@workbench_view
@require_GET
def report(request):
    month, month_error = _month(request.GET.get("month"))
    rows = materials_usage(month=month, user=request.user)
    per_producer: dict[str, Decimal] = {}
    for row in rows:
        name = row["producer__name"]
        per_producer[name] = per_producer.get(name, Decimal("0")) + row["cost"]
    bars = sorted(per_producer.items(), key=lambda item: (-item[1], item[0]))
    label = month.strftime("%B %Y")
    chart = horizontal_bar_chart(
        title=f"Cost of materials used per co-op, {label}",
        bars=bars,
        value_label=_dollars,
        chart_id="usage-chart",
    )
    previous = (month - datetime.timedelta(days=1)).replace(day=1)
    following = (month + datetime.timedelta(days=32)).replace(day=1)
    this_month = timezone.localdate().replace(day=1)
    return render(
        request,
        "frontend/workbench/report.html",
        {
            "section": "report",
            "month": month,
            "month_label": label,
            "month_error": month_error,
            "rows": rows,
            "totals": [(name, _dollars(cost)) for name, cost in bars],
            "total": _dollars(sum(per_producer.values(), Decimal("0"))),
            "chart": chart,
            "previous": previous,
            "following": following if following <= this_month else None,
            "this_month": this_month if month != this_month else None,
        },
    )


# --- Webhook deliveries -------------------------------------------------------------------


def _deliveries_of(user):
    """The latest webhook deliveries to the user's producers, with every attempt."""
    producer_ids = None if is_platform_staff(user) else producer_ids_for(user)
    return order_selectors.deliveries_for(producer_ids=producer_ids)[:DELIVERY_LOG_SIZE]


@workbench_view
@require_GET
def deliveries(request):
    rows = list(_deliveries_of(request.user))
    for delivery in rows:
        attempts = list(delivery.attempt_log.all())
        delivery.last_attempt = attempts[-1] if attempts else None
    return render(
        request,
        "frontend/workbench/deliveries.html",
        {
            "section": "deliveries",
            "deliveries": rows,
            "show_producer": is_platform_staff(request.user)
            or len(producer_ids_for(request.user)) > 1,
        },
    )
