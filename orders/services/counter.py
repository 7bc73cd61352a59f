"""What a co-op takes at the counter when it hands over a pay-at-pickup job.

The hand-over records it (see `job_hand_over`): one `CounterPayment` per job,
split like a card payout between the co-op and the community fund.
"""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from backend.money import format_money, to_money
from orders.exceptions import CounterPaymentNotExpected, InvalidInput
from orders.models import CounterPayment, Job, Order
from orders.payments.fund import SettledShare, community_share_settled
from orders.payments.payouts import community_split, fund_percent
from orders.services.allocation import actor
from orders.services.inputs import Errors

COUNTER_REASON_MAX = 240
METHODS = CounterPayment.Method


@dataclass(frozen=True)
class CounterPaymentInput:
    """What was taken: `method` (cash, card_terminal, other), `amount`, and why less."""

    method: str
    amount: Decimal
    reason: str = ""


def takes_payment_at_counter(job: Job) -> bool:
    """Whether handing this job over means taking its money at the counter."""
    return job.order.payment_method == Order.PaymentMethod.PAY_AT_PICKUP


def _amount(value) -> Decimal | None:
    try:
        amount = Decimal(str(value).strip()) if not isinstance(value, Decimal) else value
    except (InvalidOperation, ValueError):
        return None
    return amount if amount.is_finite() else None


def counter_payment_check(*, job: Job, payment: CounterPaymentInput | None) -> None:
    """Check what is to be recorded for handing over `job`, before anything is written.

    A pay-at-pickup job needs a payment (InvalidInput on `payment`); a card-paid
    one refuses it (CounterPaymentNotExpected). The amount is from 0 to the
    job's total, in cents; taking less than the total, or nothing, needs a
    reason. Raises InvalidInput naming `method`, `amount` and `reason`.
    """
    if not takes_payment_at_counter(job):
        if payment is not None:
            raise CounterPaymentNotExpected()
        return
    if payment is None:
        raise InvalidInput(
            {"payment": ["Say how the customer paid and how much was taken at the counter."]}
        )
    errors = Errors()
    if payment.method not in METHODS.values:
        errors.add("method", "Choose cash, card terminal or other.")
    amount = _amount(payment.amount)
    total = format_money(job.total)
    if amount is None:
        errors.add("amount", "Enter an amount in dollars and cents, such as 25.00.")
    elif amount < 0:
        errors.add("amount", "The amount taken cannot be negative.")
    elif amount > job.total:
        errors.add("amount", f"This part comes to {total}: take no more than that.")
    elif amount != to_money(amount):
        errors.add("amount", "Give the amount to the cent.")
    short = amount is not None and 0 <= amount < job.total
    errors.text(
        "reason",
        payment.reason,
        limit=COUNTER_REASON_MAX,
        required=short,
        missing=f"Say why less than {total} was taken (or why it was waived).",
    )
    errors.raise_if_any()


def counter_payment_record(*, job: Job, payment: CounterPaymentInput, by) -> CounterPayment:
    """Record what was taken for a job being handed over, split for the community fund.

    Call it inside the hand-over's transaction, with the job locked and the
    input passed by `counter_payment_check`. Writes one CounterPayment (a second
    for the same job breaks its unique key) and tells the community fund of its
    share.
    """
    percent = fund_percent()
    amount = to_money(payment.amount)
    coop_share, share = community_split(total=amount, percent=percent)
    row = CounterPayment.objects.create(
        job=job,
        producer_id=job.producer_id,
        method=payment.method,
        amount=amount,
        due=job.total,
        reason=payment.reason.strip(),
        coop_share=coop_share,
        community_share=share,
        community_percent=percent,
        recorded_by=actor(by),
    )
    community_share_settled(
        share=SettledShare(
            source="counter_payment",
            source_id=row.pk,
            job_id=job.pk,
            producer_id=job.producer_id,
            sale=amount,
            share=share,
        )
    )
    return row
