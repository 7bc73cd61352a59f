"""A job's moves, from routed to handed over, and declining with re-routing."""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from catalog.exceptions import InsufficientStock
from catalog.services.offcuts import offcuts_use
from catalog.services.stock import StockLine, stock_consume
from fablab.services.certifications import require_certified
from orders import lock_objects
from orders.dispatch import dispatch_jobs, notify_customer_ready
from orders.emails import email_order_part_declined
from orders.exceptions import CollectedAtPoint, InvalidTransition, ProducerUnavailable
from orders.models import Allocation, Job, Order, OrderLine
from orders.payments.payouts import payout_request
from orders.payments.refunds import refund_for_lines
from orders.routing import LineRequest, load_products, route_order
from orders.selectors import job_capabilities
from orders.services.allocation import (
    actor,
    jobs_create,
    jobs_release,
    jobs_reserve,
    totals_reduce,
    transition,
)
from orders.services.at_point import notify_when_all_arrived
from orders.services.counter import (
    CounterPaymentInput,
    counter_payment_check,
    counter_payment_record,
)
from orders.services.inputs import DECLINE_REASON_MAX, reason_check
from orders.services.no_shows import collect_by_for

J = Job.Status
O = Order.Status  # noqa: E741
LABEL_MAX = 240  # StockMovement.reason and Refund.reason

ALLOWED = {
    "accept": ({J.ROUTED}, J.ACCEPTED),
    "decline": ({J.ROUTED, J.ACCEPTED}, J.DECLINED),
    "start": ({J.ACCEPTED}, J.IN_PRODUCTION),
    "ready": ({J.IN_PRODUCTION}, J.READY),
    "hand_over": ({J.READY}, J.HANDED_OVER),
    "no_show": ({J.READY}, J.CANCELLED),
}


VERBS = {
    "accept": "accepted",
    "decline": "declined",
    "start": "started",
    "ready": "marked ready",
    "hand_over": "handed over",
    "no_show": "marked not collected",
}


def _locked_job(job: Job, action: str) -> Job:
    """Lock the job's order, then the job (always in that order), and check the move."""
    lock_objects.order_for_update(job.order_id)
    locked = lock_objects.job_for_update(job.pk)
    sources, _ = ALLOWED[action]
    if locked.status not in sources or not locked.dispatched:
        state = locked.get_status_display().lower() if locked.dispatched else "not yet confirmed"
        raise InvalidTransition(
            f"This job is {state}: it cannot be {VERBS[action]}.",
            status=locked.status,
            allowed_from=sorted(sources),
        )
    return locked


NOBODY_CAN_MAKE_IT = "No co-op could make it"


def _sync_order(order_id: int, *, cancel_reason: str = NOBODY_CAN_MAKE_IT) -> None:
    """Move the order along with its jobs: in production, ready, completed, or cancelled
    (for `cancel_reason`); and its pay-at-pickup deadline (`collect_by`) with them. Locks
    the order."""
    order = lock_objects.order_for_update(order_id)
    statuses = set(order.jobs.values_list("status", flat=True))
    active = statuses - {J.DECLINED, J.CANCELLED}
    new = order.status
    if not active:
        new = O.CANCELLED
    elif active == {J.HANDED_OVER}:
        new = O.COMPLETED
    elif active <= {J.READY, J.HANDED_OVER}:
        new = O.READY
    elif active & {J.IN_PRODUCTION, J.READY, J.HANDED_OVER}:
        new = O.IN_PRODUCTION
    collect_by = collect_by_for(order)
    settled = (O.PENDING_PAYMENT, O.CANCELLED, O.REFUNDED)
    moving = new != order.status and order.status not in settled
    if moving:
        order.status = new
        now = timezone.now()
        if new == O.COMPLETED:
            order.completed_at = now
        if new == O.CANCELLED:
            order.cancelled_at, order.cancel_reason = now, cancel_reason
    if moving or collect_by != order.collect_by:
        order.collect_by = collect_by
        order.save()


def _move(job: Job, action: str, *, by, note: str = "") -> Job:
    locked = _locked_job(job, action)
    transition(locked, ALLOWED[action][1], by=actor(by), note=note)
    locked.save(update_fields=["status", "updated_at"])
    return locked


def job_accept(*, job: Job, by) -> Job:
    """Accept the work. Locks the order, then the job; InvalidTransition unless routed."""
    with transaction.atomic():
        return _move(job, "accept", by=by)


def job_start(*, job: Job, by) -> Job:
    """Start making: the materials held for the job are consumed (they leave the shelf).

    Locks the order, the job, then the stock it holds; the consumption names the producer.
    Raises CertificationRequired unless a member of the producer is certified, today, for
    every capability the job's goods need.
    """
    with transaction.atomic():
        locked = _move(job, "start", by=by)
        require_certified(producer=locked.producer, capabilities=job_capabilities(locked))
        held = list(
            locked.allocations.filter(state=Allocation.State.HELD).select_related(
                "material", "location"
            )
        )
        if held:
            reason = f"Job {locked.pk} for order {locked.order.number}"
            stock_consume(
                lines=[StockLine(a.material, a.location, a.quantity) for a in held],
                by=actor(by),
                reason=reason,
                producer=locked.producer,
                reference=f"job-{locked.pk}",
            )
            offcuts_use(
                offcut_ids=[a.offcut_id for a in held if a.offcut_id],
                by=actor(by),
                reason=reason,
                producer=locked.producer,
            )
            locked.allocations.filter(pk__in=[a.pk for a in held]).update(
                state=Allocation.State.CONSUMED
            )
        _sync_order(locked.order_id)
    return locked


