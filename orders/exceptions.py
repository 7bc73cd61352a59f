from django.core.exceptions import ValidationError
from rest_framework import status

from backend.errors import DomainError, InvalidTransition

__all__ = [
    "CounterPaymentNotExpected",
    "IdempotencyKeyReused",
    "InvalidTransition",
    "InvalidInput",
    "OrderLimitExceeded",
    "PaymentProviderError",
    "PaymentProviderUnavailable",
    "PartsStillDue",
    "ProducerUnavailable",
    "RequestInProgress",
    "StripeEventInvalid",
    "StripeSignatureInvalid",
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


class InvalidInput(ValidationError):
    """A service was given input it cannot take, as {field: [messages]}.

    A Django ValidationError, so `backend.errors` answers it 400 with `errors` by
    field (the shape of DRF's validation errors) and a form can show it by field.
    Raised before anything is written.
    """

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(errors)


class OrderLimitExceeded(DomainError):
    """One buyer would hold more of a product than anyone may: stock is for everybody."""

    code = "order_limit_exceeded"
    default_detail = "That is more of one product than one buyer may hold at once."


class PaymentProviderUnavailable(DomainError):
    """Stripe could not be reached. The order stays placed and waiting for payment."""

    code = "payment_provider_unavailable"
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = (
        "The order is placed and its goods are held, but the card payment page could not be "
        "opened: the payment provider did not answer. Try again in a moment."
    )


class PaymentProviderError(PaymentProviderUnavailable):
    """Stripe answered with an error. Same code, so a client handles both alike."""

    status_code = status.HTTP_502_BAD_GATEWAY
    default_detail = (
        "The order is placed and its goods are held, but the payment provider refused to open "
        "the card payment page. Try again in a moment."
    )


class StripeSignatureInvalid(DomainError):
    """A webhook that Stripe did not sign with our secret, or signed too long ago."""

    code = "invalid_signature"
    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = "The Stripe-Signature header is missing, wrong or too old."


class StripeEventInvalid(DomainError):
    code = "invalid_payload"
    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = "The body is not a Stripe event."


class CounterPaymentNotExpected(DomainError):
    """A counter payment sent for a job the customer already paid for by card."""

    code = "paid_by_card"
    default_detail = (
        "This order was paid by card: there is nothing to take at the counter. Hand it over "
        "without a payment."
    )


class PartsStillDue(DomainError):
    """An order at a pickup point is handed over whole: some of its parts are not there yet."""

    code = "parts_still_due"
    default_detail = "Not every part of the order has arrived at the pickup point yet."


class CollectedAtPoint(DomainError):
    """A part of an order gathered at a pickup point is handed over there, with the rest."""

    code = "collected_at_pickup_point"
    default_detail = "This order is collected at its pickup point, all together."


class DesignLinkInvalid(DomainError):
    """A design download link that was not made here, or was changed on the way."""

    code = "design_link_invalid"
    status_code = status.HTTP_404_NOT_FOUND
    default_detail = "This is not a working design file link. Use the link on your job card."


class DesignLinkExpired(DomainError):
    """A design download link past its age, or whose job has left the co-op."""

    code = "design_link_expired"
    status_code = status.HTTP_410_GONE
    default_detail = "This design file link has expired. The job card has a fresh one."


class DesignLinkRefused(DomainError):
    """A design download link made for another co-op than the one asking."""

    code = "design_link_other_coop"
    status_code = status.HTTP_403_FORBIDDEN
    default_detail = "This design file link was made for another co-op."
