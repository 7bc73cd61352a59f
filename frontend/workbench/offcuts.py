"""Offcuts: the pieces left on the racks. Search them, record one, use one, throw one away."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from backend.errors import DomainError
from backend.money import format_money, format_quantity
from catalog import offcut_selectors
from catalog.models import Offcut
from catalog.permissions import may_draw_down, may_manage_location
from catalog.services import offcuts as services
from frontend.workbench.common import workbench_view
from frontend.workbench.offcut_forms import (
    OffcutDiscardForm,
    OffcutDrawDownForm,
    OffcutRecordForm,
    OffcutSearchForm,
)
from producers.permissions import producer_ids_for

SHOWN = 100  # pieces on one page: a rack holds far fewer


def _draw_down_form(user, offcut, data=None) -> OffcutDrawDownForm:
    own = producer_ids_for(user)
    initial = {"producer": next(iter(own))} if len(own) == 1 else {}
    if not offcut.location.shared:
        initial = {"producer": offcut.location.producer_id}
    return OffcutDrawDownForm(data, user=user, prefix=f"use-{offcut.pk}", initial=initial)


def _render(request, *, record_form=None, piece_forms=None, status: int = 200):
    user = request.user
    search = OffcutSearchForm(request.GET or None)
    filters = search.cleaned_data if search.is_valid() else {}
    found = offcut_selectors.offcut_search(user=user, **filters)
    count = found.count()
    pieces = list(found[:SHOWN])
    piece_forms = piece_forms or {}
    for piece in pieces:
        piece.may_discard = may_manage_location(user, piece.location)
        forms = piece_forms.get(piece.pk, {})
        piece.use_form = forms.get("use") or _draw_down_form(user, piece)
        piece.discard_form = forms.get("discard") or OffcutDiscardForm(prefix=f"discard-{piece.pk}")
        piece.open = bool(forms)
    context = {
        "section": "offcuts",
        "search": search,
        "searched": bool(filters and any(filters.values())),
        "pieces": pieces,
        "count": count,
        "more": count > SHOWN,
        "record_form": record_form or OffcutRecordForm(user=user, prefix="record"),
    }
    return render(request, "frontend/workbench/offcuts.html", context, status=status)


@workbench_view
@require_GET
def offcuts(request):
    return _render(request)


def _run(form, call) -> tuple[object | None, int]:
    """Call the service; put what it refuses next to the fields. Returns (result, status)."""
    try:
        return call(), 200
    except ValidationError as error:
        form.add_service_error(error)
        return None, 400
    except DomainError as error:
        form.add_error(None, error.detail)
        return None, 409


@workbench_view
@require_POST
def offcut_record(request):
    user = request.user
    form = OffcutRecordForm(request.POST, user=user, prefix="record")
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        location = data["location"]
        if not (location.shared or may_manage_location(user, location)):
            form.add_error("location", "Record offcuts on your own shelves or the shared racks.")
        else:
            piece, status = _run(form, lambda: services.offcut_record(by=user, **form.cleaned_data))
            if status == 200:
                messages.success(
                    request,
                    f"Offcut #{piece.pk} recorded: {piece.size_label} of {piece.material.name}, "
                    f"kept at {piece.kept_at}.",
                )
                return redirect("workbench:offcuts")
    return _render(request, record_form=form, status=status)


def _piece(request, pk: int) -> Offcut:
    visible = Offcut.objects.visible_to(request.user).select_related(
        "material", "location__producer"
    )
    return get_object_or_404(visible, pk=pk)


@workbench_view
@require_POST
def offcut_draw_down(request, pk: int):
    user = request.user
    piece = _piece(request, pk)
    form = _draw_down_form(user, piece, request.POST)
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        if not may_draw_down(user, piece.location, data["producer"]):
            form.add_error("producer", "You may draw down for your own co-op only.")
        else:
            used, status = _run(
                form,
                lambda: services.offcut_draw_down(
                    offcut=piece,
                    by=user,
                    reason=data["reason"],
                    producer=data["producer"],
                    quantity=data["quantity"],
                ),
            )
            if status == 200:
                left = (
                    f" {used.size_label} left on the rack."
                    if used.status == Offcut.Status.AVAILABLE
                    else ""
                )
                messages.success(
                    request, f"Offcut #{used.pk} drawn down for {data['producer'].name}.{left}"
                )
                return redirect("workbench:offcuts")
    return _render(request, piece_forms={pk: {"use": form}}, status=status)


@workbench_view
@require_POST
def offcut_discard(request, pk: int):
    user = request.user
    piece = _piece(request, pk)
    form = OffcutDiscardForm(request.POST, prefix=f"discard-{pk}")
    status = 400
    if not may_manage_location(user, piece.location):
        form.add_error(
            None,
            "Only the shelf's keepers throw offcuts away: ask the Fab Lab for the shared racks.",
        )
        status = 403
    elif form.is_valid():
        gone, status = _run(
            form,
            lambda: services.offcut_discard(
                offcut=piece, reason=form.cleaned_data["reason"], by=user
            ),
        )
        if status == 200:
            messages.success(
                request,
                f"Offcut #{gone.pk} discarded ({format_quantity(gone.quantity)} "
                f"{gone.material.unit}, {format_money(gone.value)}).",
            )
            return redirect("workbench:offcuts")
    return _render(request, piece_forms={pk: {"discard": form}}, status=status)
