"""Ending an order before it is made: cancelled by its customer, or expired unpaid."""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from orders import lock_objects
from orders.dispatch import dispatch_jobs
from orders.emails import email_order_cancelled, email_order_expired
from orders.exceptions import InvalidTransition
from orders.models import Job, Order, OrderLine
from orders.payments.refunds import refund_rest_of_order
from orders.services.allocation import actor, jobs_release, transition
from orders.services.inputs import CANCEL_REASON_MAX, reason_check

J = Job.Status
O = Order.Status  # noqa: E741
NOT_PAID_IN_TIME = "Not paid in time"
BY_THE_CUSTOMER = "Cancelled by the customer"


def jobs_cancel_open(order: Order, *, by, note: str) -> list[Job]:
    """Cancel the order's open jobs and give their stock back. Returns the cancelled jobs."""
    jobs = lock_objects.jobs_for_update(order_id=order.pk)
    open_jobs = [job for job in jobs if job.status in Job.OPEN_STATUSES]
    jobs_release(open_jobs, by=by, reason=note)
    for job in open_jobs:
        transition(job, J.CANCELLED, by=actor(by), note=note)
        job.save(update_fields=["status", "updated_at"])
    OrderLine.objects.filter(job__in=open_jobs).update(cancelled=True)
    return open_jobs


def order_cancel(*, order: Order, by, reason: str = BY_THE_CUSTOMER) -> Order:
    """Cancel before production starts; every reservation is given back exactly once.

    Locks the order, then its jobs and the stock they hold. A paid card order is
    refunded through Stripe (by a task written in this transaction) and ends
    `refunded`. The resident is emailed what was cancelled and what is given back.
    A blank reason is the customer's. Raises InvalidInput for a reason over 240
    characters and InvalidTransition once any part is being made.
    """
    reason_check(reason, limit=CANCEL_REASON_MAX, required=False)
    reason = reason.strip() or BY_THE_CUSTOMER
    with transaction.atomic():
        locked = lock_objects.order_for_update(order.pk)
        paid = locked.status == O.PAID
        if locked.status in (O.CANCELLED, O.REFUNDED):
            raise InvalidTransition("This order is already cancelled.", status=locked.status)
        if locked.status not in (O.PENDING_PAYMENT, O.PAID):
            raise InvalidTransition(
                "Only an order that is not yet being made can be cancelled.",
                status=locked.status,
            )
        started = locked.jobs.exclude(status__in=[J.ROUTED, J.ACCEPTED, *Job.DONE_STATUSES])
        if started.exists():
            raise InvalidTransition(
                "A co-op has already started making part of this order.", status=locked.status
            )
        cancelled = jobs_cancel_open(locked, by=by, note=reason)
        locked.status = O.CANCELLED
        locked.cancelled_at = timezone.now()
        locked.cancel_reason = reason
        # Paid by card: whatever was not given back yet is refunded through Stripe.
        refund = refund_rest_of_order(order=locked, reason=reason) if paid else None
        if refund:
            locked.status = O.REFUNDED
        locked.save(update_fields=["status", "cancelled_at", "cancel_reason", "updated_at"])
        # Co-ops that already had the work are told it is off; the resident too.
        dispatch_jobs(jobs=[job for job in cancelled if job.dispatched], event="job.cancelled")
        email_order_cancelled(
            order=locked,
            lines=list(OrderLine.objects.filter(job__in=cancelled)),
            refunded=refund.amount if refund else Decimal("0"),
            by_customer=reason == BY_THE_CUSTOMER,
        )
    return locked


def order_expire(*, order: Order) -> bool:
    """Give an unpaid order's stock back once its time is up. True if it expired now.

    Locks the order, then its jobs and the stock they hold. The resident is emailed
    that nothing was charged.
    """
    with transaction.atomic():
        locked = lock_objects.order_for_update(order.pk)
        if locked.status != O.PENDING_PAYMENT or not locked.expires_at:
            return False
        if locked.expires_at > timezone.now():
            return False
        released = jobs_cancel_open(locked, by=None, note=NOT_PAID_IN_TIME)
        locked.status = O.CANCELLED
        locked.cancelled_at = timezone.now()
        locked.cancel_reason = NOT_PAID_IN_TIME
        locked.save(update_fields=["status", "cancelled_at", "cancel_reason", "updated_at"])
        email_order_expired(order=locked, lines=list(OrderLine.objects.filter(job__in=released)))
    return True


def orders_expire(*, limit: int = 500) -> int:
    """Expire every unpaid order past its time. Returns how many expired."""
    due = Order.objects.filter(status=O.PENDING_PAYMENT, expires_at__lte=timezone.now()).order_by(
        "expires_at"
    )[:limit]
    return sum(order_expire(order=order) for order in due)
