"""A co-op's ledger: every movement on its shelves and its draw-downs from the shared
store, filtered and paged, as a CSV download; and moving stock between shelves."""

import csv
import datetime

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from backend.errors import DomainError
from backend.money import format_quantity
from catalog.models import Material, StockMovement
from catalog.permissions import may_transfer
from catalog.selectors import locations_visible_to, movements_visible_to
from catalog.services.stock import stock_transfer
from frontend.workbench.common import coop_context, coop_view
from frontend.workbench.forms import MaterialChoiceField, _Form, _quantity_field
from orders.exports import spreadsheet_safe

PER_PAGE = 50
# A download holds at most this many rows; narrow the filters for more.
MAX_CSV_ROWS = 100_000


def _materials(producer):
    """Materials that moved on the co-op's shelves or were drawn down for it."""
    moved = StockMovement.objects.filter(Q(location__producer=producer) | Q(producer=producer))
    return Material.objects.filter(pk__in=moved.values("material_id")).order_by("name", "pk")


def _locations(user, producer):
    """The co-op's own shelves and the shared store's."""
    return (
        locations_visible_to(user)
        .filter(Q(producer=producer) | Q(shared=True))
        .order_by("shared", "name", "pk")
    )


class LedgerFilterForm(_Form):
    material = MaterialChoiceField(queryset=None, required=False, empty_label="Every material")
    location = forms.ModelChoiceField(queryset=None, required=False, empty_label="Every shelf")
    kind = forms.ChoiceField(required=False, label="What happened")
    month = forms.CharField(
        required=False,
        label="Month",
        help_text="For example 2026-11.",
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM"}),
    )

    def __init__(self, *args, user, producer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["material"].queryset = _materials(producer)
        self.fields["location"].queryset = _locations(user, producer)
        self.fields["kind"].choices = [("", "Every kind"), *StockMovement.Kind.choices]

    def clean_month(self) -> datetime.date | None:
        text = self.cleaned_data["month"].strip()
        if not text:
            return None
        year, _, month = text.partition("-")
        try:
            if not 2000 <= int(year) <= 2999:
                raise ValueError(year)
            return datetime.date(int(year), int(month), 1)
        except ValueError:
            raise ValidationError(
                "Give the month as year and month, for example 2026-11."
            ) from None


class TransferForm(_Form):
    material = MaterialChoiceField(queryset=None, label="Material", empty_label="Choose…")
    source = forms.ModelChoiceField(queryset=None, label="From shelf", empty_label="Choose…")
    destination = forms.ModelChoiceField(queryset=None, label="To shelf", empty_label="Choose…")
    quantity = _quantity_field("Quantity")
    reason = forms.CharField(label="Why", max_length=240, initial="Moved between shelves")

    def __init__(self, *args, user, producer, **kwargs):
        super().__init__(*args, prefix="transfer", **kwargs)
        self.fields["material"].queryset = Material.objects.filter(active=True).order_by(
            "name", "pk"
        )
        for name in ("source", "destination"):
            self.fields[name].queryset = _locations(user, producer)


def _movements(request, producer, form: LedgerFilterForm):
    rows = movements_visible_to(request.user).filter(
        Q(location__producer=producer) | Q(producer=producer)
    )
    data = form.cleaned_data if form.is_valid() else {}
    if data.get("material"):
        rows = rows.filter(material=data["material"])
    if data.get("location"):
        rows = rows.filter(location=data["location"])
    if data.get("kind"):
        rows = rows.filter(kind=data["kind"])
    if data.get("month"):
        start = data["month"]
        end = (start + datetime.timedelta(days=32)).replace(day=1)
        zone = timezone.get_current_timezone()
        rows = rows.filter(
            created_at__gte=datetime.datetime.combine(start, datetime.time(), zone),
            created_at__lt=datetime.datetime.combine(end, datetime.time(), zone),
        )
    return rows.order_by("-created_at", "-pk")


def _filter_form(request, producer) -> LedgerFilterForm:
    return LedgerFilterForm(request.GET or None, user=request.user, producer=producer)


def _render(request, producer, *, transfer_form=None, status: int = 200):
    form = _filter_form(request, producer)
    if form.is_bound and not form.is_valid():
        status = 400
    page = Paginator(_movements(request, producer, form), PER_PAGE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = coop_context(
        request,
        producer,
        "ledger",
        filter_form=form,
        page=page,
        query=query.urlencode(),
        transfer_form=transfer_form or TransferForm(user=request.user, producer=producer),
    )
    return render(request, "frontend/workbench/coop_ledger.html", context, status=status)


@coop_view
@require_GET
def ledger(request, producer):
    return _render(request, producer)


CSV_COLUMNS = [
    "at",
    "material",
    "sku",
    "location",
    "kind",
    "quantity",
    "on_hand_after",
    "reserved_after",
    "for",
    "by",
    "reason",
    "reference",
]


class _Echo:
    def write(self, value):
        return value


def _csv_lines(rows):
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_COLUMNS)
    for m in rows.iterator(chunk_size=2000):
        yield writer.writerow(
            [
                spreadsheet_safe(value)
                for value in (
                    timezone.localtime(m.created_at),
                    m.material.name,
                    m.material.sku,
                    m.location.code,
                    m.get_kind_display(),
                    m.quantity,
                    m.on_hand_after,
                    m.reserved_after,
                    m.shown_producer,
                    m.shown_by,
                    m.shown_reason,
                    m.shown_reference,
                )
            ]
        )


@coop_view
@require_GET
def ledger_csv(request, producer):
    form = _filter_form(request, producer)
    if form.is_bound and not form.is_valid():
        return _render(request, producer, status=400)
    rows = _movements(request, producer, form)[:MAX_CSV_ROWS]
    response = StreamingHttpResponse(_csv_lines(rows), content_type="text/csv; charset=utf-8")
    name = f"{producer.slug}-ledger-{timezone.localdate():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@coop_view
@require_POST
def ledger_transfer(request, producer):
    user = request.user
    form = TransferForm(request.POST, user=user, producer=producer)
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        source, destination = data["source"], data["destination"]
        if not may_transfer(user, source, destination):
            field = "destination" if may_transfer(user, source, source) else "source"
            form.add_error(field, "Your co-op may not move stock on that shelf.")
        else:
            try:
                out, _ = stock_transfer(
                    material=data["material"],
                    source=source,
                    destination=destination,
                    quantity=data["quantity"],
                    by=user,
                    reason=data["reason"],
                    producer=producer,
                )
            except ValidationError as error:
                form.add_service_error(error)
            except DomainError as error:
                form.add_error("quantity", error.detail)
                status = 409
            else:
                messages.success(
                    request,
                    f"Moved {format_quantity(-out.quantity)} {out.material.unit} of "
                    f"{out.material.name} from {source.name} to {destination.name}.",
                )
                return redirect("workbench:coop-ledger", producer.slug)
    return _render(request, producer, transfer_form=form, status=status)
