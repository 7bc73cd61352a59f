"""The shared store: its shelves, drawdowns by any co-op, receipts and counts by the Fab Lab."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from backend.errors import DomainError
from backend.money import format_quantity
from catalog.exceptions import InsufficientStock
from catalog.permissions import may_draw_down, may_manage_location
from catalog.selectors import balances_visible_to
from catalog.services.stock import stock_adjust_to_count, stock_draw_down, stock_receive
from frontend.workbench.common import workbench_view
from frontend.workbench.forms import CountForm, DrawdownForm, ReceiptForm
from producers.permissions import can_keep_shared_store, producer_ids_for


def _drawdown_form(user, data=None) -> DrawdownForm:
    own = producer_ids_for(user)
    initial = {"producer": next(iter(own))} if len(own) == 1 else {}
    return DrawdownForm(data, user=user, prefix="drawdown", initial=initial)


def _render_store(request, *, forms=None, status: int = 200):
    user = request.user
    # Receipts and counts in the shared store are the Fab Lab's to record.
    may_record = can_keep_shared_store(user)
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
    if not can_keep_shared_store(user):
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
