"""Pickup points: what is due in from the co-ops, what has arrived, and handing orders over.

Only the point's keepers (members of its producer) and platform staff open it; to
everyone else in the network it is not found.
"""

from functools import wraps

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from backend.errors import DomainError
from frontend.workbench.common import workbench_view
from orders import selectors as order_selectors
from orders.models import Order
from orders.services import job_arrive_at_point, order_hand_over_at_point


def point_view(view):
    """A page of one pickup point, named by the `slug` in its URL, for its keepers."""

    @wraps(view)
    def wrapper(request, slug, *args, **kwargs):
        point = order_selectors.pickup_points_kept_by(request.user).filter(slug=slug).first()
        if point is None:
            raise Http404("No such pickup point.")
        return view(request, point, *args, **kwargs)

    return workbench_view(wrapper)


@workbench_view
@require_GET
def pickup_points(request):
    """Straight to the point the user keeps when there is one; a choice or an empty state."""
    points = list(order_selectors.pickup_points_kept_by(request.user))
    if len(points) == 1:
        return redirect("workbench:pickup-point", points[0].slug)
    return render(
        request,
        "frontend/workbench/pickup_points.html",
        {"section": "pickup", "points": points},
    )


def _orders(point) -> tuple[list[Order], list[Order]]:
    """(everything here, still waiting for parts), each order with its parts sorted."""
    complete, waiting = [], []
    for order in order_selectors.pickup_point_orders(point):
        order.parts = [job for job in order.jobs.all() if job.is_open]
        if not order.parts:
            continue
        order.due = [job for job in order.parts if job.arrived_at_point_at is None]
        (waiting if order.due else complete).append(order)
    return complete, waiting


def _render_point(request, point, *, status: int = 200):
    complete, waiting = _orders(point)
    context = {
        "section": "pickup",
        "point": point,
        "complete": complete,
        "waiting": waiting,
    }
    return render(request, "frontend/workbench/pickup_point.html", context, status=status)


@point_view
@require_GET
def pickup_point(request, point):
    return _render_point(request, point)


@point_view
@require_POST
def pickup_arrived(request, point, pk: int):
    """A co-op brought its part: mark it arrived (again changes nothing)."""
    orders = order_selectors.pickup_point_orders(point)
    order = get_object_or_404(orders, jobs__pk=pk, jobs__dispatched=True)
    job = order.jobs.get(pk=pk)
    try:
        job_arrive_at_point(job=job, by=request.user)
    except DomainError as error:
        messages.error(request, f"Order {order.number}, {job.producer.name}: {error.detail}")
        return _render_point(request, point, status=409)
    messages.success(request, f"Order {order.number}: the part from {job.producer.name} is here.")
    return redirect("workbench:pickup-point", point.slug)


@point_view
@require_POST
def pickup_hand_over(request, point, number: str):
    """The resident came: hand over every part of the order, job by job."""
    order = get_object_or_404(order_selectors.pickup_point_orders(point), number=number)
    try:
        order_hand_over_at_point(order=order, by=request.user, method=request.POST.get("method"))
    except DomainError as error:
        messages.error(request, f"Order {order.number}: {error.detail}")
        return _render_point(request, point, status=409)
    except ValidationError as error:
        messages.error(request, f"Order {order.number}: {' '.join(error.messages)}")
        return _render_point(request, point, status=400)
    messages.success(request, f"Order {order.number} handed over to {order.contact_name}.")
    return redirect("workbench:pickup-point", point.slug)
