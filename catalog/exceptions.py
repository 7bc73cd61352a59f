from dataclasses import asdict, dataclass
from decimal import Decimal

from backend.errors import DomainError


@dataclass(frozen=True)
class Shortage:
    """One thing that cannot be had: what, from where, how much was asked and how much is free.

    Plain data (slugs, SKUs, names, Decimals) so that the API, the storefront and
    the workbench all render the same thing. `requested` and `available` are in
    `unit`: the material's unit when a material is named (finished goods are the
    product's stock item), else units of the product. `location` is empty when
    the figure is the best across several shelves.
    """

    requested: Decimal
    available: Decimal
    product: str = ""
    product_name: str = ""
    material: str = ""
    material_name: str = ""
    location: str = ""
    unit: str = ""

    @classmethod
    def of_material(cls, material, *, requested, available, location: str = "", **product):
        """A shortage of `material` (a catalog Material); never below zero available."""
        return cls(
            requested=Decimal(requested),
            available=max(Decimal(available), Decimal("0")),
            material=material.sku,
            material_name=material.name,
            location=location,
            unit=material.unit,
            **product,
        )

    def as_dict(self) -> dict[str, str | None]:
        """The API shape: every key always present, absent names as null."""
        return {
            key: (str(value) if isinstance(value, Decimal) else value or None)
            for key, value in asdict(self).items()
        }

    def __str__(self) -> str:
        what = self.product_name or self.material_name or self.product or self.material
        amounts = f"{_plain(self.requested)} asked, {_plain(self.available)} left"
        if self.product_name and self.material_name and self.product_name != self.material_name:
            unit = f" {self.unit}" if self.unit and self.unit != "each" else ""
            amounts = (
                f"needs {_plain(self.requested)}{unit} of {self.material_name}, "
                f"{_plain(self.available)}{unit} left"
            )
        return f"{what} ({amounts})"


def _plain(value: Decimal) -> str:
    """3.000 -> 3, 2.500 -> 2.5: a storefront figure."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


class InsufficientStock(DomainError):
    """Raised with one `Shortage` per thing that could not be met, so a client can recover.

    The API body lists them under `lines`, each in `Shortage.as_dict()`'s one shape.
    """

    code = "insufficient_stock"
    default_detail = "Not enough stock is available."

    def __init__(self, detail: str | None = None, *, shortages: list[Shortage]) -> None:
        self.shortages = list(shortages)
        super().__init__(detail, lines=[shortage.as_dict() for shortage in self.shortages])


class CountBelowReserved(DomainError):
    code = "count_below_reserved"
    default_detail = (
        "The count is below what is reserved for open jobs: release or re-route those first."
    )


class NothingReserved(DomainError):
    code = "nothing_reserved"
    default_detail = "Less is reserved than the quantity given."


class SharedStoreKeepersOnly(DomainError):
    """The shared store's stock comes in, is counted and moves only through its keepers."""

    code = "shared_store_keepers_only"
    status_code = 403
    default_detail = (
        "Only the Fab Lab's staff receive, count or transfer stock in the shared store; "
        "co-ops draw down from it."
    )


class ImplausibleQuantity(DomainError):
    """A shelf would hold more than the material's plausible maximum."""

    code = "implausible_quantity"
    default_detail = "That is more than one shelf of this material can plausibly hold."


class ProductNotReady(DomainError):
    """A product lacks what residents need before it goes on sale; `missing` says what."""

    code = "product_not_ready"
    default_detail = "The product is not ready to go on sale."

    def __init__(self, detail: str | None = None, *, missing: list[str]) -> None:
        self.missing = list(missing)
        super().__init__(detail or " ".join(self.missing), missing=self.missing)


class NotSoldOut(DomainError):
    """Only a published ready-made product with none free can be waited for."""

    code = "not_sold_out"
    default_detail = "This product is not sold out: you can order it now."


class OffcutUnavailable(DomainError):
    """The piece is held for a job, used or discarded: it cannot be used or discarded now."""

    code = "offcut_unavailable"
    default_detail = "That offcut is no longer on the rack."


class OffcutBeyondStock(DomainError):
    """An offcut records part of what the shelf holds: never more than it holds."""

    code = "offcut_beyond_stock"
    default_detail = "The shelf does not hold that much of this material outside other offcuts."
