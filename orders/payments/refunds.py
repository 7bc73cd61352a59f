"""Giving card payments back: a whole order, or the lines of a job nobody else can make."""

import logging
from collections.abc import Iterable
from decimal import Decimal

import stripe
from django.db.models import Sum

from backend.money import from_cents, to_cents
from orders import outbox
from orders.emails import email_refund_succeeded
from orders.models import Job, Order, OrderLine, OutboxState, Payment, Refund
from orders.stripe_client import stripe_client

logger = logging.getLogger(__name__)

STRIPE_REFUND_STATUS = {
    "succeeded": Refund.Status.SUCCEEDED,
    "failed": Refund.Status.FAILED,
    "canceled": Refund.Status.FAILED,
    "pending": Refund.Status.PENDING,
    "requires_action": Refund.Status.PENDING,
}


def refundable(order: Order) -> Decimal:
    """What is left to give back: the paid amount less every refund asked for so far.

    Refunds still waiting to be sent count too: they will be sent, and money is
    never given back twice.
    """
    payment = Payment.objects.filter(order=order, status=Payment.Status.PAID).first()
    if payment is None:
        return Decimal("0")
    asked = Refund.objects.filter(order=order).aggregate(total=Sum("amount"))["total"]
    return payment.amount - (asked or Decimal("0"))


def _refund(*, order: Order, job: Job | None, amount: Decimal, key: str, reason: str):
    amount = min(amount, refundable(order))
    if amount <= 0:
        return None
    refund, created = Refund.objects.get_or_create(
        idempotency_key=key,
        defaults={"order": order, "job": job, "amount": amount, "reason": reason[:240]},
    )
    if created:
        outbox.enqueue(kind="refund", pk=refund.pk)
    return refund


def refund_rest_of_order(*, order: Order, reason: str) -> Refund | None:
    """Give back all of a card payment not yet given back. None if there is nothing to give.

    Call it inside the transaction that holds the order's lock (cancelling the
    order, or finding a payment for an order already closed). At most one such
    refund per order: its key is `refund-<number>-rest`. The refund is sent by
    a task enqueued in the same transaction.
    """
    return _refund(
        order=order, job=None, amount=order.total, key=f"refund-{order.number}-rest", reason=reason
    )


def refund_for_lines(
    *, order: Order, job: Job, lines: Iterable[OrderLine], reason: str
) -> Refund | None:
    """Give back what these lines of a job cost (a declined job nobody else can make).

    Same rules as `refund_rest_of_order`; the key is `refund-<number>-job-<id>`,
    one refund per declined job.
    """
    amount = sum((line.line_total for line in lines), Decimal("0"))
    return _refund(
        order=order,
        job=job,
        amount=amount,
        key=f"refund-{order.number}-job-{job.pk}",
        reason=reason,
    )


def _send(refund: Refund) -> outbox.Result:
    """Ask Stripe for the refund once, with its own idempotency key, so a retry after a
    lost answer is the same refund. What Stripe then says of the money is `status`."""
    payment = Payment.objects.select_related("order").get(order_id=refund.order_id)
    try:
        answer = stripe_client().v1.refunds.create(
            {
                "payment_intent": payment.payment_intent_id,
                "amount": to_cents(refund.amount),
                "reason": "requested_by_customer",
                "metadata": {
                    "order_number": payment.order.number,
                    "refund": refund.idempotency_key,
                },
            },
            options={"idempotency_key": refund.idempotency_key},
        )
    except stripe.StripeError as exc:
        logger.warning("refund %s failed: %s", refund.idempotency_key, exc)
        return outbox.Result(outbox.Outcome.FAILED, error=str(exc))
    return outbox.Result(
        outbox.Outcome.SENT,
        error=getattr(answer, "failure_reason", None) or "",
        fields={
            "stripe_refund_id": answer.id,
            "status": STRIPE_REFUND_STATUS.get(answer.status, Refund.Status.PENDING),
        },
    )


def refund_update_from_stripe(*, refund: dict) -> Refund | None:
    """Record what Stripe says of a refund, read from Stripe itself, inside the caller's
    transaction. A refund made outside this system (in Stripe's dashboard) is recorded
    against its payment. The resident is emailed when it first reads succeeded. Returns
    the refund, or None when it is not for one of our payments.
    """
    status = STRIPE_REFUND_STATUS.get(refund.get("status"), Refund.Status.PENDING)
    error = refund.get("failure_reason") or ""
    ours = Refund.objects.select_for_update(of=("self",)).filter(stripe_refund_id=refund["id"])
    existing = ours.first()
    was = existing.status if existing is not None else None
    if existing is None:
        intent = refund.get("payment_intent")
        intent_id = intent.get("id") if isinstance(intent, dict) else intent
        payment = Payment.objects.filter(payment_intent_id=intent_id).exclude(payment_intent_id="")
        payment = payment.select_related("order").first()
        if payment is None:
            return None
        # Our own refund whose answer was lost carries its key in the metadata.
        key = (refund.get("metadata") or {}).get("refund") or f"stripe-{refund['id']}"
        existing, created = Refund.objects.get_or_create(
            idempotency_key=key,
            defaults={
                "order": payment.order,
                "amount": from_cents(int(refund["amount"])),
                "reason": "Refunded in Stripe",
                "stripe_refund_id": refund["id"],
                "status": status,
                "state": OutboxState.DELIVERED,
            },
        )
        if not created:
            # Ours, maybe being recorded by the worker right now: wait for it, then read.
            existing = Refund.objects.select_for_update(of=("self",)).get(pk=existing.pk)
            was = existing.status
    # Stripe has it, whoever asked: nothing is left for the outbox to send.
    existing.stripe_refund_id = refund["id"]
    existing.status = status
    existing.last_error = error[:500]
    existing.state = OutboxState.DELIVERED
    existing.next_attempt_at = None
    existing.save(
        update_fields=[
            "stripe_refund_id",
            "status",
            "last_error",
            "state",
            "next_attempt_at",
            "updated_at",
        ]
    )
    if status == Refund.Status.SUCCEEDED and was != Refund.Status.SUCCEEDED:
        email_refund_succeeded(refund=existing)
    return existing


def _before_record(refund: Refund, result: outbox.Result) -> None:
    """Stripe's answer says the money went back: the resident is told, once (a webhook
    that said so first already told them)."""
    succeeded = result.fields.get("status") == Refund.Status.SUCCEEDED
    if succeeded and refund.status != Refund.Status.SUCCEEDED:
        email_refund_succeeded(refund=refund)


outbox.register(
    outbox.Sender(kind="refund", model=Refund, send=_send, before_record=_before_record)
)
