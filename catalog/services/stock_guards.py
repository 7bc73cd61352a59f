"""What every change to a shelf must respect besides the balance itself.

A well-formed quantity, who may move the shared store's stock, and how much one
shelf can plausibly hold. Called by `catalog.services.stock` before and under its
locks; `clean_quantity` is also imported from there.
"""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError

from backend.money import format_quantity
from catalog.exceptions import ImplausibleQuantity, SharedStoreKeepersOnly
from catalog.models import MOST_ON_A_SHELF, Material, StockLocation
from producers.permissions import can_keep_shared_store

MAX_QUANTITY = MOST_ON_A_SHELF


def clean_quantity(material: Material, quantity, *, allow_zero: bool = False) -> Decimal:
    """A positive quantity with at most three decimal places; whole for `each`."""
    try:
        value = Decimal(str(quantity))
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({"quantity": "Enter a number."}) from None
    if not value.is_finite():
        raise ValidationError({"quantity": "Enter a number."})
    if value < 0 or (value == 0 and not allow_zero):
        raise ValidationError({"quantity": "Enter a quantity greater than zero."})
    if value > MAX_QUANTITY:
        raise ValidationError({"quantity": "That quantity is too large."})
    if value != value.quantize(Decimal("0.001")):
        raise ValidationError({"quantity": "Use at most three decimal places."})
    if material.whole_units_only and value != value.to_integral_value():
        raise ValidationError({"quantity": f"{material.name} is counted in whole units."})
    return value.quantize(Decimal("0.001"))


def require_keeper(by, *locations: StockLocation) -> None:
    """Stock enters, is counted in and moves through the shared store only by its keepers.

    `by=None` is the system itself (seeding, management commands). Co-ops take
    from the shared store by drawing down, which the usage report accounts for.
    """
    if by is not None and any(loc.shared for loc in locations) and not can_keep_shared_store(by):
        raise SharedStoreKeepersOnly()


def require_plausible(material: Material, location: StockLocation, on_hand: Decimal) -> None:
    ceiling = material.on_hand_ceiling
    if on_hand > ceiling:
        raise ImplausibleQuantity(
            f"{location.code} would hold {format_quantity(on_hand)} {material.unit} of "
            f"{material.name}; the most one shelf may hold is {format_quantity(ceiling)}.",
            material=material.sku,
            location=location.code,
            requested=str(on_hand),
            maximum=str(ceiling),
        )
