"""What a resident chooses on a product: options (size, colour) and personal text.

A `stock` product with options keeps one finished-goods count per combination
(`Variant.stock_item`), in the same ledger as every other stock.
"""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from catalog.models.stock import Material

# A price difference is at most this much either way: a typo, not a product.
MAX_PRICE_DELTA = Decimal("10000")
# The most a personal text may ever be set to take.
MAX_PERSONAL_TEXT = 200


class ProductOption(models.Model):
    """One choice a product offers, e.g. "Size"."""

    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="options")
    name = models.CharField(max_length=40)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["product", "name"], name="option_name_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.product}: {self.name}"


class OptionValue(models.Model):
    """One answer to an option, e.g. "XL", with what it adds to (or takes off) the price."""

    option = models.ForeignKey(ProductOption, on_delete=models.CASCADE, related_name="values")
    label = models.CharField(max_length=40)
    price_delta = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(-MAX_PRICE_DELTA), MaxValueValidator(MAX_PRICE_DELTA)],
        help_text="Added to the product's price (negative to take off).",
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["option", "label"], name="option_value_label_unique"),
            models.CheckConstraint(
                condition=Q(price_delta__gte=-MAX_PRICE_DELTA, price_delta__lte=MAX_PRICE_DELTA),
                name="option_value_price_delta_plausible",
            ),
        ]

    def __str__(self) -> str:
        return self.label


class Variant(models.Model):
    """One combination of a ready-made product's option values, with its own stock count.

    `key` is the sorted ids of its values joined by dashes ("12-31"): one row per
    combination, found without a join.
    """

    product = models.ForeignKey(
        "catalog.Product", on_delete=models.CASCADE, related_name="variants"
    )
    key = models.CharField(max_length=200)
    label = models.CharField(max_length=200, help_text="e.g. “Size: M”.")
    values = models.ManyToManyField(OptionValue, related_name="variants")
    stock_item = models.OneToOneField(
        Material, on_delete=models.PROTECT, editable=False, related_name="variant"
    )
    # False once its combination is no longer offered: its history stays.
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["product", "id"]
        constraints = [
            models.UniqueConstraint(fields=["product", "key"], name="variant_key_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.product}: {self.label}"


def variant_key(value_ids) -> str:
    return "-".join(str(pk) for pk in sorted(value_ids))


class PersonalisationField(models.Model):
    """Text a resident types for their piece, e.g. "Name to embroider", up to 30 characters."""

    product = models.ForeignKey(
        "catalog.Product", on_delete=models.CASCADE, related_name="personal_fields"
    )
    label = models.CharField(max_length=60)
    max_length = models.PositiveSmallIntegerField(
        default=30, validators=[MinValueValidator(1), MaxValueValidator(MAX_PERSONAL_TEXT)]
    )
    required = models.BooleanField(default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["product", "label"], name="personal_field_unique"),
            models.CheckConstraint(
                condition=Q(max_length__gte=1, max_length__lte=MAX_PERSONAL_TEXT),
                name="personal_field_max_length_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product}: {self.label}"
