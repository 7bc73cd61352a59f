"""How an order reads on the storefront: its money and its steps, in words people use.

Words only: the rules (what may be cancelled, what was paid) are the services' and the
payment records'; these read them.
"""

from backend.money import format_money
from orders.models import Job, Order
from orders.selectors import order_payment_status

J = Job.Status
O = Order.Status  # noqa: E741
PAY_AT_PICKUP = Order.PaymentMethod.PAY_AT_PICKUP

# A job's status as a step of its timeline, and as where a part is now.
STEP_WORDS = {
    J.ROUTED: "Sent to the co-op",
    J.ACCEPTED: "Accepted by the co-op",
    J.IN_PRODUCTION: "In production",
    J.READY: "Ready to collect",
    J.HANDED_OVER: "Handed over",
    J.DECLINED: "Declined",
    J.CANCELLED: "Cancelled",
}
READY_FOR_DELIVERY = "Ready for delivery"

ORDER_WORDS = {
    O.PENDING_PAYMENT: "Waiting for payment",
    O.PAID: "Confirmed",
    O.IN_PRODUCTION: "In production",
    O.READY: "Ready to collect",
    O.COMPLETED: "Completed",
    O.CANCELLED: "Cancelled",
    O.REFUNDED: "Cancelled and refunded",
}

# The order page stops asking for news once the order is in one of these.
DONE = (O.COMPLETED, O.CANCELLED, O.REFUNDED)


def step_words(status: str, *, delivery: bool = False) -> str:
    if status == J.READY and delivery:
        return READY_FOR_DELIVERY
    return STEP_WORDS.get(status, status.replace("_", " ").capitalize())


def order_words(order: Order) -> str:
    if order.status == O.READY and order.fulfilment == Order.Fulfilment.DELIVERY:
        return READY_FOR_DELIVERY
    if order.status == O.PAID and order.payment_method == PAY_AT_PICKUP:
        return "Confirmed"
    return ORDER_WORDS.get(order.status, order.get_status_display())


# How the money stands (`orders.selectors.order_payment_status`), as the resident reads it.
MONEY_WORDS = {
    "awaiting_payment": "To pay by card: {due}",
    "paid": "Paid by card: {paid}",
    "partly_refunded": "Paid by card: {paid}, of which {refunded} refunded",
    "refunded": "Refunded to your card: {refunded}",
    "to_pay_at_pickup": "To pay at pickup: {due}",
    "paid_at_pickup": "Paid at pickup: {paid}",
    "waived": "Nothing charged at pickup",
    "not_charged": "Nothing to pay",
}


def money_words(order: Order) -> str:
    """What the resident paid or owes, from the payment records: a pay-at-pickup order is
    never "paid" before its co-op records what it took, a card order only once Stripe
    confirmed it. Give it an order from `with_details` (no queries then)."""
    status = order_payment_status(order)
    amounts = {
        "due": format_money(status.amount_due, order.currency),
        "paid": format_money(status.amount_paid, order.currency),
        "refunded": format_money(status.amount_refunded, order.currency),
    }
    return MONEY_WORDS[status.code].format(**amounts)


def cancellable(order: Order) -> bool:
    """Whether the resident may still cancel: not yet being made anywhere. The service
    checks again under its lock; this only decides whether to offer the button."""
    if order.status not in (O.PENDING_PAYMENT, O.PAID):
        return False
    started = {J.IN_PRODUCTION, J.READY, J.HANDED_OVER}
    return not any(job.status in started for job in order.jobs.all())
