"""The API says how an order's money stands, and never calls money not taken "paid"."""

from decimal import Decimal

import pytest

from orders.models import Order
from orders.services import CounterPaymentInput, job_decline, order_cancel
from tests.factories import MembershipFactory, hand_over, place

pytestmark = pytest.mark.django_db

MONEY_WORDS = ("payment_status", "payment_status_display", "status", "status_display")


def read(api, order: Order) -> dict:
    return api.get(f"/api/v1/orders/{order.number}/", {"token": order.access_token}).json()


def says_paid(body: dict) -> bool:
    """Whether any word of the order, or of one of its parts, calls it paid."""
    parts = [body, *body["jobs"]]
    return any(
        "paid"
        in str(part.get(key, ""))
        .lower()
        .replace("paid_at_pickup", "")
        .replace("paid at pickup", "")
        for part in parts
        for key in MONEY_WORDS
    )


def test_a_pay_at_pickup_order_is_to_pay_at_pickup_with_the_amount_due(api, stool):
    body = read(api, place((stool, 2)))

    assert body["payment_status"] == "to_pay_at_pickup"
    assert body["payment_status_display"] == "To pay at pickup"
    assert body["amount_due"] == "120.00"
    assert body["amount_paid"] == "0.00"


def test_a_pay_at_pickup_order_is_confirmed_never_paid(api, stool):
    body = read(api, place((stool, 1)))

    assert body["status"] == "confirmed"
    assert body["status_display"] == "Confirmed"
    assert not says_paid(body)


def test_each_part_of_a_pay_at_pickup_order_is_to_pay_at_pickup(api, stool, tote):
    body = read(api, place((stool, 1), (tote, 1)))

    assert {(j["payment_status"], j["amount_due"]) for j in body["jobs"]} == {
        ("to_pay_at_pickup", "60.00"),
        ("to_pay_at_pickup", "28.00"),
    }


def test_a_part_handed_over_leaves_only_the_rest_to_pay(api, stool, tote, woodshop):
    order = place((stool, 1), (tote, 1))
    hand_over(order.jobs.get(producer=woodshop))

    body = read(api, order)

    assert body["payment_status"] == "to_pay_at_pickup"
    assert body["amount_due"] == "28.00"
    assert body["amount_paid"] == "60.00"


def test_an_order_whose_parts_were_all_paid_at_the_counter_is_paid_at_pickup(api, stool):
    order = place((stool, 2))
    hand_over(order.jobs.get())

    body = read(api, order)

    assert body["payment_status"] == "paid_at_pickup"
    assert body["payment_status_display"] == "Paid at pickup"
    assert body["amount_due"] == "0.00"
    assert body["amount_paid"] == "120.00"


def test_a_part_handed_over_free_of_charge_is_waived_not_paid(api, stool):
    order = place((stool, 1))
    hand_over(
        order.jobs.get(),
        payment=CounterPaymentInput(method="other", amount=Decimal("0"), reason="Scratched"),
    )

    body = read(api, order)

    assert body["payment_status"] == "waived"
    assert body["jobs"][0]["payment_status"] == "waived"
    assert not says_paid(body)


def test_a_cancelled_pay_at_pickup_order_was_not_charged(api, stool):
    order = place((stool, 1))
    order_cancel(order=order, by=None)

    body = read(api, order)

    assert body["payment_status"] == "not_charged"
    assert body["amount_due"] == "0.00"
    assert not says_paid(body)


def test_a_card_order_not_paid_yet_is_awaiting_payment(api, stool, card_order):
    body = read(api, card_order((stool, 1)))

    assert body["payment_status"] == "awaiting_payment"
    assert body["amount_due"] == "60.00"
    assert not says_paid(body)


def test_a_card_order_cancelled_before_paying_was_not_charged(api, stool, card_order):
    order = card_order((stool, 1))
    order_cancel(order=order, by=None)

    body = read(api, order)

    assert body["payment_status"] == "not_charged"
    assert not says_paid(body)


def test_a_paid_card_order_is_paid(api, stool, paid_card_order):
    body = read(api, paid_card_order((stool, 1)))

    assert body["status"] == "paid"
    assert body["payment_status"] == "paid"
    assert body["payment_status_display"] == "Paid by card"
    assert body["amount_paid"] == "60.00"
    assert body["amount_due"] == "0.00"
    assert body["jobs"][0]["payment_status"] == "paid"


def test_a_cancelled_card_order_is_refunded(api, stool, paid_card_order):
    order = paid_card_order((stool, 1))
    order_cancel(order=order, by=None)

    body = read(api, order)

    assert body["payment_status"] == "refunded"
    assert body["amount_refunded"] == "60.00"


def test_a_card_order_with_a_declined_part_is_partly_refunded(
    api, stool, tote, woodshop, paid_card_order
):
    order = paid_card_order((stool, 1), (tote, 1))
    job_decline(job=order.jobs.get(producer=woodshop), by=None, reason="Out of oak")

    body = read(api, order)

    assert body["payment_status"] == "partly_refunded"
    assert body["amount_refunded"] == "60.00"
    parts = {j["producer"]["slug"]: j["payment_status"] for j in body["jobs"]}
    assert parts == {"woodshop": "refunded", "sewing": "paid"}


def test_the_job_api_tells_the_coop_what_to_collect(api, stool, woodshop):
    job = place((stool, 2)).jobs.get()
    member = MembershipFactory(producer=woodshop).user

    body = api.as_user(member).get(f"/api/v1/jobs/{job.pk}/").json()

    assert body["payment_status"] == "to_pay_at_pickup"
    assert body["amount_due"] == "120.00"
    assert body["counter_payment"] is None


def test_the_job_api_shows_what_was_taken_at_the_counter(api, stool, woodshop):
    job = hand_over(place((stool, 1)).jobs.get())
    member = MembershipFactory(producer=woodshop).user

    body = api.as_user(member).get(f"/api/v1/jobs/{job.pk}/").json()

    assert body["payment_status"] == "paid_at_pickup"
    assert body["counter_payment"]["method"] == "cash"
    assert body["counter_payment"]["amount"] == "60.00"
    assert body["counter_payment"]["community_share"] == "3.00"
    assert body["counter_payment"]["coop_share"] == "57.00"


def test_an_unpaid_order_is_not_paid_in_the_customers_list(api, stool, resident):
    place((stool, 1), customer=resident)

    (body,) = api.as_user(resident).get("/api/v1/orders/").json()["results"]

    assert body["payment_status"] == "to_pay_at_pickup"
    assert not says_paid(body)
