"""Pickup points: parts from several co-ops arrive at one place, and go to the resident at once.

A co-op brings its ready part to the order's pickup point; the point's keepers
mark it arrived; when the last part is there the resident gets one email; the
keepers hand the whole order over, each job through `job_hand_over`.
"""

from django.db import transaction
from django.utils import timezone

from orders import lock_objects
from orders.exceptions import InvalidInput, InvalidTransition, PartsStillDue
from orders.models import CounterPayment, Job, Order
from orders.services.allocation import actor
from orders.services.at_point import notify_when_all_arrived, still_due
from orders.services.counter import CounterPaymentInput
from orders.services.jobs import job_hand_over

J = Job.Status


def job_arrive_at_point(*, job: Job, by) -> Job:
    """Record that a job's part reached its order's pickup point.

    Locks the order, then the job (the order the job moves take). Only a ready,
    dispatched part of a pickup-point order can arrive (InvalidTransition says
    why not). Marking an arrived part again changes nothing. When this was the
    last part still due, the resident's "everything is here" email is queued in
    this transaction, once per order: the order's lock makes two last arrivals
    at the same moment take turns, and the second finds the email already sent.
    """
    with transaction.atomic():
        order = lock_objects.order_for_update(job.order_id)
        locked = lock_objects.job_for_update(job.pk)
        if order.pickup_point_id is None:
            raise InvalidTransition(
                "This order is collected from each co-op: it goes to no pickup point.",
                status=locked.status,
            )
        if locked.arrived_at_point_at is not None:
            return locked
        if locked.status != J.READY or not locked.dispatched:
            state = locked.get_status_display().lower() if locked.dispatched else "not confirmed"
            raise InvalidTransition(
                f"This part is {state}: only a part its co-op marked ready can arrive.",
                status=locked.status,
                allowed_from=[J.READY],
            )
        locked.arrived_at_point_at = timezone.now()
        locked.arrived_at_point_by = actor(by)
        locked.save(update_fields=["arrived_at_point_at", "arrived_at_point_by", "updated_at"])
        notify_when_all_arrived(order)
    return locked


def order_hand_over_at_point(*, order: Order, by, method: str | None = None) -> Order:
    """Hand everything waiting at the pickup point to the resident, job by job.

    Locks the order for the whole hand-over; each job goes through `job_hand_over`
    (which locks it, completes it, and pays out or records what its rules say).
    Raises PartsStillDue while any open part has not arrived, InvalidTransition
    when nothing is left to hand over. All or nothing.

    For a pay-at-pickup order the keepers take every part's price, by `method` (cash,
    card_terminal, other), and each part's counter payment is recorded with its job.
    A short payment or a waiver is a co-op's decision, made at its own counter.
    """
    with transaction.atomic():
        locked = lock_objects.order_for_update(order.pk)
        if locked.pickup_point_id is None:
            raise InvalidTransition("This order is collected from each co-op, not at a point.")
        jobs = list(locked.jobs.select_related("producer").order_by("pk"))
        due = still_due(jobs)
        if due:
            names = ", ".join(sorted({job.producer.name for job in due}))
            raise PartsStillDue(
                f"Not everything has arrived: still due from {names}.",
                jobs=[job.pk for job in due],
            )
        here = [job for job in jobs if job.is_open]
        if not here:
            raise InvalidTransition("Everything in this order was already handed over.")
        at_counter = locked.payment_method == Order.PaymentMethod.PAY_AT_PICKUP
        if at_counter and method not in CounterPayment.Method.values:
            raise InvalidInput({"method": ["Say how the resident paid."]})
        for job in here:
            payment = CounterPaymentInput(method=method, amount=job.total) if at_counter else None
            job_hand_over(job=job, by=by, payment=payment, at_point=True)
        locked.refresh_from_db()
    return locked
