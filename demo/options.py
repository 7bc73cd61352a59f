"""Options and personal text on two demo goods: the T-shirt's sizes, each counted on its own
shelf, and the embroidered tote's name."""

from decimal import Decimal

from catalog.models import Product
from catalog.services.options import FieldSpec, OptionSpec, product_options_set
from catalog.services.products import product_stock_receive

T_SHIRT = "Jackson Made T-shirt"
TOTE = "Custom embroidered tote"
# Size, price difference, opening count.
SIZES = [
    ("S", "0.00", 4),
    ("M", "0.00", 8),
    ("L", "0.00", 8),
    ("XL", "0.00", 6),
    ("2XL", "2.00", 3),
    ("3XL", "3.00", 1),
]


def seed_options(by) -> int:
    """Set them once; products that already have options are left alone. Returns how many."""
    done = 0
    shirt = Product.objects.filter(title=T_SHIRT).first()
    if shirt is not None and not shirt.options.exists():
        product_options_set(
            product=shirt,
            options=[OptionSpec("Size", [(size, Decimal(delta)) for size, delta, _ in SIZES])],
            fields=[],
        )
        variants = {v.label: v for v in shirt.variants.filter(active=True)}
        for size, _, count in SIZES:
            product_stock_receive(
                product=shirt,
                variant=variants[f"Size: {size}"],
                quantity=count,
                by=by,
                reason="Opening count",
            )
        done += 1
    tote = Product.objects.filter(title=TOTE).first()
    if tote is not None and not tote.personal_fields.exists():
        product_options_set(
            product=tote,
            options=[],
            fields=[FieldSpec("Name to embroider", max_length=30, required=True)],
        )
        done += 1
    return done
