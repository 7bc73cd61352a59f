"""How an order reads on the storefront: its money and its steps, in words people use.

Words only: the rules (what may be cancelled, what was paid) are the services' and the
payment records'; these read them.
"""

from backend.money import format_money
from orders.models import Job, Order, Payment

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


def _card_paid(order: Order) -> bool:
    try:
        payment = order.payment
    except Payment.DoesNotExist:
        return False
    return payment.status == Payment.Status.PAID


def money_words(order: Order) -> str:
    """What the resident paid or owes, truthfully: a pay-at-pickup order is never "paid"
    before it is collected, and a card order is "paid" only once its payment succeeded."""
    total = format_money(order.total, order.currency)
    if order.payment_method == PAY_AT_PICKUP:
        if order.status == O.COMPLETED:
            return f"Paid at pickup: {total}"
        if order.status in (O.CANCELLED, O.REFUNDED):
            return "Nothing to pay"
        return f"To pay at pickup: {total}"
    if order.status == O.REFUNDED:
        return f"Refunded to your card: {total}"
    if _card_paid(order):
        return f"Paid by card: {total}"
    if order.status == O.PENDING_PAYMENT:
        return f"To pay by card: {total}"
    return "Not paid"


def cancellable(order: Order) -> bool:
    """Whether the resident may still cancel: not yet being made anywhere. The service
    checks again under its lock; this only decides whether to offer the button."""
    if order.status not in (O.PENDING_PAYMENT, O.PAID):
        return False
    started = {J.IN_PRODUCTION, J.READY, J.HANDED_OVER}
    return not any(job.status in started for job in order.jobs.all())
