"""Handing over a pay-at-pickup job records what the co-op took at the counter."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orders.exceptions import CounterPaymentNotExpected, InvalidInput
from orders.models import CounterPayment, Job, JobTransition, Order, Payout
from orders.payments import payouts
from orders.payments.payouts import community_split
from orders.services import (
    CounterPaymentInput,
    counter,
    job_accept,
    job_hand_over,
    job_ready,
    job_start,
)
from tests.factories import MembershipFactory, place

pytestmark = pytest.mark.django_db


def ready(job: Job) -> Job:
    for move in (job_accept, job_start, job_ready):
        job = move(job=job, by=None)
    return job


@pytest.fixture
def ready_job(stool):
    """Two stools (120.00) ready to collect and pay for at the woodshop's counter."""
    return ready(place((stool, 2)).jobs.get())


@pytest.fixture
def ready_card_job(stool, paid_card_order):
    return ready(paid_card_order((stool, 1)).jobs.get())


def cash(amount: str, reason: str = "") -> CounterPaymentInput:
    return CounterPaymentInput(method="cash", amount=Decimal(amount), reason=reason)


def nothing_written(job: Job) -> bool:
    job.refresh_from_db()
    return (
        job.status == Job.Status.READY
        and not CounterPayment.objects.exists()
        and not JobTransition.objects.filter(job=job, to_status="handed_over").exists()
    )


# --- The service --------------------------------------------------------------------------


def test_handing_over_records_the_cash_taken_and_its_split(ready_job, woodshop):
    manager = MembershipFactory(producer=woodshop).user

    job_hand_over(job=ready_job, by=manager, payment=cash("120.00"))

    row = CounterPayment.objects.get()
    assert (row.job, row.producer, row.method) == (ready_job, woodshop, "cash")
    assert (row.amount, row.due, row.reason) == (Decimal("120.00"), Decimal("120.00"), "")
    assert (row.community_share, row.coop_share) == (Decimal("6.00"), Decimal("114.00"))
    assert row.community_percent == Decimal("5.00")
    assert row.recorded_by == manager
    assert Order.objects.get().status == Order.Status.COMPLETED


def test_a_counter_payment_makes_no_card_payout(ready_job):
    job_hand_over(job=ready_job, by=None, payment=cash("120.00"))

    assert not Payout.objects.exists()


def test_a_short_payment_with_a_reason_is_recorded(ready_job):
    job_hand_over(job=ready_job, by=None, payment=cash("100.00", "Regular's discount"))

    row = CounterPayment.objects.get()
    assert (row.amount, row.due, row.reason) == (
        Decimal("100.00"),
        Decimal("120.00"),
        "Regular's discount",
    )
    assert row.short


def test_a_waiver_with_a_reason_records_nothing_taken(ready_job):
    job_hand_over(
        job=ready_job,
        by=None,
        payment=CounterPaymentInput(method="other", amount=Decimal("0"), reason="Scratched"),
    )

    row = CounterPayment.objects.get()
    assert (row.amount, row.community_share, row.coop_share) == (Decimal("0"),) * 3


@pytest.mark.parametrize(
    ("payment", "field"),
    [
        (cash("-1.00"), "amount"),
        (cash("120.01"), "amount"),
        (cash("119.99"), "reason"),
        (cash("0"), "reason"),
        (cash("0", "   "), "reason"),
        (cash("60.005", "Half"), "amount"),
        (CounterPaymentInput(method="iou", amount=Decimal("120.00")), "method"),
        (cash("120.00", "x" * 241), "reason"),
    ],
    ids=[
        "negative",
        "above-total",
        "short-no-reason",
        "waiver-no-reason",
        "waiver-blank-reason",
        "fraction-of-a-cent",
        "unknown-method",
        "reason-too-long",
    ],
)
def test_a_wrong_payment_is_refused_by_field_and_nothing_is_written(ready_job, payment, field):
    with pytest.raises(InvalidInput) as refused:
        job_hand_over(job=ready_job, by=None, payment=payment)

    assert list(refused.value.message_dict) == [field]
    assert nothing_written(ready_job)


def test_a_pay_at_pickup_job_needs_a_payment(ready_job):
    with pytest.raises(InvalidInput) as refused:
        job_hand_over(job=ready_job, by=None)

    assert list(refused.value.message_dict) == ["payment"]
    assert nothing_written(ready_job)


def test_a_card_paid_job_refuses_a_counter_payment(ready_card_job):
    with pytest.raises(CounterPaymentNotExpected):
        job_hand_over(job=ready_card_job, by=None, payment=cash("60.00"))

    assert nothing_written(ready_card_job)
    assert not Payout.objects.exists()


def test_a_job_handed_over_twice_records_one_payment(ready_job):
    job_hand_over(job=ready_job, by=None, payment=cash("120.00"))

    with pytest.raises(Exception, match="handed over"):
        job_hand_over(job=ready_job, by=None, payment=cash("120.00"))

    assert CounterPayment.objects.count() == 1


def test_counter_payments_are_never_edited_or_deleted(ready_job):
    job_hand_over(job=ready_job, by=None, payment=cash("120.00"))
    row = CounterPayment.objects.get()

    with pytest.raises(TypeError):
        row.save()
    with pytest.raises(TypeError):
        row.delete()
    with pytest.raises(TypeError):
        CounterPayment.objects.update(amount=Decimal("1.00"))
    with pytest.raises(TypeError):
        CounterPayment.objects.all().delete()


