"""Reads for choosing options and personal text: what the product page and the cart show."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F, Sum

from catalog.models import (
    WIDE_QTY,
    OptionValue,
    PersonalisationField,
    Product,
    ProductOption,
    StockBalance,
    Variant,
)

ZERO = Decimal("0")


@dataclass
class OptionRow:
    option: ProductOption
    values: list[OptionValue]
    # Only for a ready-made product with this one option: value id → free to sell.
    available: dict[int, Decimal] = field(default_factory=dict)


@dataclass
class Chooser:
    options: list[OptionRow]
    fields: list[PersonalisationField]

    def __bool__(self) -> bool:
        return bool(self.options or self.fields)


def variants_available(variant_ids) -> dict[int, Decimal]:
    """Free to sell of each variant, over all the producer's shelves (one query)."""
    rows = (
        StockBalance.objects.filter(material__variant__in=list(variant_ids))
        .order_by()
        .values("material__variant")
        .annotate(free=Sum(F("on_hand") - F("reserved"), output_field=WIDE_QTY))
    )
    return {row["material__variant"]: row["free"] for row in rows}


def product_chooser(product: Product) -> Chooser:
    """A product's options (with values) and personal texts, in their order; three queries, or
    four for ready-made goods with one option (then each value says how many are free)."""
    options = list(
        ProductOption.objects.filter(product=product)
        .prefetch_related("values")
        .order_by("position", "id")
    )
    rows = [OptionRow(option, list(option.values.all())) for option in options]
    fields = list(PersonalisationField.objects.filter(product=product))
    if len(rows) == 1 and not product.made_to_order:
        variants = Variant.objects.filter(product=product, active=True).values_list("pk", "key")
        by_key = dict(variants)
        free = variants_available(by_key)
        rows[0].available = {
            value.pk: free.get(pk, ZERO)
            for value in rows[0].values
            for pk, key in by_key.items()
            if key == str(value.pk)
        }
    return Chooser(options=rows, fields=fields)
