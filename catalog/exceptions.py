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
