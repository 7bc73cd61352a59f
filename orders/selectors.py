"""Reads shared by the API and the storefront."""

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Prefetch, QuerySet

from orders.models import (
    Job,
    JobTransition,
    Order,
    OrderLine,
    Payment,
    PickupPoint,
    Refund,
    WebhookAttempt,
    WebhookDelivery,
)
from producers import permissions
from producers.models import Capability

O = Order.Status  # noqa: E741


def orders_of(user) -> QuerySet[Order]:
    """A signed-in customer's own orders; platform staff see every order."""
    orders = Order.objects.all()
    if not permissions.is_platform_staff(user):
        orders = orders.filter(customer=user) if user.is_authenticated else orders.none()
    return with_details(orders)


def with_details(orders: QuerySet[Order]) -> QuerySet[Order]:
    """Orders with their lines, jobs and timeline, and what `order_payment_status` and
    `job_payment_status` read (the card payment, refunds, counter payments)."""
    return orders.select_related("payment", "pickup_point").prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.select_related("product", "job__producer")),
        Prefetch(
            "jobs",
            queryset=Job.objects.select_related("producer", "counter_payment").prefetch_related(
                Prefetch("transitions", queryset=JobTransition.objects.order_by("created_at", "id"))
            ),
        ),
        "refunds",
    )


def jobs_visible_to(user) -> QuerySet[Job]:
    """Jobs of the producers the user belongs to, once their order is confirmed."""
    jobs = Job.objects.select_related(
        "producer", "order", "order__payment", "order__pickup_point", "counter_payment"
    ).prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.select_related("product")),
        "order__refunds",
        Prefetch("transitions", queryset=JobTransition.objects.select_related("by")),
        "allocations__material",
        "allocations__location",
        "allocations__offcut__material",
    )
    if permissions.is_platform_staff(user):
        return jobs
    return jobs.filter(producer_id__in=permissions.producer_ids_for(user), dispatched=True)


def deliveries_for(*, producer_ids=None) -> QuerySet[WebhookDelivery]:
    """Webhook deliveries, newest first, each with its attempts (for the API and the workbench).

    `producer_ids=None` means every producer (platform staff).
    """
    deliveries = WebhookDelivery.objects.select_related("producer", "job__order").prefetch_related(
        Prefetch("attempt_log", queryset=WebhookAttempt.objects.order_by("number"))
    )
    if producer_ids is not None:
        deliveries = deliveries.filter(producer_id__in=producer_ids)
    return deliveries.order_by("-created_at", "-id")


def order_for(*, number: str, user, token: str | None) -> Order | None:
    """The order if this user may follow it: its customer, platform staff, or whoever
    holds its access token (compared in constant time). None for everyone else."""
    order = with_details(Order.objects.filter(number=number)).first()
    if order is None:
        return None
    owner = user.is_authenticated and order.customer_id == user.pk
    if owner or permissions.is_platform_staff(user) or order.token_matches(token):
        return order
    return None


# --- How the money of an order, or of one job, stands -------------------------------------

J = Job.Status
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class PaymentStatus:
    """How the money stands, in words a customer or a co-op can be shown.

    `code` is one of PAYMENT_STATUSES; `label` says it in plain words;
    `amount_due` is what is still to be paid (at pickup, or by card), 0 when
    nothing is; `amount_paid` what was taken (by card, or at the counter);
    `amount_refunded` what was given back or is being given back.
    """

    code: str
    label: str
    amount_due: Decimal = ZERO
    amount_paid: Decimal = ZERO
    amount_refunded: Decimal = ZERO


# Never "paid" for money that was not taken: a pay-at-pickup order is to pay at pickup
# until its co-op records what it took at the counter.
PAYMENT_STATUSES = {
    "paid": "Paid by card",
    "awaiting_payment": "Waiting for card payment",
    "refunded": "Refunded",
    "partly_refunded": "Partly refunded",
    "to_pay_at_pickup": "To pay at pickup",
    "paid_at_pickup": "Paid at pickup",
    "waived": "Nothing charged at pickup",
    "not_charged": "Not charged",
}


def _status(code: str, **amounts: Decimal) -> PaymentStatus:
    return PaymentStatus(code=code, label=PAYMENT_STATUSES[code], **amounts)


def _related(obj, name: str):
    """A one-to-one relation that may be absent (select_related leaves no query to make)."""
    try:
        return getattr(obj, name)
    except ObjectDoesNotExist:
        return None


