"""Background work for payments. Each task is enqueued inside the transaction that asks for it."""

from django.tasks import task


@task(queue_name="default")
def send_refund(*, refund_id: int) -> str:
    """Ask Stripe for one refund. Returns the refund's state after the attempt."""
    from orders.payments.refunds import refund_send

    return refund_send(refund_id=refund_id)


@task(queue_name="default")
def send_payout(*, payout_id: int) -> str:
    """Transfer one job's payout to its co-op. Returns the payout's state after the attempt."""
    from orders.payments.payouts import payout_send

    return payout_send(payout_id=payout_id)