def job_ready(*, job: Job, by) -> Job:
    """Mark the goods ready; the customer's email (with the order's `collect_by`, set here
    under the order's lock once every part is ready) is queued in this transaction."""
    with transaction.atomic():
        locked = _move(job, "ready", by=by)
        _sync_order(locked.order_id)
        locked.order.refresh_from_db(fields=["status", "collect_by"])
        notify_customer_ready(job=locked)
    return locked


def job_hand_over(
    *, job: Job, by, payment: CounterPaymentInput | None = None, at_point: bool = False
) -> Job:
    """Hand the goods over, and record the money for them in the same transaction.

    A part of an order gathered at a pickup point is handed over there, with the
    rest of the order (`order_hand_over_at_point` says `at_point=True`); its co-op
    cannot hand it over alone: CollectedAtPoint.

    A card-paid job's payout to its co-op is queued. A pay-at-pickup job needs
    `payment`, what the co-op took at the counter, recorded as its one
    CounterPayment (see `counter_payment_check` for the rules). Locks the order,
    then the job; raises InvalidTransition unless ready, InvalidInput for a
    missing or wrong payment, CounterPaymentNotExpected for a payment on a card
    job. Nothing is written when it raises.
    """
    with transaction.atomic():
        locked = _locked_job(job, "hand_over")
        if locked.order.pickup_point_id is not None and not at_point:
            raise CollectedAtPoint(
                f"Order {locked.order.number} is collected at {locked.order.pickup_point.name}, "
                "all together: bring this part there.",
                pickup_point=locked.order.pickup_point.slug,
            )
        counter_payment_check(job=locked, payment=payment)
        transition(locked, ALLOWED["hand_over"][1], by=actor(by))
        locked.save(update_fields=["status", "updated_at"])
        _sync_order(locked.order_id)
        payout_request(job=locked)
        if payment is not None:
            counter_payment_record(job=locked, payment=payment, by=by)
    return locked


def job_decline(*, job: Job, by, reason: str) -> Job:
    """Decline a job: its stock goes back; open designs go to the next candidate.

    Lines of an open design are routed again (through the same `jobs_create` /
    `jobs_reserve` as placing), leaving out every producer that declined this
    order before; lines that cannot go anywhere else are cancelled and, if paid
    by card, refunded; the order's subtotal and total no longer count them. The
    resident is emailed the reason and what happens next. Locks the order, the
    job, then stock. Raises InvalidInput
    for a missing or over-long reason, InvalidTransition unless routed or
    accepted. Returns the declined job.
    """
    reason_check(reason, limit=DECLINE_REASON_MAX, required=True)
    with transaction.atomic():
        locked = _locked_job(job, "decline")
        jobs_release([locked], by=by, reason=_declined(reason))
        transition(locked, J.DECLINED, by=actor(by), note=reason)
        locked.decline_reason = reason
        locked.save(update_fields=["status", "decline_reason", "updated_at"])
        order = lock_objects.order_for_update(locked.order_id)
        lines = list(locked.lines.filter(cancelled=False).select_related("product"))
        moved = _reroute(order, locked, [line for line in lines if line.product.open_design], by=by)
        dropped = [line for line in lines if line not in moved]
        OrderLine.objects.filter(pk__in=[line.pk for line in dropped]).update(cancelled=True)
        totals_reduce(order, dropped)
        # Paid by card: what nobody else can make is refunded through Stripe.
        refund = refund_for_lines(order=order, job=locked, lines=dropped, reason=_declined(reason))
        _sync_order(order.pk)
        order.refresh_from_db(fields=["status", "collect_by", "cancel_reason", "cancelled_at"])
        # The declined part may have been the last one the pickup point was waiting for.
        notify_when_all_arrived(order)
        email_order_part_declined(
            order=order,
            job=locked,
            reason=reason,
            moved=moved,
            dropped=dropped,
            refunded=refund.amount if refund else Decimal("0"),
        )
    return locked


def _declined(reason: str) -> str:
    """The ledger's and the refund's reason (240 characters); the job keeps the whole reason."""
    text = f"Declined: {reason}"
    return text if len(text) <= LABEL_MAX else text[: LABEL_MAX - 1] + "…"


def _reroute(order: Order, declined: Job, lines: list[OrderLine], *, by) -> list[OrderLine]:
    """Give these lines to the next capable co-ops. Returns the lines that found one."""
    if not lines:
        return []
    declined_by = set(order.jobs.filter(status=J.DECLINED).values_list("producer_id", flat=True))
    point = (
        (order.delivery_latitude, order.delivery_longitude)
        if order.delivery_latitude is not None
        else None
    )
    products = load_products([line.product_id for line in lines])
    requests = [LineRequest(products[line.product_id], line.quantity) for line in lines]
    try:
        with transaction.atomic():
            routed = route_order(requests, delivery_point=point, exclude_producers=declined_by)
            jobs = jobs_create(
                order=order,
                routed=routed,
                lines=lines,
                by=by,
                dispatched=True,
                note="re-routed",
                why=f"re-routed after {declined.producer.name} declined. ",
            )
            jobs_reserve(order=order, jobs=jobs, routed=routed, by=by)
            declined.total = Decimal("0")
            declined.save(update_fields=["total", "updated_at"])
            dispatch_jobs(jobs=jobs, event="job.routed")
    except (InsufficientStock, ProducerUnavailable):
        return []  # nobody else can make it now: the caller cancels those lines
    return lines
