"""Stripe's webhook events: verified, stored by id, acted on once.

Stripe may deliver an event twice, two at the same moment, and in any order.
So each event is stored under its unique id before anything else, and acted on
under a lock on its row, which a second delivery waits for; the second then
finds it processed and does nothing. What an event says is not taken on trust
where it matters: a paid session or a refund is read again from Stripe, and our
own order and payment are re-read under their locks before anything changes.
"""

import json
import logging
import time
from collections.abc import Callable

import stripe
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from backend.money import to_cents
from orders import lock_objects
from orders.exceptions import (
    PaymentProviderUnavailable,
    StripeEventInvalid,
    StripeSignatureInvalid,
)
from orders.models import Order, Payment, StripeEvent
from orders.payments.refunds import refund_rest_of_order, refund_update_from_stripe
from orders.services import confirm_payment, order_expire
from orders.stripe_client import stripe_client

logger = logging.getLogger(__name__)

PAID = ("checkout.session.completed", "checkout.session.async_payment_succeeded")
EXPIRED = ("checkout.session.expired",)
REFUNDS = ("refund.created", "refund.updated", "refund.failed", "charge.refund.updated")

# Stripe's library refuses signatures older than this; we also refuse ones dated this far
# ahead, which no honest clock skew explains (a signature made for later replay).
SIGNATURE_TOLERANCE_SECONDS = 300


def _signed_at(signature: str) -> int | None:
    for item in signature.split(","):
        name, _, value = item.strip().partition("=")
        if name == "t" and value.isdigit():
            return int(value)
    return None


def _verify(payload: bytes, signature: str | None) -> dict:
    try:
        stripe.Webhook.construct_event(
            payload,
            signature,
            settings.STRIPE_WEBHOOK_SECRET,
            tolerance=SIGNATURE_TOLERANCE_SECONDS,
        )
    except stripe.SignatureVerificationError as exc:
        raise StripeSignatureInvalid() from exc
    except ValueError as exc:  # signed, but not JSON (or not UTF-8)
        raise StripeEventInvalid() from exc
    signed_at = _signed_at(signature or "")
    if signed_at is None or signed_at > time.time() + SIGNATURE_TOLERANCE_SECONDS:
        raise StripeSignatureInvalid()
    data = json.loads(payload)
    if not isinstance(data, dict) or not isinstance(data.get("data"), dict):
        raise StripeEventInvalid()
    obj = data["data"].get("object")
    if not (isinstance(data.get("id"), str) and isinstance(data.get("type"), str)):
        raise StripeEventInvalid()
    if not isinstance(obj, dict) or not isinstance(obj.get("id"), str):
        raise StripeEventInvalid()
    return data


def _store(data: dict) -> StripeEvent:
    with transaction.atomic():
        event, _ = StripeEvent.objects.get_or_create(
            event_id=data["id"], defaults={"type": data["type"], "payload": data}
        )
    return event


def _read_again(data: dict) -> dict | None:
    """Stripe's current view of the event's object, when acting on it depends on it."""
    kind, obj = data["type"], data["data"]["object"]
    client = stripe_client()
    try:
        if kind in PAID:
            session = client.v1.checkout.sessions.retrieve(
                obj["id"], {"expand": ["payment_intent"]}
            )
            return session.to_dict()
        if kind in REFUNDS:
            return client.v1.refunds.retrieve(obj["id"]).to_dict()
    except stripe.StripeError as exc:
        StripeEvent.objects.filter(event_id=data["id"]).update(error=str(exc)[:500])
        raise PaymentProviderUnavailable(
            "Stripe could not be asked about this event; deliver it again later."
        ) from exc
    return None


