"""Every settled sale credits its community share to the fund, once, in the same transaction."""

from decimal import Decimal

import pytest

from community.models import FundEntry
from community.selectors import fund_balance, fund_drift
from orders.payments.fund import SettledShare, community_share_settled
from orders.services import CounterPaymentInput
from tests.factories import hand_over, place

pytestmark = pytest.mark.django_db


def test_a_cash_hand_over_credits_the_sales_community_share(stool):
    job = hand_over(place((stool, 2)).jobs.get())  # 120.00 at 5%

    (entry,) = FundEntry.objects.all()

    assert (entry.kind, entry.source, entry.amount, entry.sale) == (
        "sale",
        "counter_payment",
        Decimal("6.00"),
        Decimal("120.00"),
    )
    assert (entry.producer_id, entry.job_id) == (job.producer_id, job.pk)


def test_a_short_cash_payment_credits_the_share_of_what_was_taken(stool):
    taken = CounterPaymentInput(method="cash", amount=Decimal("100.00"), reason="Neighbour's rate")
    hand_over(place((stool, 2)).jobs.get(), payment=taken)

    assert fund_balance() == Decimal("5.00")


def test_a_card_sale_credits_its_payouts_community_share(stool, paid_card_order):
    job = hand_over(paid_card_order((stool, 1)).jobs.get())  # 60.00 at 5%

    (entry,) = FundEntry.objects.all()
    assert (entry.source, entry.amount, entry.source_id) == (
        "payout",
        Decimal("3.00"),
        job.payout.pk,
    )
    assert fund_drift() == []


def test_a_share_announced_twice_is_credited_once(stool):
    job = hand_over(place((stool, 1)).jobs.get())
    payment = job.counter_payment
    again = SettledShare(
        source="counter_payment",
        source_id=payment.pk,
        job_id=job.pk,
        producer_id=job.producer_id,
        sale=payment.amount,
        share=payment.community_share,
    )

    community_share_settled(share=again)

    assert FundEntry.objects.count() == 1
    assert fund_balance() == Decimal("3.00")
