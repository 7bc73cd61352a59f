"""Placing an order and confirming its payment."""

import datetime
from collections import defaultdict
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q, Sum
from django.utils import timezone

from backend.money import to_money
from catalog.models import Product
from catalog.services.options import Choice, Chosen, choice_resolve
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

# A product and how many; with what was chosen (options, personal text) when it has any.
OrderLineInput = tuple[Product, int] | tuple[Product, int, Chosen | None]


def _requests(lines: list[OrderLineInput]) -> list[LineRequest]:
    """One request per product and choice (two lines of the same thing are one line), freshly
    loaded; each choice checked against the product as it is now (InvalidInput on `lines`)."""
    products = load_products({line[0].pk for line in lines})
    gone = [
        line[0]
        for line in lines
        if line[0].pk not in products or products[line[0].pk].status != Product.Status.PUBLISHED
    ]
    if gone:
        raise InvalidInput({"lines": ["Something in the order is no longer for sale."]})
    merged: dict[tuple[int, str], int] = defaultdict(int)
    choices: dict[tuple[int, str], Choice] = {}
    problems: list[str] = []
    for product, quantity, *rest in lines:
        fresh = products[product.pk]
        try:
            choice = choice_resolve(product=fresh, chosen=rest[0] if rest else None)
        except ValidationError as error:
            problems += [f"{fresh.title}: {m}" for ms in error.message_dict.values() for m in ms]
            continue
        merged[(fresh.pk, choice.key)] += quantity
        choices[(fresh.pk, choice.key)] = choice
    if problems:
        raise InvalidInput({"lines": problems})
    return [
        LineRequest(products[pk], quantity, choices[(pk, key)])
        for (pk, key), quantity in merged.items()
    ]


def unit_price(request: LineRequest) -> Decimal:
    """The product's price plus what the chosen values add: always the shop's, never a form's."""
    return request.product.price + request.choice.price_delta


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
    # Two sizes of one product count together.
    wanted: dict[int, int] = defaultdict(int)
    for request in requests:
        wanted[request.product.pk] += request.quantity
    for request in {request.product.pk: request for request in requests}.values():
        product, already = request.product, held.get(request.product.pk, 0)
        quantity = wanted[product.pk]
        if quantity + already <= cap:
            continue
        where = "in one order" if not already else f"at once ({already} in your open orders)"
        raise OrderLimitExceeded(
            f"One buyer may hold at most {cap} of {product.title} {where}.",
            product=product.slug,
            product_name=product.title,
            limit=cap,
            held=already,
            requested=quantity,
        )


def order_place(
    *,
    customer,
    contact: Contact,
    lines: list[OrderLineInput],
    fulfilment: str,
    payment_method: str,
    delivery_address: str = "",
    delivery_point: tuple[Decimal, Decimal] | None = None,
    note: str = "",
    pickup_point: PickupPoint | None = None,
) -> Order:
    """Place an order: route every line, make one job per producer, reserve what they need.

    Each line is `(product, quantity)` or `(product, quantity, Chosen)`: the options
    and personal text picked, checked by `choice_resolve` (InvalidInput on `lines`);
    the line's price is the product's plus the chosen values' differences, and a
    ready-made product with options is reserved from its combination's own count.

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
    order_total_check([to_money(unit_price(r) * r.quantity) for r in requests])
    with transaction.atomic():
        _limits_check(customer=customer, email=contact.email, requests=requests)
        routed = route_order(requests, delivery_point=delivery_point)
        totals = [to_money(unit_price(r.request) * r.request.quantity) for r in routed]
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
                unit_price=unit_price(r.request),
                quantity=r.request.quantity,
                line_total=total,
                variant=r.request.choice.variant,
                options=r.request.choice.options_snapshot(),
                personalisation=r.request.choice.personalisation_snapshot(),
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
