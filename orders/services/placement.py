"""Placing an order and confirming its payment."""

import datetime
from collections import defaultdict
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, Sum
from django.utils import timezone

from backend.money import to_money
from catalog.models import Product
from orders import lock_objects
from orders.dispatch import dispatch_jobs
from orders.emails import email_order_placed
from orders.exceptions import InvalidInput, OrderLimitExceeded
from orders.models import Job, Order, OrderLine, PickupPoint
from orders.routing import LineRequest, load_products, route_order
from orders.services.allocation import actor, jobs_create, jobs_reserve
from orders.services.inputs import Contact, order_input_check, order_total_check
from orders.services.no_shows import collect_by_for

O = Order.Status  # noqa: E741


def _requests(lines: list[tuple[Product, int]]) -> list[LineRequest]:
    """One request per product (two lines of one product are one line), freshly loaded."""
    merged: dict[int, int] = defaultdict(int)
    for product, quantity in lines:
        merged[product.pk] += quantity
    products = load_products(list(merged))
    gone = [
        pk for pk in merged if pk not in products or products[pk].status != Product.Status.PUBLISHED
    ]
    if gone:
        raise InvalidInput({"lines": ["Something in the order is no longer for sale."]})
    return [LineRequest(products[pk], quantity) for pk, quantity in merged.items()]


def _limits_check(*, customer, email: str, requests: list[LineRequest]) -> None:
    """Nobody holds more than ORDER_MAX_UNITS_PER_PRODUCT of one product, in one order or in
    all their open orders together (by account, or by contact email for guests).

    Locks the buyer (see `lock_objects.buyer_for_update`) before it counts."""
    cap = settings.ORDER_MAX_UNITS_PER_PRODUCT
    buyer, keys = Q(contact_email__iexact=email), [f"buyer-email:{email.lower()}"]
    if actor(customer) is not None:
        buyer |= Q(customer=customer)
        keys.append(f"buyer-user:{customer.pk}")
    # Until this transaction ends, this buyer's other placements wait here.
    lock_objects.buyer_for_update(*keys)
    # From the buyer's open orders to their lines (not from a popular product's lines).
    rows = (
        Order.objects.filter(buyer, status__in=Order.OPEN_STATUSES)
        .filter(lines__cancelled=False, lines__product_id__in=[r.product.pk for r in requests])
        .order_by()
        .values(product_id=F("lines__product_id"))
        .annotate(units=Sum("lines__quantity"))
    )
    held = {row["product_id"]: row["units"] for row in rows}
    for request in requests:
        product, already = request.product, held.get(request.product.pk, 0)
        if request.quantity + already <= cap:
            continue
        where = "in one order" if not already else f"at once ({already} in your open orders)"
        raise OrderLimitExceeded(
            f"One buyer may hold at most {cap} of {product.title} {where}.",
            product=product.slug,
            product_name=product.title,
            limit=cap,
            held=already,
            requested=request.quantity,
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
    pickup_point: PickupPoint | None = None,
) -> Order:
    """Place an order: route every line, make one job per producer, reserve what they need.

    Checks its whole input first: InvalidInput names each bad field (400), also
    `lines` when the total would not fit the money columns, and `pickup_point` when
    the point is closed or the order is delivered. Then,
    under a lock on the buyer, OrderLimitExceeded (409) refuses more of a product
    than one buyer may hold.
    Then all or nothing: InsufficientStock / ProducerUnavailable list the lines
    that cannot be met and nothing is written. Writes the order, its lines, jobs
    and transitions, then (last, so stock rows stay locked briefly) the
    reservations, each naming its job's producer. `pay_at_pickup` orders are
    confirmed at once (locking the order row); card orders wait for
    `confirm_payment`.
    """
    order_input_check(
        contact=contact,
        lines=lines,
        fulfilment=fulfilment,
        payment_method=payment_method,
        delivery_address=delivery_address,
        delivery_point=delivery_point,
        note=note,
        pickup_point=pickup_point,
    )
    requests = _requests(lines)
    order_total_check([to_money(r.product.price * r.quantity) for r in requests])
    with transaction.atomic():
        _limits_check(customer=customer, email=contact.email, requests=requests)
        routed = route_order(requests, delivery_point=delivery_point)
        totals = [to_money(r.request.product.price * r.request.quantity) for r in routed]
        subtotal = sum(totals, Decimal("0"))
        order = Order.objects.create(
            customer=actor(customer),
            contact_name=contact.name,
            contact_email=contact.email,
            contact_phone=contact.phone,
            fulfilment=fulfilment,
            delivery_address=delivery_address,
            delivery_latitude=delivery_point[0] if delivery_point else None,
            delivery_longitude=delivery_point[1] if delivery_point else None,
            note=note,
            pickup_point=pickup_point,
            payment_method=payment_method,
            subtotal=subtotal,
            total=subtotal,
            expires_at=timezone.now() + datetime.timedelta(minutes=settings.ORDER_PAYMENT_MINUTES),
        )
        order_lines = [
            OrderLine(
                order=order,
                product=r.request.product,
                title=r.request.product.title,
                unit_price=r.request.product.price,
                quantity=r.request.quantity,
                line_total=total,
            )
            for r, total in zip(routed, totals, strict=True)
        ]
        jobs = jobs_create(
            order=order,
            routed=routed,
            lines=order_lines,
            by=customer,
            dispatched=False,
            note="routed",
        )
        if payment_method == Order.PaymentMethod.PAY_AT_PICKUP:
            confirm_payment(order=order)
        # Last, so the stock rows stay locked for as little of the transaction as
        # possible: a popular product's buyers queue on that lock.
        jobs_reserve(order=order, jobs=jobs, routed=routed, by=customer)
    return order


def confirm_payment(*, order: Order) -> Order:
    """Everything after payment hangs on this: the order is confirmed and its jobs go out.

    Locks the order row. Safe to call twice (a webhook delivered again): only
    the first call changes anything. The dispatch tasks are written in this
    transaction, so a crash after commit loses nothing; so is the resident's
    confirmation email.
    """
    with transaction.atomic():
        locked = lock_objects.order_for_update(order.pk)
        if locked.status != O.PENDING_PAYMENT:
            return locked
        locked.status = O.PAID
        locked.confirmed_at = timezone.now()
        locked.expires_at = None
        # Paying at pickup costs nothing now: the hold gets an end instead.
        locked.collect_by = collect_by_for(locked)
        locked.save(
            update_fields=["status", "confirmed_at", "expires_at", "collect_by", "updated_at"]
        )
        jobs = list(locked.jobs.filter(status__in=Job.OPEN_STATUSES))
        Job.objects.filter(pk__in=[job.pk for job in jobs]).update(dispatched=True)
        dispatch_jobs(jobs=jobs, event="job.routed")
        # The resident's confirmation, with the order's link: sent once, as the order is.
        email_order_placed(order=locked)
    order.status, order.confirmed_at, order.expires_at, order.collect_by = (
        locked.status,
        locked.confirmed_at,
        locked.expires_at,
        locked.collect_by,
    )
    return locked
