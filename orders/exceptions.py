from rest_framework import status

from backend.errors import DomainError, InvalidTransition

__all__ = [
    "IdempotencyKeyReused",
    "InvalidTransition",
    "NothingToOrder",
    "ProducerUnavailable",
    "RequestInProgress",
]


class ProducerUnavailable(DomainError):
    code = "producer_unavailable"
    default_detail = "No producer can take this work right now."


class IdempotencyKeyReused(DomainError):
    code = "idempotency_key_reused"
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = (
        "This Idempotency-Key was already used for a different request. Use a new key for a "
        "new order."
    )


class RequestInProgress(DomainError):
    code = "request_in_progress"
    default_detail = "A request with this Idempotency-Key is still being processed; retry shortly."


class NothingToOrder(DomainError):
    code = "nothing_to_order"
    default_detail = "The order has no lines left to make."