def _card_payment(order: Order) -> Payment | None:
    payment = _related(order, "payment")
    return payment if payment is not None and payment.status == Payment.Status.PAID else None


def _refunded(refunds) -> Decimal:
    return sum((r.amount for r in refunds if r.status != Refund.Status.FAILED), ZERO)


def order_payment_status(order: Order) -> PaymentStatus:
    """How an order's money stands. Give it an order from `with_details` (no queries then).

    Card: waiting for payment, paid, partly refunded or refunded, or not charged
    (cancelled before paying). Pay at pickup: to pay at pickup (with what is still
    due for the parts not yet handed over), paid at pickup once every part is
    handed over and something was taken, or not charged.
    """
    if order.payment_method == Order.PaymentMethod.PAY_AT_PICKUP:
        return _pickup_order_status(order)
    payment = _card_payment(order)
    if payment is None:
        if not order.is_open:
            return _status("not_charged")
        return _status("awaiting_payment", amount_due=order.total)
    refunded = _refunded(order.refunds.all())
    amounts = {"amount_paid": payment.amount, "amount_refunded": refunded}
    if refunded >= payment.amount:
        return _status("refunded", **amounts)
    if refunded > 0:
        return _status("partly_refunded", **amounts)
    return _status("paid", **amounts)


def _pickup_order_status(order: Order) -> PaymentStatus:
    live = [job for job in order.jobs.all() if job.status not in (J.DECLINED, J.CANCELLED)]
    taken = [_related(job, "counter_payment") for job in order.jobs.all()]
    paid = sum((row.amount for row in taken if row is not None), ZERO)
    if order.is_open:
        due = sum((job.total for job in live if job.status != J.HANDED_OVER), ZERO)
        if due > 0:
            return _status("to_pay_at_pickup", amount_due=due, amount_paid=paid)
    if paid > 0:
        return _status("paid_at_pickup", amount_paid=paid)
    if any(row is not None for row in taken):
        return _status("waived")
    return _status("not_charged")


def job_payment_status(job: Job) -> PaymentStatus:
    """How the money for one job (one co-op's part of an order) stands.

    Give it a job from `jobs_visible_to`, or one of an order from `with_details`
    together with that order (`job.order` is then the cached order).
    """
    order = job.order
    if job.status in (J.DECLINED, J.CANCELLED):
        refunds = [r for r in order.refunds.all() if r.job_id in (job.pk, None)]
        if order.payment_method == Order.PaymentMethod.STRIPE and _refunded(refunds) > 0:
            return _status("refunded", amount_refunded=_refunded(refunds))
        return _status("not_charged")
    if order.payment_method == Order.PaymentMethod.PAY_AT_PICKUP:
        row = _related(job, "counter_payment")
        if row is None:
            return _status("to_pay_at_pickup", amount_due=job.total)
        return _status("paid_at_pickup" if row.amount > 0 else "waived", amount_paid=row.amount)
    if _card_payment(order) is None:
        return _status("awaiting_payment", amount_due=job.total)
    return _status("paid", amount_paid=job.total)


def pickup_points_kept_by(user) -> QuerySet[PickupPoint]:
    """The pickup points whose keeper the user belongs to; every point for platform staff."""
    points = PickupPoint.objects.select_related("keeper")
    if permissions.is_platform_staff(user):
        return points
    return points.filter(keeper_id__in=permissions.producer_ids_for(user))


def pickup_point_orders(point: PickupPoint) -> QuerySet[Order]:
    """Confirmed, open orders gathered at the point, each with its parts (dispatched jobs,
    their co-op and lines), earliest due first."""
    live = (O.PAID, O.IN_PRODUCTION, O.READY)
    return (
        Order.objects.filter(pickup_point=point, status__in=live)
        .prefetch_related(
            Prefetch(
                "jobs",
                queryset=Job.objects.filter(dispatched=True)
                .select_related("producer")
                .prefetch_related(
                    Prefetch("lines", queryset=OrderLine.objects.filter(cancelled=False))
                )
                .order_by("due_date", "pk"),
            )
        )
        .order_by("created_at", "pk")
    )


def job_capabilities(job: Job) -> QuerySet[Capability]:
    """The capabilities the goods of `job` need: what its makers must be certified for."""
    return Capability.objects.filter(products__pk__in=job.lines.values("product_id")).distinct()
