"""Every write to orders and jobs. Each top-level function is one transaction."""

import datetime
import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from backend.money import to_money
from catalog.exceptions import InsufficientStock
from catalog.models import Product
from catalog.services.stock import StockLine, stock_consume, stock_release, stock_reserve
from orders import lock_objects
from orders.exceptions import (
    IdempotencyKeyReused,
    InvalidTransition,
    ProducerUnavailable,
    RequestInProgress,
)
from orders.models import Allocation, IdempotencyRecord, Job, JobTransition, Order, OrderLine
from orders.payments.payouts import payout_request
from orders.payments.refunds import refund_for_lines, refund_rest_of_order
from orders.routing import LineRequest, RoutedLine, load_products, route_order

J = Job.Status
O = Order.Status  # noqa: E741


@dataclass(frozen=True)
class Contact:
    name: str
    email: str
    phone: str = ""


# --- Idempotency ---------------------------------------------------------------------


def request_fingerprint(body) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


def idempotency_claim(*, scope: str, key: str, body) -> IdempotencyRecord | None:
    """Claim a key inside the caller's transaction.

    Returns the stored record when the same request was answered before (replay
    it); None when this request now owns the key. A concurrent request with the
    same key waits on the unique index until the first commits, then sees it.
    """
    fingerprint = request_fingerprint(body)
    try:
        with transaction.atomic():
            IdempotencyRecord.objects.create(scope=scope, key=key, request_hash=fingerprint)
        return None
    except IntegrityError:
        record = IdempotencyRecord.objects.get(scope=scope, key=key)
    if record.request_hash != fingerprint:
        raise IdempotencyKeyReused()
    if record.response_status is None:
        raise RequestInProgress()
    return record


def idempotency_store(*, scope: str, key: str, status: int, body) -> None:
    IdempotencyRecord.objects.filter(scope=scope, key=key).update(
        response_status=status, response_body=json.loads(json.dumps(body, default=str))
    )


# --- Placing an order ------------------------------------------------------------------


def _transition(job: Job, to: str, *, by, note: str = "") -> None:
    JobTransition.objects.create(job=job, from_status=job.status, to_status=to, by=by, note=note)
    job.status = to


def _actor(user):
    return user if user is not None and user.is_authenticated else None


def _due_date(routed: list[RoutedLine]) -> datetime.date:
    lead = max((r.request.product.lead_time_days for r in routed), default=0)
    return timezone.localdate() + datetime.timedelta(days=max(lead, 1))


def _create_jobs(order: Order, routed: list[RoutedLine], *, by) -> list[Job]:
    """One job per producer for these lines, and their order lines."""
    by_producer: dict[int, list[RoutedLine]] = defaultdict(list)
    for line in routed:
        by_producer[line.producer.pk].append(line)
    jobs = []
    for group in by_producer.values():
        reasons = []
        for line in group:
            reasons.append(f"{line.request.product.title}: {line.reason}")
        jobs.append(
            Job(
                order=order,
                producer=group[0].producer,
                due_date=_due_date(group),
                routing_reason="\n".join(dict.fromkeys(reasons)),
                total=sum(
                    (
                        to_money(line.request.product.price * line.request.quantity)
                        for line in group
                    ),
                    Decimal("0"),
                ),
                dispatched=order.status != O.PENDING_PAYMENT,
            )
        )
    jobs = Job.objects.bulk_create(jobs)
    job_for = {job.producer_id: job for job in jobs}
    JobTransition.objects.bulk_create(
        [
            JobTransition(job=job, from_status="", to_status=J.ROUTED, by=_actor(by), note="routed")
            for job in jobs
        ]
    )
    OrderLine.objects.bulk_create(
        [
            OrderLine(
                order=order,
                job=job_for[line.producer.pk],
                product=line.request.product,
                title=line.request.product.title,
                unit_price=line.request.product.price,
                quantity=line.request.quantity,
                line_total=to_money(line.request.product.price * line.request.quantity),
            )
            for line in routed
        ]
    )
    return jobs


