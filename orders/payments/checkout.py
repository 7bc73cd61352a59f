"""Opening a Stripe Checkout Session for a card order."""

import datetime
import logging

import stripe
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from backend.money import to_cents
from orders import lock_objects
from orders.exceptions import InvalidTransition, PaymentProviderError, PaymentProviderUnavailable
from orders.models import Order, Payment
from orders.stripe_client import stripe_client

logger = logging.getLogger(__name__)

# Stripe accepts a session expiry from 30 minutes to 24 hours after the request arrives.
STRIPE_SHORTEST = datetime.timedelta(minutes=30)
STRIPE_LONGEST = datetime.timedelta(hours=24)
# A retry sends the expiry chosen the first time (Stripe refuses a reused key with
# other parameters); this margin keeps that expiry acceptable for a retry a few
# minutes later, and absorbs a little clock difference.
RETRY_MARGIN = datetime.timedelta(minutes=5)
# The order gives its stock back a little after the session closes, so that a
# payment made in the session's last seconds still finds its order open.
PAYMENT_GRACE = datetime.timedelta(minutes=5)


def session_expiry(*, wanted: datetime.datetime, now: datetime.datetime) -> datetime.datetime:
    """When the session should close: the order's own deadline, moved into Stripe's window."""
    earliest = now + STRIPE_SHORTEST + RETRY_MARGIN
    latest = now + STRIPE_LONGEST - datetime.timedelta(minutes=1)
    return min(max(wanted, earliest), latest).replace(microsecond=0)


def _prepare(order_id: int) -> Payment:
    """Find or make the order's payment row, in one short transaction under the order's lock.

    The first time, the session's expiry is chosen and the order's own deadline
    is moved to match it: the stock is held exactly as long as the customer can pay.
    """
    with transaction.atomic():
        order = lock_objects.order_for_update(order_id)
        if order.payment_method != Order.PaymentMethod.STRIPE:
            raise InvalidTransition(
                "This order is paid at pickup, not by card.", status=order.status
            )
        if order.status != Order.Status.PENDING_PAYMENT:
            raise InvalidTransition("This order is not waiting for payment.", status=order.status)
        now = timezone.now()
        payment = Payment.objects.filter(order=order).first()
        if payment is None:
            if order.expires_at is not None and order.expires_at <= now:
                raise InvalidTransition(
                    "The time to pay for this order has run out.", status=order.status
                )
            expires = session_expiry(wanted=order.expires_at or now, now=now)
            payment = Payment.objects.create(
                order=order,
                amount=order.total,
                currency=order.currency,
                session_expires_at=expires,
            )
            order.expires_at = expires + PAYMENT_GRACE
            order.save(update_fields=["expires_at", "updated_at"])
        payment.order = order
    return payment


def order_page(order: Order) -> str:
    return f"{settings.SITE_URL}/orders/{order.number}/?token={order.access_token}"


def session_params(payment: Payment) -> dict:
    """What Stripe is asked for: the same for every attempt at the same order."""
    order = payment.order
    lines = order.lines.filter(cancelled=False).order_by("id")
    return {
        "mode": "payment",
        "line_items": [
            {
                "price_data": {
                    "currency": payment.currency,
                    "unit_amount": to_cents(line.unit_price),
                    "product_data": {"name": line.title},
                },
                "quantity": line.quantity,
            }
            for line in lines
        ],
        "success_url": order_page(order),
        "cancel_url": order_page(order),
        "customer_email": order.contact_email,
        "client_reference_id": order.number,
        "metadata": {"order_number": order.number},
        "payment_intent_data": {
            "transfer_group": order.number,
            "metadata": {"order_number": order.number},
        },
        "expires_at": int(payment.session_expires_at.timestamp()),
    }


def checkout_start(*, order: Order) -> Payment:
    """Make sure a card order has a Checkout Session; return its payment, with the URL.

    Call it after the order is committed and outside any transaction: Stripe is
    asked while no lock is held. An order that already has a session gets it
    back without asking Stripe again. Every attempt for one order uses the key
    `checkout-<number>` and the same parameters, so however often it is retried
    (by the library, by the client, by the checkout endpoint) Stripe makes one
    session. Raises InvalidTransition when the order no longer waits for a card
    payment; PaymentProviderUnavailable (503) when Stripe cannot be reached, or
    PaymentProviderError (502) when it answers with an error: the order then
    stays placed and waiting for payment.
    """
    payment = _prepare(order.pk)
    if payment.checkout_url:
        return payment
    try:
        session = stripe_client().v1.checkout.sessions.create(
            session_params(payment), options={"idempotency_key": payment.idempotency_key}
        )
    except stripe.StripeError as exc:
        message = str(exc)[:500]
        logger.warning("checkout for %s failed: %s", payment.order.number, message)
        Payment.objects.filter(pk=payment.pk).update(error=message, updated_at=timezone.now())
        if isinstance(exc, stripe.APIConnectionError | stripe.RateLimitError):
            raise PaymentProviderUnavailable() from exc
        raise PaymentProviderError() from exc
    # Conditional: a webhook may have recorded the session (and its payment) first.
    Payment.objects.filter(pk=payment.pk, checkout_session_id="").update(
        checkout_session_id=session.id,
        checkout_url=session.url,
        status=Payment.Status.OPEN,
        error="",
        updated_at=timezone.now(),
    )
    payment.refresh_from_db()
    return payment