def test_the_community_fund_hears_of_each_counter_payment_and_each_payout(
    stool, paid_card_order, monkeypatch
):
    heard = []
    for module in (counter, payouts):
        monkeypatch.setattr(module, "community_share_settled", lambda *, share: heard.append(share))
    card = ready(paid_card_order((stool, 1)).jobs.get())
    at_counter = ready(place((stool, 1)).jobs.get())

    job_hand_over(job=card, by=None)
    job_hand_over(job=at_counter, by=None, payment=cash("60.00"))

    assert [(s.source, s.job_id, s.sale, s.share) for s in heard] == [
        ("payout", card.pk, Decimal("60.00"), Decimal("3.00")),
        ("counter_payment", at_counter.pk, Decimal("60.00"), Decimal("3.00")),
    ]


# --- The split, to the cent ---------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    cents=st.integers(min_value=0, max_value=12000),
    percent=st.decimals(min_value=Decimal("0"), max_value=Decimal("100"), places=2),
)
def test_the_counter_split_is_the_payout_split_and_adds_up_to_the_cent(cents, percent):
    amount = Decimal(cents) / 100
    coop, share = community_split(total=amount, percent=percent)

    assert coop + share == amount
    assert coop >= 0
    assert share >= 0


@pytest.mark.parametrize(
    ("taken", "share", "coop"),
    [("120.00", "6.00", "114.00"), ("28.45", "1.42", "27.03"), ("9.90", "0.50", "9.40")],
)
def test_a_counter_payment_is_split_half_up_to_the_cent(stool, taken, share, coop):
    job = ready(place((stool, 2)).jobs.get())

    job_hand_over(job=job, by=None, payment=cash(taken, "Part paid"))

    row = CounterPayment.objects.get()
    assert (row.community_share, row.coop_share) == (Decimal(share), Decimal(coop))
    assert row.community_share + row.coop_share == row.amount


# --- The API ------------------------------------------------------------------------------


def hand_over_url(job: Job) -> str:
    return f"/api/v1/jobs/{job.pk}/hand-over/"


@pytest.fixture
def member(woodshop):
    return MembershipFactory(producer=woodshop).user


def test_the_api_hands_over_with_the_payment_taken(api, ready_job, member):
    body = {"payment": {"method": "card_terminal", "amount": "120.00"}}

    response = api.as_user(member).post(hand_over_url(ready_job), body, format="json")

    assert response.status_code == 200
    assert response.json()["status"] == "handed_over"
    assert response.json()["payment_status"] == "paid_at_pickup"
    assert response.json()["counter_payment"]["method"] == "card_terminal"
    assert CounterPayment.objects.get().recorded_by == member


@pytest.mark.parametrize(
    ("payment", "errors"),
    [
        ({"method": "cash", "amount": "-5.00"}, {"amount"}),
        ({"method": "cash", "amount": "500.00"}, {"amount"}),
        ({"method": "cash", "amount": "80.00"}, {"reason"}),
        ({"method": "cash", "amount": "0"}, {"reason"}),
        ({"method": "barter", "amount": "120.00"}, {"method"}),
        ({"method": "cash", "amount": "lots"}, {"amount"}),
        ({"amount": "120.00"}, {"method"}),
    ],
    ids=["negative", "above-total", "short", "waiver", "method", "not-a-number", "no-method"],
)
def test_the_api_refuses_a_wrong_payment_by_field(api, ready_job, member, payment, errors):
    response = api.as_user(member).post(
        hand_over_url(ready_job), {"payment": payment}, format="json"
    )

    assert response.status_code == 400
    assert set(response.json()["errors"]["payment"]) == errors
    assert nothing_written(ready_job)


def test_the_api_asks_for_the_payment_of_a_pay_at_pickup_job(api, ready_job, member):
    response = api.as_user(member).post(hand_over_url(ready_job), {}, format="json")

    assert response.status_code == 400
    assert "payment" in response.json()["errors"]
    assert nothing_written(ready_job)


def test_the_api_refuses_a_counter_payment_for_a_card_paid_job(api, ready_card_job, woodshop):
    member = MembershipFactory(producer=woodshop).user
    body = {"payment": {"method": "cash", "amount": "60.00"}}

    response = api.as_user(member).post(hand_over_url(ready_card_job), body, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "paid_by_card"
    assert nothing_written(ready_card_job)


def test_the_api_hands_over_a_card_paid_job_without_a_payment(api, ready_card_job, woodshop):
    member = MembershipFactory(producer=woodshop).user

    response = api.as_user(member).post(hand_over_url(ready_card_job), {}, format="json")

    assert response.status_code == 200
    assert response.json()["payment_status"] == "paid"
    assert Payout.objects.filter(job=ready_card_job).exists()


def test_the_api_refuses_a_second_hand_over(api, ready_job, member):
    body = {"payment": {"method": "cash", "amount": "120.00"}}
    client = api.as_user(member)
    client.post(hand_over_url(ready_job), body, format="json")

    response = client.post(hand_over_url(ready_job), body, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"
    assert CounterPayment.objects.count() == 1