def _reserve_jobs(jobs: list[Job], routed: list[RoutedLine], *, by, order: Order) -> None:
    """Reserve what each job needs, one reservation per job, and record the allocations."""
    job_for = {job.producer_id: job for job in jobs}
    held: dict[tuple[int, int, int], Decimal] = defaultdict(Decimal)
    stock_by_job: dict[int, list[StockLine]] = defaultdict(list)
    for line in routed:
        job = job_for[line.producer.pk]
        for stock in line.stock:
            held[(job.pk, stock.material.pk, stock.location.pk)] += stock.quantity
            stock_by_job[job.pk].append(stock)
    # One reservation per job (not per line), each tagged with its job in the ledger.
    for job in jobs:
        if not stock_by_job[job.pk]:
            continue
        stock_reserve(
            lines=stock_by_job[job.pk],
            by=_actor(by),
            reason=f"Order {order.number}",
            producer=job.producer,
            reference=f"job-{job.pk}",
        )
    Allocation.objects.bulk_create(
        [
            Allocation(job_id=job_id, material_id=m, location_id=loc, quantity=qty)
            for (job_id, m, loc), qty in held.items()
        ]
    )


def order_place(
    *,
    customer,
    contact: Contact,
    lines: list[tuple[Product, int]],
    fulfilment: str,
    payment_method: str,
    delivery_address: str = "",
    delivery_point: tuple[Decimal, Decimal] | None = None,
    note: str = "",
) -> Order:
    """Place an order: route every line, make one job per producer, reserve what they need.

    All or nothing: if any line cannot be routed or reserved, nothing is written
    and InsufficientStock / ProducerUnavailable lists the lines. `pay_at_pickup`
    orders are confirmed at once; card orders wait for `confirm_payment`.
    """
    merged: dict[int, int] = defaultdict(int)
    for product, quantity in lines:
        merged[product.pk] += quantity
    products = load_products(list(merged))
    requests = [LineRequest(products[pk], qty) for pk, qty in merged.items()]
    with transaction.atomic():
        routed = route_order(requests, delivery_point=delivery_point)
        subtotal = sum(
            (to_money(r.request.product.price * r.request.quantity) for r in routed), Decimal("0")
        )
        order = Order.objects.create(
            customer=_actor(customer),
            contact_name=contact.name,
            contact_email=contact.email,
            contact_phone=contact.phone,
            fulfilment=fulfilment,
            delivery_address=delivery_address,
            delivery_latitude=delivery_point[0] if delivery_point else None,
            delivery_longitude=delivery_point[1] if delivery_point else None,
            note=note,
            payment_method=payment_method,
            subtotal=subtotal,
            total=subtotal,
            expires_at=timezone.now() + datetime.timedelta(minutes=settings.ORDER_PAYMENT_MINUTES),
        )
        jobs = _create_jobs(order, routed, by=customer)
        if payment_method == Order.PaymentMethod.PAY_AT_PICKUP:
            confirm_payment(order=order)
        # Last, so the stock rows stay locked for as little of the transaction as
        # possible: a popular product's buyers queue on that lock.
        _reserve_jobs(jobs, routed, by=customer, order=order)
    return order


def confirm_payment(*, order: Order) -> Order:
    """Everything after payment hangs on this: the order is confirmed and its jobs go out.

    Safe to call twice (a webhook delivered again): only the first call changes
    anything. The dispatch tasks are written in this transaction, so a crash
    after commit loses nothing.
    """
    from orders.dispatch import dispatch_jobs

    with transaction.atomic():
        locked = lock_objects.order_for_update(order.pk)
        if locked.status != O.PENDING_PAYMENT:
            return locked
        locked.status = O.PAID
        locked.confirmed_at = timezone.now()
        locked.expires_at = None
        locked.save(update_fields=["status", "confirmed_at", "expires_at", "updated_at"])
        jobs = list(locked.jobs.filter(status__in=Job.OPEN_STATUSES))
        Job.objects.filter(pk__in=[job.pk for job in jobs]).update(dispatched=True)
        dispatch_jobs(jobs=jobs, event="job.routed")
    order.status, order.confirmed_at, order.expires_at = (
        locked.status,
        locked.confirmed_at,
        locked.expires_at,
    )
    return locked


# --- Giving stock back -------------------------------------------------------------------


def _release(jobs: list[Job], *, by, reason: str) -> None:
    held = list(
        Allocation.objects.filter(job__in=jobs, state=Allocation.State.HELD).select_related(
            "material", "location"
        )
    )
    if not held:
        return
    for job in jobs:
        mine = [a for a in held if a.job_id == job.pk]
        if mine:
            stock_release(
                lines=[StockLine(a.material, a.location, a.quantity) for a in mine],
                by=_actor(by),
                reason=reason,
                producer=job.producer,
                reference=f"job-{job.pk}",
            )
    Allocation.objects.filter(pk__in=[a.pk for a in held]).update(state=Allocation.State.RELEASED)


