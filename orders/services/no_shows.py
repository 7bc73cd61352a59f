"""Pay-at-pickup holds end: an order nobody collects in time is released as a no-show.

Paying at pickup costs nothing up front, so without an end one order could hold
every in-stock product for ever. `collect_by` is the end: PICKUP_HOLD_DAYS after
the order's last part is ready, or after its latest due date while parts are
still being made.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from catalog.models import Material
from catalog.services.stock import stock_receive
from orders import lock_objects
from orders.dispatch import dispatch_jobs
from orders.emails import email_customer_not_collected
from orders.models import Allocation, Job, JobTransition, Order
from orders.services.allocation import totals_reduce
from orders.services.cancellation import jobs_cancel_open

J = Job.Status
O = Order.Status  # noqa: E741
NOT_COLLECTED = "Not collected in time"
# Statuses in which a confirmed pay-at-pickup order still holds goods.
HOLDING = (O.PAID, O.IN_PRODUCTION, O.READY)


def collect_by_for(order: Order) -> datetime.datetime | None:
    """When this order's hold ends, from its open jobs; None unless it is paid at pickup.

    Reads only: the caller holds the order's lock and saves the order.
    """
    if order.payment_method != Order.PaymentMethod.PAY_AT_PICKUP:
        return None
    jobs = list(order.jobs.filter(status__in=Job.OPEN_STATUSES))
    if not jobs:
        return order.collect_by
    hold = datetime.timedelta(days=settings.PICKUP_HOLD_DAYS)
    if all(job.status == J.READY for job in jobs):
        # From the moment the last part became ready, so a hand-over of one part
        # never moves the deadline of the others.
        ready = JobTransition.objects.filter(job__in=jobs, to_status=J.READY)
        last_ready = ready.aggregate(at=Max("created_at"))["at"] or timezone.now()
        return last_ready + hold
    latest_due = max(job.due_date for job in jobs)
    day_after = datetime.datetime.combine(latest_due + datetime.timedelta(days=1), datetime.time())
    return timezone.make_aware(day_after) + hold


def _return_finished_goods(jobs: list[Job]) -> None:
    """Finished goods taken off the shelf for these jobs go back on sale; materials used in
    making something stay used. Locks the goods' stock balances."""
    taken = Allocation.objects.filter(
        job__in=jobs,
        state=Allocation.State.CONSUMED,
        material__category=Material.Category.FINISHED_GOODS,
    ).select_related("material", "location", "job__producer", "job__order")
    returned = []
    for allocation in taken.order_by("pk"):
        stock_receive(
            material=allocation.material,
            location=allocation.location,
            quantity=allocation.quantity,
            by=None,
            reason=f"Order {allocation.job.order.number}: {NOT_COLLECTED.lower()}",
            producer=allocation.job.producer,
        )
        returned.append(allocation.pk)
    Allocation.objects.filter(pk__in=returned).update(state=Allocation.State.RELEASED)


def order_release_no_show(*, order: Order, now: datetime.datetime | None = None) -> bool:
    """Release a pay-at-pickup order not collected by its `collect_by`. True if released now.

    Locks the order, then its jobs, then the stock they hold. Cancels the open
    jobs and gives back what they hold (finished goods go back on sale, consumed
    materials stay consumed), tells their co-ops (`job.cancelled`) and emails the
    resident, all in this transaction. The order ends `cancelled` ("Not collected
    in time"), or `completed` when some part was handed over. Does nothing (False)
    for an order that is not holding, not paid at pickup, or not yet due; so it is
    safe to run twice or from two workers at once. Raises nothing of its own.
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = lock_objects.order_for_update(order.pk)
        if (
            locked.payment_method != Order.PaymentMethod.PAY_AT_PICKUP
            or locked.status not in HOLDING
            or locked.collect_by is None
            or locked.collect_by > now
        ):
            return False
        lines = [line for line in locked.lines.select_related("job") if not line.cancelled]
        cancelled = jobs_cancel_open(locked, by=None, note=NOT_COLLECTED)
        _return_finished_goods(cancelled)
        gone = {job.pk for job in cancelled}
        totals_reduce(locked, [line for line in lines if line.job_id in gone])
        handed_over = locked.jobs.filter(status=J.HANDED_OVER).exists()
        locked.status = O.COMPLETED if handed_over else O.CANCELLED
        if handed_over:
            locked.completed_at = now
        else:
            locked.cancelled_at = now
        locked.cancel_reason = NOT_COLLECTED
        locked.save(
            update_fields=["status", "completed_at", "cancelled_at", "cancel_reason", "updated_at"]
        )
        dispatch_jobs(jobs=[job for job in cancelled if job.dispatched], event="job.cancelled")
        email_customer_not_collected(
            order=locked, lines=[line for line in lines if line.job_id in gone]
        )
    return True


def orders_release_no_shows(*, limit: int = 500, now: datetime.datetime | None = None) -> int:
    """Release every pay-at-pickup order past its `collect_by` (as of `now`), each in its own
    transaction. Returns how many this call released (not those another worker took first)."""
    now = now or timezone.now()
    due = Order.objects.filter(
        payment_method=Order.PaymentMethod.PAY_AT_PICKUP,
        status__in=HOLDING,
        collect_by__lte=now,
    ).order_by("collect_by", "pk")[:limit]
    return sum(order_release_no_show(order=order, now=now) for order in due)
