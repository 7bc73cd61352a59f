from backend.errors import DomainError


class InsufficientStock(DomainError):
    """Raised with one entry per line that could not be met, so a client can recover."""

    code = "insufficient_stock"
    default_detail = "Not enough stock is available."


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