def _cancel_jobs(order: Order, *, by, note: str) -> list[Job]:
    """Cancel the order's open jobs and give their stock back. Returns the cancelled jobs."""
    jobs = lock_objects.jobs_for_update(order_id=order.pk)
    open_jobs = [job for job in jobs if job.status in Job.OPEN_STATUSES]
    _release(open_jobs, by=by, reason=note)
    for job in open_jobs:
        _transition(job, J.CANCELLED, by=_actor(by), note=note)
        job.save(update_fields=["status", "updated_at"])
    OrderLine.objects.filter(job__in=open_jobs).update(cancelled=True)
    return open_jobs


def order_cancel(*, order: Order, by, reason: str = "Cancelled by the customer") -> Order:
    """Cancel before production starts; every reservation is given back exactly once.

    A paid card order is refunded through Stripe (by a task written in this
    transaction) and ends `refunded`.
    """
    from orders.dispatch import dispatch_jobs

    with transaction.atomic():
        locked = lock_objects.order_for_update(order.pk)
        paid = locked.status == O.PAID
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
        cancelled = _cancel_jobs(locked, by=by, note=reason)
        locked.status = O.CANCELLED
        locked.cancelled_at = timezone.now()
        locked.cancel_reason = reason
        # Paid by card: whatever was not given back yet is refunded through Stripe.
        if paid and refund_rest_of_order(order=locked, reason=reason):
            locked.status = O.REFUNDED
        locked.save(update_fields=["status", "cancelled_at", "cancel_reason", "updated_at"])
        # Co-ops that already had the work are told it is off.
        dispatch_jobs(jobs=[job for job in cancelled if job.dispatched], event="job.cancelled")
    return locked


def order_expire(*, order: Order) -> bool:
    """Give an unpaid order's stock back once its time is up. True if it expired now."""
    with transaction.atomic():
        locked = lock_objects.order_for_update(order.pk)
        if locked.status != O.PENDING_PAYMENT or not locked.expires_at:
            return False
        if locked.expires_at > timezone.now():
            return False
        _cancel_jobs(locked, by=None, note="Not paid in time")
        locked.status = O.CANCELLED
        locked.cancelled_at = timezone.now()
        locked.cancel_reason = "Not paid in time"
        locked.save(update_fields=["status", "cancelled_at", "cancel_reason", "updated_at"])
    return True


def orders_expire(*, limit: int = 500) -> int:
    """Expire every unpaid order past its time. Returns how many expired."""
    due = Order.objects.filter(status=O.PENDING_PAYMENT, expires_at__lte=timezone.now()).order_by(
        "expires_at"
    )[:limit]
    return sum(order_expire(order=order) for order in due)


# --- Jobs -------------------------------------------------------------------------------

ALLOWED = {
    "accept": ({J.ROUTED}, J.ACCEPTED),
    "decline": ({J.ROUTED, J.ACCEPTED}, J.DECLINED),
    "start": ({J.ACCEPTED}, J.IN_PRODUCTION),
    "ready": ({J.IN_PRODUCTION}, J.READY),
    "hand_over": ({J.READY}, J.HANDED_OVER),
}