def stripe_event_receive(*, payload: bytes, signature: str | None) -> StripeEvent:
    """Verify, store and act on one delivery of a Stripe event. Returns the stored event.

    Raises StripeSignatureInvalid when the body is not signed with our webhook
    secret or the signature is dated more than five minutes ago or ahead, and StripeEventInvalid
    when it is signed but not an event: nothing is written then. Raises
    PaymentProviderUnavailable when Stripe must be asked about the object and
    cannot be: the event stays stored but unprocessed, and Stripe delivers it again.
    Types we do not act on are stored and marked processed.
    """
    data = _verify(payload, signature)
    event = _store(data)
    if event.processed_at is not None:
        return event
    current = _read_again(data)
    with transaction.atomic():
        event = StripeEvent.objects.select_for_update(of=("self",)).get(pk=event.pk)
        if event.processed_at is not None:
            return event
        handler = HANDLERS.get(data["type"])
        if handler is not None:
            handler(data["data"]["object"], current)
        event.processed_at = timezone.now()
        event.error = ""
        event.save(update_fields=["processed_at", "error"])
    return event


def _payment_for(session: dict) -> Payment | None:
    payment = Payment.objects.filter(checkout_session_id=session["id"]).first()
    if payment is None:
        number = (session.get("metadata") or {}).get("order_number")
        payment = Payment.objects.filter(order__number=number).first() if number else None
        if payment is not None and payment.checkout_session_id not in ("", session["id"]):
            return None  # another session than the order's own
    if payment is None:
        logger.warning("Stripe session %s belongs to no order of ours", session["id"])
    return payment


def _session_paid(_obj: dict, session: dict) -> None:
    """The customer paid: record the payment and confirm the order (its jobs go out).

    A payment for an order that was closed meanwhile (cancelled, or expired) is
    given back in full.
    """
    if session.get("payment_status") != "paid":
        return  # a delayed payment method: `async_payment_succeeded` follows when it clears
    payment = _payment_for(session)
    if payment is None:
        return
    order = lock_objects.order_for_update(payment.order_id)
    payment = Payment.objects.select_for_update(of=("self",)).get(pk=payment.pk)
    if session.get("amount_total") != to_cents(payment.amount):
        logger.error(
            "Stripe session %s charged %s cents, order %s is %s: not confirmed",
            session["id"],
            session.get("amount_total"),
            order.number,
            payment.amount,
        )
        return
    if payment.status != Payment.Status.PAID:
        intent = session.get("payment_intent")
        if isinstance(intent, dict):
            payment.payment_intent_id = intent.get("id") or ""
            charge = intent.get("latest_charge")
            payment.charge_id = (charge.get("id") if isinstance(charge, dict) else charge) or ""
        else:
            payment.payment_intent_id = intent or ""
        payment.checkout_session_id = session["id"]
        payment.status = Payment.Status.PAID
        payment.paid_at = timezone.now()
        payment.save(
            update_fields=[
                "payment_intent_id",
                "charge_id",
                "checkout_session_id",
                "status",
                "paid_at",
                "updated_at",
            ]
        )
    order = confirm_payment(order=order)
    if order.status in (Order.Status.CANCELLED, Order.Status.REFUNDED):
        refund_rest_of_order(order=order, reason="Paid after the order was closed")


def _session_expired(session: dict, _current: None) -> None:
    """The session closed unpaid: the order gives its stock back now, not at its deadline."""
    payment = _payment_for(session)
    if payment is None:
        return
    order = lock_objects.order_for_update(payment.order_id)
    Payment.objects.filter(
        pk=payment.pk, status__in=[Payment.Status.CREATING, Payment.Status.OPEN]
    ).update(status=Payment.Status.EXPIRED, updated_at=timezone.now())
    if order.status != Order.Status.PENDING_PAYMENT:
        return  # paid, or already given back: nothing to release
    now = timezone.now()
    if order.expires_at is None or order.expires_at > now:
        order.expires_at = now
        order.save(update_fields=["expires_at", "updated_at"])
    order_expire(order=order)


def _refund_changed(_obj: dict, refund: dict) -> None:
    refund_update_from_stripe(refund=refund)


HANDLERS: dict[str, Callable[[dict, dict | None], None]] = {
    **dict.fromkeys(PAID, _session_paid),
    **dict.fromkeys(EXPIRED, _session_expired),
    **dict.fromkeys(REFUNDS, _refund_changed),
}
