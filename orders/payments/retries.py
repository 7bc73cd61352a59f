"""Trying again: refunds and payouts whose last attempt failed, and payouts owed to co-ops."""

from django.db import transaction
from django.utils import timezone

from orders.models import Payout, Refund
from orders.payments.tasks import send_payout, send_refund


def payments_retry_due(*, limit: int = 200) -> dict[str, int]:
    """Queue another attempt at every unsent refund and payout that is due.

    Due means: failed and past its back-off, or claimed by a worker that never
    recorded an outcome (its lease ran out). A payout owed to a co-op that has
    since connected a Stripe account becomes pending and is queued too. Run
    every minute by the orders housekeeping task. Returns how many were queued.
    """
    now = timezone.now()
    due = {"status__in": ["pending", "failed"], "next_attempt_at__lte": now}
    refunds = list(
        Refund.objects.filter(stripe_refund_id="", **due)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in refunds:
        send_refund.enqueue(refund_id=pk)
    payouts = list(
        Payout.objects.filter(stripe_transfer_id="", **due)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in payouts:
        send_payout.enqueue(payout_id=pk)
    owed = list(
        Payout.objects.filter(status=Payout.Status.OWED)
        .exclude(producer__stripe_account_id="")
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    connected = 0
    for pk in owed:
        with transaction.atomic():
            if Payout.objects.filter(pk=pk, status=Payout.Status.OWED).update(
                status=Payout.Status.PENDING, next_attempt_at=None, updated_at=timezone.now()
            ):
                send_payout.enqueue(payout_id=pk)
                connected += 1
    return {"refunds": len(refunds), "payouts": len(payouts), "owed_now_sent": connected}