VERBS = {
    "accept": "accepted",
    "decline": "declined",
    "start": "started",
    "ready": "marked ready",
    "hand_over": "handed over",
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


def _sync_order(order_id: int) -> None:
    """Move the order along with its jobs: in production, ready, completed, or cancelled."""
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
    if new != order.status and order.status not in (O.PENDING_PAYMENT, O.CANCELLED, O.REFUNDED):
        order.status = new
        now = timezone.now()
        if new == O.COMPLETED:
            order.completed_at = now
        if new == O.CANCELLED:
            order.cancelled_at, order.cancel_reason = now, "No co-op could make it"
        order.save()


def _move(job: Job, action: str, *, by, note: str = "") -> Job:
    locked = _locked_job(job, action)
    _transition(locked, ALLOWED[action][1], by=_actor(by), note=note)
    locked.save(update_fields=["status", "updated_at"])
    return locked


def job_accept(*, job: Job, by) -> Job:
    with transaction.atomic():
        return _move(job, "accept", by=by)


def job_start(*, job: Job, by) -> Job:
    """Start making: the materials held for the job are consumed (they leave the shelf)."""
    with transaction.atomic():
        locked = _move(job, "start", by=by)
        held = list(
            locked.allocations.filter(state=Allocation.State.HELD).select_related(
                "material", "location"
            )
        )
        if held:
            stock_consume(
                lines=[StockLine(a.material, a.location, a.quantity) for a in held],
                by=_actor(by),
                reason=f"Job {locked.pk} for order {locked.order.number}",
                producer=locked.producer,
                reference=f"job-{locked.pk}",
            )
            locked.allocations.filter(pk__in=[a.pk for a in held]).update(
                state=Allocation.State.CONSUMED
            )
        _sync_order(locked.order_id)
    return locked


def job_ready(*, job: Job, by) -> Job:
    from orders.dispatch import notify_customer_ready

    with transaction.atomic():
        locked = _move(job, "ready", by=by)
        _sync_order(locked.order_id)
        notify_customer_ready(job=locked)
    return locked


def job_hand_over(*, job: Job, by) -> Job:
    """Hand the goods over; a card-paid job's payout to its co-op is queued in this transaction."""
    with transaction.atomic():
        locked = _move(job, "hand_over", by=by)
        _sync_order(locked.order_id)
        payout_request(job=locked)
    return locked


def job_decline(*, job: Job, by, reason: str) -> Job:
    """Decline a job: its stock goes back; open designs go to the next candidate.

    Lines of an open design are routed again, leaving out every producer that
    declined this order before; lines that cannot go anywhere else are cancelled.
    Returns the declined job.
    """
    from orders.dispatch import dispatch_jobs

    with transaction.atomic():
        locked = _locked_job(job, "decline")
        _release([locked], by=by, reason=f"Declined: {reason}")
        _transition(locked, J.DECLINED, by=_actor(by), note=reason)
        locked.decline_reason = reason
        locked.save(update_fields=["status", "decline_reason", "updated_at"])
        order = lock_objects.order_for_update(locked.order_id)
        lines = list(locked.lines.filter(cancelled=False).select_related("product"))
        declined_by = set(
            order.jobs.filter(status=J.DECLINED).values_list("producer_id", flat=True)
        )
        reroutable = [line for line in lines if line.product.open_design]
        moved = []
        if reroutable:
            point = (
                (order.delivery_latitude, order.delivery_longitude)
                if order.delivery_latitude is not None
                else None
            )
            products = load_products([line.product_id for line in reroutable])
            requests = [
                LineRequest(products[line.product_id], line.quantity) for line in reroutable
            ]
            try:
                with transaction.atomic():
                    routed = route_order(
                        requests, delivery_point=point, exclude_producers=declined_by
                    )
                    new_jobs = _reroute(order, locked, reroutable, routed, by=by)
                    moved = reroutable
                    dispatch_jobs(jobs=new_jobs, event="job.routed")
            except (InsufficientStock, ProducerUnavailable):
                pass  # nobody else can make it now: those lines are cancelled below
        dropped = [line for line in lines if line not in moved]
        OrderLine.objects.filter(pk__in=[line.pk for line in dropped]).update(cancelled=True)
        # Paid by card: what nobody else can make is refunded through Stripe.
        refund_for_lines(order=order, job=locked, lines=dropped, reason=f"Declined: {reason}")
        _sync_order(order.pk)
    return locked


def _reroute(order, declined: Job, lines: list[OrderLine], routed: list[RoutedLine], *, by):
    by_producer: dict[int, list[tuple[OrderLine, RoutedLine]]] = defaultdict(list)
    for line, route in zip(lines, routed, strict=True):
        by_producer[route.producer.pk].append((line, route))
    jobs = []
    for pairs in by_producer.values():
        routes = [route for _, route in pairs]
        job = Job.objects.create(
            order=order,
            producer=routes[0].producer,
            due_date=_due_date(routes),
            routing_reason="\n".join(
                f"{r.request.product.title}: re-routed after {declined.producer.name} declined. "
                f"{r.reason}"
                for r in routes
            ),
            total=sum((line.line_total for line, _ in pairs), Decimal("0")),
            dispatched=True,
        )
        JobTransition.objects.create(
            job=job, from_status="", to_status=J.ROUTED, by=_actor(by), note="re-routed"
        )
        OrderLine.objects.filter(pk__in=[line.pk for line, _ in pairs]).update(job=job)
        stock = [s for r in routes for s in r.stock]
        stock_reserve(
            lines=stock, by=_actor(by), reason=f"Order {order.number}", reference=f"job-{job.pk}"
        )
        held: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
        for s in stock:
            held[(s.material.pk, s.location.pk)] += s.quantity
        Allocation.objects.bulk_create(
            [
                Allocation(job=job, material_id=m, location_id=loc, quantity=q)
                for (m, loc), q in held.items()
            ]
        )
        jobs.append(job)
    declined.total = Decimal("0")
    declined.save(update_fields=["total", "updated_at"])
    return jobs
