"""Every write to orders and jobs. Each public function is one transaction.

placement (order_place, confirm_payment) · jobs (a job's moves, declining and
re-routing) · cancellation (cancel, expire) · no_shows (pay-at-pickup holds end) ·
collection (reminders to collect, a co-op marking a no-show) ·
allocation (the one way jobs are made and their stock held and given back) ·
inputs (what the services accept) ·
counter (what a co-op takes at the counter for a pay-at-pickup job) ·
pickup (parts gathered at a pickup point).
"""

from orders.services.cancellation import order_cancel, order_expire, orders_expire
from orders.services.collection import (
    job_no_show,
    order_remind_to_collect,
    orders_remind_to_collect,
)
from orders.services.counter import CounterPaymentInput, takes_payment_at_counter
from orders.services.inputs import Contact
from orders.services.jobs import (
    ALLOWED,
    VERBS,
    job_accept,
    job_decline,
    job_hand_over,
    job_ready,
    job_start,
)
from orders.services.no_shows import (
    NOT_COLLECTED,
    order_release_no_show,
    orders_release_no_shows,
)
from orders.services.pickup import job_arrive_at_point, order_hand_over_at_point
from orders.services.placement import confirm_payment, order_place

__all__ = [
    "ALLOWED",
    "NOT_COLLECTED",
    "VERBS",
    "Contact",
    "CounterPaymentInput",
    "confirm_payment",
    "job_accept",
    "job_arrive_at_point",
    "job_decline",
    "job_hand_over",
    "job_no_show",
    "job_ready",
    "job_start",
    "order_cancel",
    "order_expire",
    "order_hand_over_at_point",
    "order_place",
    "order_release_no_show",
    "order_remind_to_collect",
    "orders_expire",
    "orders_release_no_shows",
    "orders_remind_to_collect",
    "takes_payment_at_counter",
]
