"""Opening Stripe's payment page for a card order, through the real library and the fake Stripe."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from orders import stripe_client
from orders.api import views
from orders.models import IdempotencyRecord, Order, Payment
from orders.payments.checkout import PAYMENT_GRACE, session_expiry
from tests.factories import make_stocked_product
from tests.payments.stripe_events import stripe_event

pytestmark = pytest.mark.django_db

SESSIONS = "/v1/checkout/sessions"


def card_order_body(*lines, payment_method="stripe"):
    return {
        "lines": [{"product": product.slug, "quantity": quantity} for product, quantity in lines],
        "contact": {"name": "Keisha Brown", "email": "keisha@example.org"},
        "fulfilment": "pickup",
        "payment_method": payment_method,
    }


def post_order(api, body, key=None):
    headers = {"Idempotency-Key": key} if key else {}
    return api.post("/api/v1/orders/", body, format="json", headers=headers)


def session_request(fake_stripe):
    (request,) = fake_stripe.received("POST", SESSIONS)
    return request


# --- What Stripe is asked for -------------------------------------------------------------


def test_placing_a_card_order_answers_with_stripes_payment_page(api, stool, fake_stripe):
    response = post_order(api, card_order_body((stool, 1)))

    assert response.status_code == 201, response.json()
    (session,) = fake_stripe.sessions.values()
    assert response.json()["checkout_url"] == session["url"]
    assert response.json()["status"] == "pending_payment"


def test_the_session_lists_each_line_with_its_price_in_cents(api, stool, sewing, fake_stripe):
    tote = make_stocked_product(producer=sewing, title="Tote", price=Decimal("28.45"))
    post_order(api, card_order_body((stool, 2), (tote, 1)))

    form = session_request(fake_stripe).form
    assert form["mode"] == "payment"
    assert form["line_items[0][price_data][unit_amount]"] == "6000"
    assert form["line_items[0][quantity]"] == "2"
    assert form["line_items[0][price_data][product_data][name]"] == "Stool"
    assert form["line_items[1][price_data][unit_amount]"] == "2845"
    assert form["line_items[1][quantity]"] == "1"
    assert form["line_items[1][price_data][currency]"] == "usd"
    assert fake_stripe.sessions["cs_test_1"]["amount_total"] == 14845


def test_the_session_sends_the_customer_back_to_their_order_page(api, stool, fake_stripe, settings):
    body = post_order(api, card_order_body((stool, 1))).json()

    form = session_request(fake_stripe).form
    page = f"{settings.SITE_URL}/orders/{body['number']}/?token={body['access_token']}"
    assert form["success_url"] == page
    assert form["cancel_url"] == page


def test_the_session_carries_the_order_number_as_metadata_and_transfer_group(
    api, stool, fake_stripe
):
    number = post_order(api, card_order_body((stool, 1))).json()["number"]

    form = session_request(fake_stripe).form
    assert form["metadata[order_number]"] == number
    assert form["payment_intent_data[transfer_group]"] == number


def test_the_session_is_created_with_an_idempotency_key_derived_from_the_order(
    api, stool, fake_stripe
):
    number = post_order(api, card_order_body((stool, 1))).json()["number"]

    assert session_request(fake_stripe).idempotency_key == f"checkout-{number}"


def test_the_session_closes_when_the_orders_reservation_ends(api, stool, fake_stripe):
    number = post_order(api, card_order_body((stool, 1))).json()["number"]

    expires_at = int(session_request(fake_stripe).form["expires_at"])
    order = Order.objects.get(number=number)
    assert order.expires_at == datetime.datetime.fromtimestamp(expires_at, datetime.UTC) + (
        PAYMENT_GRACE
    )


@pytest.mark.parametrize(
    ("wanted", "expected"),
    [
        # The default 30 minutes is shorter than Stripe allows once a retry margin is kept.
        (datetime.timedelta(minutes=30), datetime.timedelta(minutes=35)),
        (datetime.timedelta(hours=3), datetime.timedelta(hours=3)),
        # Longer than Stripe's longest session: the session's end is the order's.
        (datetime.timedelta(days=3), datetime.timedelta(hours=23, minutes=59)),
    ],
    ids=["too-short", "within-stripes-window", "too-long"],
)
def test_the_session_expiry_is_the_orders_moved_into_stripes_window(wanted, expected):
    now = datetime.datetime(2026, 5, 1, 12, 0, tzinfo=datetime.UTC)

    assert session_expiry(wanted=now + wanted, now=now) == now + expected


def test_an_order_reserved_for_longer_than_a_day_is_held_as_long_as_its_session(
    api, stool, fake_stripe, settings
):
    settings.ORDER_PAYMENT_MINUTES = 3 * 24 * 60

    number = post_order(api, card_order_body((stool, 1))).json()["number"]

    session = fake_stripe.sessions["cs_test_1"]
    order = Order.objects.get(number=number)
    assert order.expires_at < timezone.now() + datetime.timedelta(hours=24, minutes=5)
    assert order.expires_at.timestamp() == session["expires_at"] + PAYMENT_GRACE.total_seconds()


def test_pay_at_pickup_orders_never_reach_stripe(api, stool, fake_stripe):
    response = post_order(api, card_order_body((stool, 1), payment_method="pay_at_pickup"))

    assert response.status_code == 201
    assert response.json()["checkout_url"] is None
    assert fake_stripe.requests == []
    assert not Payment.objects.exists()


# --- When Stripe fails ------------------------------------------------------------------


def test_stripe_unreachable_answers_503_and_the_order_keeps_waiting_for_payment(
    api, stool, fake_stripe
):
    fake_stripe.stop()  # its port now refuses connections

    response = post_order(api, card_order_body((stool, 1)))

    assert response.status_code == 503
    assert response.json()["code"] == "payment_provider_unavailable"
    number = response.json()["order"]["number"]
    assert Order.objects.get(number=number).status == Order.Status.PENDING_PAYMENT


def test_stripe_answering_errors_answers_502_naming_the_placed_order(api, stool, fake_stripe):
    fake_stripe.fail(3)

    response = post_order(api, card_order_body((stool, 1)))

    assert response.status_code == 502
    body = response.json()
    assert body["code"] == "payment_provider_unavailable"
    assert body["order"]["checkout_url"] is None
    assert Order.objects.get(number=body["order"]["number"]).status == "pending_payment"


def test_stripe_failing_twice_is_retried_with_the_same_key_into_one_session_and_one_charge(
    api, stool, fake_stripe, stripe_sender
):
    fake_stripe.fail(2)

    response = post_order(api, card_order_body((stool, 1)))

    assert response.status_code == 201
    attempts = fake_stripe.received("POST", SESSIONS)
    assert len(attempts) == 3
    assert {a.idempotency_key for a in attempts} == {f"checkout-{response.json()['number']}"}
    assert len(fake_stripe.sessions) == 1
    (session_id,) = fake_stripe.sessions
    stripe_sender(stripe_event("checkout.session.completed", fake_stripe.pay(session_id)))
    assert len(fake_stripe.charges) == 1
    assert Order.objects.get().status == Order.Status.PAID


def test_a_call_that_times_out_is_retried_with_the_same_key_and_makes_one_session(
    api, stool, fake_stripe, monkeypatch
):
    monkeypatch.setattr(stripe_client, "TIMEOUT_SECONDS", (2.0, 0.3))
    fake_stripe.stall(1)  # Stripe makes the session, but answers only after the client gave up

    response = post_order(api, card_order_body((stool, 1)))

    assert response.status_code == 201
    attempts = fake_stripe.received("POST", SESSIONS)
    assert len(attempts) == 2
    assert attempts[0].idempotency_key == attempts[1].idempotency_key
    assert len(fake_stripe.sessions) == 1
    assert response.json()["checkout_url"] == fake_stripe.sessions["cs_test_1"]["url"]


def test_a_session_stripe_made_while_we_gave_up_is_not_made_again_by_a_later_retry(
    api, stool, fake_stripe, monkeypatch
):
    monkeypatch.setattr(stripe_client, "TIMEOUT_SECONDS", (2.0, 0.3))
    fake_stripe.stall(1)  # the session is made, its answer lost...
    fake_stripe.fail(2, after=1)  # ...and the library's own retries fail
    first = post_order(api, card_order_body((stool, 1)), key="lost-answer-1")

    again = post_order(api, card_order_body((stool, 1)), key="lost-answer-1")

    assert first.status_code == 502
    assert again.status_code == 201
    assert len(fake_stripe.sessions) == 1
    assert again.json()["checkout_url"] == fake_stripe.sessions["cs_test_1"]["url"]


def test_a_retry_with_the_same_idempotency_key_opens_the_page_without_a_second_order(
    api, stool, fake_stripe
):
    fake_stripe.fail(3)
    first = post_order(api, card_order_body((stool, 1)), key="checkout-retry-1")

    again = post_order(api, card_order_body((stool, 1)), key="checkout-retry-1")

    assert first.status_code == 502
    assert again.status_code == 201
    assert again.json()["number"] == first.json()["order"]["number"]
    assert again.json()["checkout_url"] == fake_stripe.sessions["cs_test_1"]["url"]
    assert Order.objects.count() == 1
    assert len(fake_stripe.sessions) == 1
    keys = {a.idempotency_key for a in fake_stripe.received("POST", SESSIONS)}
    assert keys == {f"checkout-{again.json()['number']}"}


def test_the_stored_answer_of_a_card_order_includes_the_payment_page(api, stool, fake_stripe):
    post_order(api, card_order_body((stool, 1)), key="stored-1")

    record = IdempotencyRecord.objects.get(key="stored-1")

    assert record.response_status == 201
    assert record.response_body["checkout_url"] == fake_stripe.sessions["cs_test_1"]["url"]


def test_a_replayed_request_gets_the_same_page_without_asking_stripe_again(api, stool, fake_stripe):
    first = post_order(api, card_order_body((stool, 1)), key="replay-1")

    again = post_order(api, card_order_body((stool, 1)), key="replay-1")

    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert len(fake_stripe.received("POST", SESSIONS)) == 1


def test_a_crash_before_stripe_answered_is_resumed_by_a_retry_with_the_same_key(
    api, stool, fake_stripe, monkeypatch, resident
):
    # Signed in: a crash sends no answer, so a guest would hold no proof of its key
    # and its retry would come back without the order's secrets.
    api.as_user(resident)

    def crash(*, order):
        raise RuntimeError("the web process died")

    with monkeypatch.context() as patched:
        patched.setattr(views, "checkout_start", crash)
        with pytest.raises(RuntimeError):
            post_order(api, card_order_body((stool, 1)), key="crash-1")

    again = post_order(api, card_order_body((stool, 1)), key="crash-1")

    assert again.status_code == 201
    assert again.json()["checkout_url"] == fake_stripe.sessions["cs_test_1"]["url"]
    assert Order.objects.count() == 1


# --- The checkout endpoint ---------------------------------------------------------------


def test_the_checkout_endpoint_opens_the_page_after_stripe_failed(api, stool, fake_stripe):
    fake_stripe.fail(3)
    placed = post_order(api, card_order_body((stool, 1))).json()["order"]

    response = api.post(
        f"/api/v1/orders/{placed['number']}/checkout/?token={placed['access_token']}"
    )

    assert response.status_code == 200
    assert response.json()["checkout_url"] == fake_stripe.sessions["cs_test_1"]["url"]
    keys = {a.idempotency_key for a in fake_stripe.received("POST", SESSIONS)}
    assert keys == {f"checkout-{placed['number']}"}


def test_the_checkout_endpoint_gives_the_same_page_again_without_asking_stripe(
    api, stool, fake_stripe
):
    placed = post_order(api, card_order_body((stool, 1))).json()

    response = api.post(
        f"/api/v1/orders/{placed['number']}/checkout/?token={placed['access_token']}"
    )

    assert response.json()["checkout_url"] == placed["checkout_url"]
    assert len(fake_stripe.received("POST", SESSIONS)) == 1


def test_the_checkout_endpoint_needs_the_orders_token(api, stool):
    placed = post_order(api, card_order_body((stool, 1))).json()

    response = api.post(f"/api/v1/orders/{placed['number']}/checkout/?token=guess")

    assert response.status_code == 404


def test_the_checkout_endpoint_refuses_a_pay_at_pickup_order(api, stool, fake_stripe):
    placed = post_order(api, card_order_body((stool, 1), payment_method="pay_at_pickup")).json()

    response = api.post(
        f"/api/v1/orders/{placed['number']}/checkout/?token={placed['access_token']}"
    )

    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"
    assert fake_stripe.requests == []


def test_the_checkout_endpoint_refuses_an_order_already_paid(api, stool, paid_card_order):
    order = paid_card_order((stool, 1))

    response = api.post(f"/api/v1/orders/{order.number}/checkout/?token={order.access_token}")

    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"
