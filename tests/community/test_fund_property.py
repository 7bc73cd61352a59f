"""Whatever happens, in whatever order, the fund holds exactly the community shares of the
sales that settled, less what it paid out.

Hypothesis draws sequences of cash sales (some short-paid), card sales with their
payouts, card orders partly refunded because a co-op declined its part, and
disbursements within the balance, at several fund percentages. Each example runs
in a savepoint that is rolled back, so every one starts from an empty fund. The
expected balance is worked out here, from the sale prices, not read back from the
payouts the code wrote.
"""

from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalog.services.products import product_stock_receive
from community.models import FundEntry
from community.reports import community_figures
from community.selectors import fund_balance, fund_drift
from community.services.fund import disbursement_record
from orders.models import Refund
from orders.services import CounterPaymentInput, job_decline
from tests.factories import UserFactory, hand_over, make_product, place
from tests.payments.conftest import (  # noqa: F401 - fixtures for the card sales
    card_order,
    fake_stripe,
    paid_card_order,
    stripe_sender,
    stripe_settings,
)

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

CENT = Decimal("0.01")


def share_of(amount: Decimal, percent: Decimal) -> Decimal:
    return (amount * percent / 100).quantize(CENT, rounding=ROUND_HALF_UP)


cash_sale = st.tuples(
    st.just("cash"), st.integers(1, 3), st.sampled_from([None, Decimal("0.5"), Decimal("0")])
)
card_sale = st.tuples(st.just("card"), st.integers(1, 3))
refunded_sale = st.tuples(st.just("declined"), st.integers(1, 2))
disbursement = st.tuples(st.just("disburse"), st.integers(1, 100))
steps = st.lists(st.one_of(cash_sale, card_sale, refunded_sale, disbursement), max_size=6)


@pytest.fixture
def goods(woodshop, sewing):
    """Prices whose shares fall on half-cents, and plenty in stock."""
    lamp = make_product(producer=woodshop, title="Lamp", price=Decimal("19.99"))
    tote = make_product(producer=sewing, title="Tote bag", price=Decimal("33.33"))
    for product in (lamp, tote):
        product_stock_receive(product=product, quantity=500, by=None, reason="made")
    return lamp, tote


@settings(
    max_examples=12,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=steps, percent=st.sampled_from(["5", "7.5", "12.5", "0"]))
def test_the_balance_is_the_shares_of_settled_sales_less_disbursements(
    goods,
    paid_card_order,  # noqa: F811 - the fixture imported above
    steps,
    percent,
):
    lamp, tote = goods
    treasurer = UserFactory(is_staff=True)
    expected_shares = Decimal("0.00")
    disbursed = Decimal("0.00")
    rate = Decimal(percent)
    with override_settings(COMMUNITY_FUND_PERCENT=percent), transaction.atomic():
        for step in steps:
            kind = step[0]
            if kind == "cash":
                _, quantity, fraction = step
                job = place((lamp, quantity)).jobs.get()
                taken = job.total if fraction is None else (job.total * fraction).quantize(CENT)
                payment = CounterPaymentInput(method="cash", amount=taken, reason="Neighbour rate")
                hand_over(job, payment=payment)
                expected_shares += share_of(taken, rate)
            elif kind == "card":
                job = paid_card_order((lamp, step[1])).jobs.get()
                hand_over(job)
                expected_shares += share_of(job.total, rate)
            elif kind == "declined":
                order = paid_card_order((lamp, step[1]), (tote, 1))
                declined = order.jobs.get(producer=tote.producer)
                job_decline(job=declined, by=None, reason="Out of canvas this week")
                kept = order.jobs.get(producer=lamp.producer)
                hand_over(kept)
                assert Refund.objects.filter(order=order).exists()
                expected_shares += share_of(kept.total, rate)
            else:
                balance = fund_balance()
                amount = (balance * step[1] / 100).quantize(CENT, rounding="ROUND_DOWN")
                if amount > 0:
                    disbursement_record(
                        amount=amount, paid_to="Garden", purpose="Seed", by=treasurer
                    )
                    disbursed += amount

        assert fund_balance() == expected_shares - disbursed
        assert fund_drift() == []
        figures = community_figures(today=timezone.localdate())
        assert figures["fund"]["balance"] == expected_shares - disbursed
        assert figures["totals"]["to_fund"] == expected_shares
        assert sum(row["to_fund"] for row in figures["producers"]) == expected_shares
        assert FundEntry.objects.filter(kind="sale").count() == sum(
            1 for step in steps if step[0] != "disburse"
        )
        transaction.set_rollback(True)
