"""Card payments through Stripe: checkout, webhooks, refunds, payouts, the community fund.

Money is Decimal everywhere here; integer cents exist only in the parameters
sent to Stripe and in what is read back from it. Stripe is never called inside
a transaction that holds our row locks: a service writes what it intends in
one short transaction, calls Stripe, then records the outcome in another.
"""

from orders.payments.checkout import checkout_start
from orders.payments.events import stripe_event_receive
from orders.payments.payouts import community_split, payout_request, payout_send
from orders.payments.refunds import refund_for_lines, refund_rest_of_order, refund_send
from orders.payments.reports import community_wealth
from orders.payments.retries import payments_retry_due

__all__ = [
    "checkout_start",
    "community_split",
    "community_wealth",
    "payments_retry_due",
    "payout_request",
    "payout_send",
    "refund_for_lines",
    "refund_rest_of_order",
    "refund_send",
    "stripe_event_receive",
]
