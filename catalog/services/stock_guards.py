"""What every change to a shelf must respect besides the balance itself.

Who may move the shared store's stock, and how much one shelf can plausibly
hold. Called by `catalog.services.stock` before and under its locks.
"""

from decimal import Decimal

from backend.money import format_quantity
from catalog.exceptions import ImplausibleQuantity, SharedStoreKeepersOnly
from catalog.models import Material, StockLocation
from producers.permissions import can_keep_shared_store


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
