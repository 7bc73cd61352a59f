"""Spending and correcting the community fund: never below zero, every change on the ledger."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from community.exceptions import FundTooLow
from community.models import Disbursement, FundEntry
from community.selectors import fund_balance, fund_drift
from community.services.fund import adjustment_record, disbursement_record
from orders.models import CounterPayment
from tests.community.rounds import make_round
from tests.factories import UserFactory, hand_over, place

pytestmark = pytest.mark.django_db


@pytest.fixture
def treasurer():
    return UserFactory(is_staff=True)


@pytest.fixture
def fund_of_twelve(stool):
    """Two cash sales of 120.00 at 5%: 12.00 in the fund."""
    for _ in range(2):
        hand_over(place((stool, 2)).jobs.get())
    assert fund_balance() == Decimal("12.00")


def pay(treasurer, amount: str) -> Disbursement:
    return disbursement_record(
        amount=Decimal(amount), paid_to="Westside Garden", purpose="Seeds", by=treasurer
    )


def test_a_disbursement_writes_its_debit_and_lowers_the_balance(fund_of_twelve, treasurer):
    disbursement = pay(treasurer, "10.50")

    debit = FundEntry.objects.get(kind="disbursement")
    assert (debit.amount, debit.source_id) == (Decimal("-10.50"), disbursement.pk)
    assert fund_balance() == Decimal("1.50")
    assert fund_drift() == []


def test_a_disbursement_larger_than_the_fund_is_refused_and_nothing_is_written(
    fund_of_twelve, treasurer
):
    with pytest.raises(FundTooLow) as refused:
        pay(treasurer, "12.01")

    assert refused.value.code == "fund_too_low"
    assert not Disbursement.objects.exists()
    assert fund_balance() == Decimal("12.00")


@pytest.mark.parametrize("amount", ["0", "-5", "0.004"])
def test_a_disbursement_of_nothing_or_less_is_refused(fund_of_twelve, treasurer, amount):
    with pytest.raises(ValidationError) as refused:
        pay(treasurer, amount)

    assert "amount" in refused.value.message_dict
    assert not Disbursement.objects.exists()


def test_a_disbursement_says_who_was_paid(fund_of_twelve, treasurer):
    with pytest.raises(ValidationError) as refused:
        disbursement_record(amount=Decimal("1"), paid_to="  ", purpose="Seeds", by=treasurer)

    assert "paid_to" in refused.value.message_dict


def test_an_adjustment_needs_a_reason(fund_of_twelve, treasurer):
    with pytest.raises(ValidationError) as refused:
        adjustment_record(amount=Decimal("2"), reason="", by=treasurer)

    assert "reason" in refused.value.message_dict
    assert not FundEntry.objects.filter(kind="adjustment").exists()


def test_an_adjustment_down_cannot_take_the_fund_below_zero(fund_of_twelve, treasurer):
    with pytest.raises(FundTooLow):
        adjustment_record(amount=Decimal("-12.01"), reason="Bank fee", by=treasurer)

    assert fund_balance() == Decimal("12.00")


def test_an_adjustment_moves_the_balance_and_keeps_its_author(fund_of_twelve, treasurer):
    adjustment_record(amount=Decimal("-0.40"), reason="Bank fee", by=treasurer)

    assert fund_balance() == Decimal("11.60")
    assert FundEntry.objects.get(kind="adjustment").created_by == treasurer


def settled_without_credit(stool) -> CounterPayment:
    """A counter payment written behind the services' back: no credit reached the ledger."""
    job = place((stool, 1)).jobs.get()
    return CounterPayment.objects.create(
        job=job,
        producer=job.producer,
        method="cash",
        amount=Decimal("60.00"),
        due=Decimal("60.00"),
        coop_share=Decimal("57.00"),
        community_share=Decimal("3.00"),
        community_percent=Decimal("5.00"),
    )


def test_reconcile_finds_a_sale_whose_share_was_never_credited(fund_of_twelve, stool):
    settled_without_credit(stool)

    (problem,) = fund_drift()

    assert "no ledger entry for 3.00" in problem


def test_reconcile_finds_a_credit_that_differs_from_its_sale(fund_of_twelve, stool):
    payment = settled_without_credit(stool)
    FundEntry.objects.create(
        kind="sale",
        amount=Decimal("3.01"),
        reason="Miscounted",
        source="counter_payment",
        source_id=payment.pk,
    )

    (problem,) = fund_drift()

    assert "the ledger says 3.01, the record 3.00" in problem


def test_reconcile_finds_a_ledger_entry_without_its_record(fund_of_twelve):
    FundEntry.objects.create(
        kind="sale", amount=Decimal("1.00"), reason="Nowhere", source="payout", source_id=999_999
    )

    (problem,) = fund_drift()

    assert "has no record" in problem


def test_the_reconcile_command_fails_when_the_ledger_has_drifted(fund_of_twelve, stool):
    settled_without_credit(stool)

    with pytest.raises(CommandError, match="drifted: 1 problem"):
        call_command("reconcile_fund")


def test_the_reconcile_command_reports_the_balance_when_all_agrees(fund_of_twelve, capsys):
    call_command("reconcile_fund")

    assert "The ledger agrees. Balance: $12.00" in capsys.readouterr().out


def test_a_disbursement_cannot_spend_what_a_budgeting_round_has_promised(fund_of_twelve, treasurer):
    make_round(budget="10.00")

    with pytest.raises(FundTooLow, match="promised to budgeting rounds"):
        pay(treasurer, "2.01")

    assert pay(treasurer, "2.00").amount == Decimal("2.00")
