"""A co-op's finished goods: what is on hand, held for orders and free, made and counted."""

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from backend.errors import DomainError
from backend.money import format_quantity
from catalog.models import Product, StockBalance, Variant
from catalog.services.products import (
    product_set_low_stock_level,
    product_stock_count,
    product_stock_receive,
)
from frontend.workbench.common import coop_context, coop_view
from frontend.workbench.forms import _Form, _quantity_field

ZERO = Decimal("0")


class GoodsReceiveForm(_Form):
    quantity = _quantity_field("How many were made")
    reason = forms.CharField(label="Note", max_length=240, initial="Made in the shop")


class GoodsCountForm(_Form):
    # Named like the service's error key so that a bad count lands next to it.
    quantity = _quantity_field("Counted on the shelf")
    reason = forms.CharField(label="Note", max_length=240, initial="Shelf count")


class LowLevelForm(_Form):
    low_stock_level = forms.IntegerField(
        label="Flag as low at",
        min_value=0,
        max_value=100_000,
        help_text="When this many or fewer are free to sell.",
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


FORMS = {"receive": GoodsReceiveForm, "count": GoodsCountForm, "level": LowLevelForm}


def _goods(producer) -> list[Product]:
    products = list(
        Product.objects.filter(producer=producer, fulfilment=Product.Fulfilment.STOCK)
        .exclude(status=Product.Status.ARCHIVED)
        .order_by("title", "pk")
    )
    # Goods with options are counted per combination: their counts add up to the product's.
    owner = {p.stock_item_id: p.pk for p in products if p.stock_item_id}
    combinations = Variant.objects.filter(product__in=products, active=True)
    owner |= dict(combinations.values_list("stock_item_id", "product_id"))
    by_combination = set(combinations.values_list("product_id", flat=True))
    totals: dict[int, dict] = {}
    for row in (
        StockBalance.objects.filter(material_id__in=list(owner))
        .values("material_id")
        .annotate(on_hand=Sum("on_hand"), reserved=Sum("reserved"))
        .order_by()
    ):
        total = totals.setdefault(owner[row["material_id"]], {"on_hand": ZERO, "reserved": ZERO})
        total["on_hand"] += row["on_hand"]
        total["reserved"] += row["reserved"]
    for product in products:
        row = totals.get(product.pk, {})
        product.by_combination = product.pk in by_combination
        product.on_hand = row.get("on_hand") or ZERO
        product.reserved = row.get("reserved") or ZERO
        product.free = product.on_hand - product.reserved
        product.low = product.free <= product.low_stock_level
    return products


def _render(request, producer, *, bound=None, status: int = 200):
    """The page; `bound` is (product pk, form name, form) to show a refused form again."""
    products = _goods(producer)
    for product in products:
        product.forms = {}
        for name, form_class in FORMS.items():
            initial = {"low_stock_level": product.low_stock_level} if name == "level" else None
            product.forms[name] = form_class(prefix=f"{name}-{product.pk}", initial=initial)
        product.open = False
        if bound and bound[0] == product.pk:
            product.forms[bound[1]] = bound[2]
            product.open = True
    context = coop_context(
        request, producer, "goods", products=products, low_count=sum(p.low for p in products)
    )
    return render(request, "frontend/workbench/coop_goods.html", context, status=status)


@coop_view
@require_GET
def goods(request, producer):
    return _render(request, producer)


def _product(producer, pk: int) -> Product:
    return get_object_or_404(
        Product.objects.select_related("stock_item", "producer"),
        pk=pk,
        producer=producer,
        fulfilment=Product.Fulfilment.STOCK,
    )


def _post(request, producer, pk: int, name: str, operation, done):
    product = _product(producer, pk)
    form = FORMS[name](request.POST, prefix=f"{name}-{product.pk}")
    status = 400
    if form.is_valid():
        try:
            result = operation(product, form.cleaned_data)
        except ValidationError as error:
            form.add_service_error(error)
        except DomainError as error:
            form.add_error("quantity" if "quantity" in form.fields else None, error.detail)
            status = 409
        else:
            messages.success(request, done(product, result))
            return redirect("workbench:coop-goods", producer.slug)
    return _render(request, producer, bound=(product.pk, name, form), status=status)


def _free_now(product: Product) -> str:
    free = sum(
        (b.on_hand - b.reserved for b in StockBalance.objects.filter(material=product.stock_item)),
        ZERO,
    )
    return f"{format_quantity(free)} free to sell now."


@coop_view
@require_POST
def goods_receive(request, producer, pk: int):
    return _post(
        request,
        producer,
        pk,
        "receive",
        lambda product, data: product_stock_receive(
            product=product, quantity=data["quantity"], by=request.user, reason=data["reason"]
        ),
        lambda product, movement: (
            f"Received {format_quantity(movement.quantity)} {product.title}. {_free_now(product)}"
        ),
    )


@coop_view
@require_POST
def goods_count(request, producer, pk: int):
    return _post(
        request,
        producer,
        pk,
        "count",
        lambda product, data: product_stock_count(
            product=product, counted=data["quantity"], by=request.user, reason=data["reason"]
        ),
        lambda product, movement: (
            f"The count of {product.title} matched the books: nothing to change."
            if movement is None
            else f"Count recorded: {product.title} changed by "
            f"{format_quantity(movement.quantity)} to {format_quantity(movement.on_hand_after)} "
            f"on the shelf. {_free_now(product)}"
        ),
    )


@coop_view
@require_POST
def goods_level(request, producer, pk: int):
    return _post(
        request,
        producer,
        pk,
        "level",
        lambda product, data: product_set_low_stock_level(
            product=product, level=data["low_stock_level"]
        ),
        lambda product, _: (
            f"{product.title} is flagged as low at {product.low_stock_level} or fewer free."
        ),
    )
