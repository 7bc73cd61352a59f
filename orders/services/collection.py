"""Goods ready and nobody comes: reminders to collect them, and a co-op marking a no-show.

Housekeeping releases an uncollected pay-at-pickup order by itself (`no_shows`).
Before that the resident is reminded, each reminder once: PICKUP_REMIND_AFTER_DAYS
after a part became ready, and PICKUP_REMIND_BEFORE_DAYS before the order's
`collect_by`. A co-op may also mark one ready part as not collected itself.

Card orders have no `collect_by` (they are paid for, so holding them costs no one
else anything) and are never released by housekeeping. When their co-op marks a
part not collected, the ready-made goods go back on sale and the resident is
refunded what that part cost, through the same refund path as a declined job: a
no-show should not cost the resident the price of goods that are sold again.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Min, Q
from django.utils import timezone

from orders import lock_objects
from orders.dispatch import dispatch_jobs
from orders.emails import email_customer_collect_reminder, email_customer_not_collected
from orders.models import Job, JobTransition, Order, OrderLine, PickupReminder
from orders.payments.refunds import refund_for_lines
from orders.services.allocation import actor, jobs_release, totals_reduce, transition
from orders.services.jobs import _locked_job, _sync_order
from orders.services.no_shows import HOLDING, NOT_COLLECTED, _return_finished_goods

J = Job.Status
Step = PickupReminder.Step


def job_no_show(*, job: Job, by) -> Job:
    """The co-op marks a ready part as not collected: the job is cancelled ("Not collected
    in time"), its ready-made goods go back on sale, the resident is told.

    Locks the order, the job, then the stock the job holds. A card-paid part is
    refunded (one refund per job, through the outbox). The order ends with its
    other parts: cancelled when nothing else is left, completed when the rest was
    handed over. Raises InvalidTransition unless the job is ready.
    """
    with transaction.atomic():
        locked = _locked_job(job, "no_show")
        order = locked.order
        lines = list(locked.lines.filter(cancelled=False))
        jobs_release([locked], by=by, reason=NOT_COLLECTED)
        transition(locked, J.CANCELLED, by=actor(by), note=NOT_COLLECTED)
        locked.save(update_fields=["status", "updated_at"])
        OrderLine.objects.filter(pk__in=[line.pk for line in lines]).update(cancelled=True)
        totals_reduce(order, lines)
        _return_finished_goods([locked])
        refund = refund_for_lines(order=order, job=locked, lines=lines, reason=NOT_COLLECTED)
        _sync_order(order.pk, cancel_reason=NOT_COLLECTED)
        order.refresh_from_db()
        dispatch_jobs(jobs=[locked], event="job.cancelled")
        email_customer_not_collected(order=order, lines=lines, refunded=refund is not None)
    return locked


def _due_steps(order: Order, ready_since: datetime.datetime, now: datetime.datetime) -> list:
    """The reminders due now, most urgent first."""
    due = []
    before = datetime.timedelta(days=settings.PICKUP_REMIND_BEFORE_DAYS)
    if order.collect_by and order.collect_by - before <= now < order.collect_by:
        due.append(Step.LAST_DAY)
    if now >= ready_since + datetime.timedelta(days=settings.PICKUP_REMIND_AFTER_DAYS):
        due.append(Step.WAITING)
    return due


def order_remind_to_collect(*, order: Order, now: datetime.datetime | None = None) -> str:
    """Send the reminder due for this order's ready parts, once. Returns its step, or "".

    Locks the order. When two are due at once (housekeeping was down, or the hold
    is short) only the more urgent is sent and both are recorded, so nobody gets
    two emails on one day. Each sent step is a `PickupReminder` row, written with
    its email in this transaction: the same step is never sent twice.
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = lock_objects.order_for_update(order.pk)
        if locked.status not in HOLDING:
            return ""
        ready = list(locked.jobs.filter(status=J.READY, dispatched=True))
        if not ready:
            return ""
        ready_since = JobTransition.objects.filter(job__in=ready, to_status=J.READY).aggregate(
            at=Min("created_at")
        )["at"]
        sent = set(locked.pickup_reminders.values_list("step", flat=True))
        due = [step for step in _due_steps(locked, ready_since or now, now) if step not in sent]
        if not due:
            return ""
        PickupReminder.objects.bulk_create(
            [PickupReminder(order=locked, step=step) for step in due]
        )
        lines = OrderLine.objects.filter(job__in=ready, cancelled=False).order_by("pk")
        email_customer_collect_reminder(order=locked, step=due[0], lines=list(lines))
    return due[0]


def orders_remind_to_collect(*, limit: int = 500, now: datetime.datetime | None = None) -> int:
    """Send every collection reminder due (as of `now`). Returns how many were sent.

    Only orders with a reminder due and not yet sent are looked at (and locked), so an
    order waiting for its last reminder costs nothing each minute until then.
    """
    now = now or timezone.now()
    after = datetime.timedelta(days=settings.PICKUP_REMIND_AFTER_DAYS)
    before = datetime.timedelta(days=settings.PICKUP_REMIND_BEFORE_DAYS)
    sent = PickupReminder.objects.values("order_id")
    # A ready job's last save is its move to ready: no later than that, never earlier.
    waiting = Q(jobs__status=J.READY, jobs__updated_at__lte=now - after) & ~Q(
        pk__in=sent.filter(step=Step.WAITING)
    )
    last_day = Q(jobs__status=J.READY, collect_by__gt=now, collect_by__lte=now + before) & ~Q(
        pk__in=sent.filter(step=Step.LAST_DAY)
    )
    due = (
        Order.objects.filter(status__in=HOLDING)
        .filter(waiting | last_day)
        .distinct()
        .order_by("pk")[:limit]
    )
    return sum(bool(order_remind_to_collect(order=order, now=now)) for order in due)
