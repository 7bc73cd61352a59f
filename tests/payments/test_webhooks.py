"""Stripe's webhook: signed by Stripe, stored by event id, acted on once, never taken on trust."""

import json
import time

import pytest
from django.db.models import Sum

from catalog.models import StockBalance
from orders.models import Order, Payment, Refund, StripeEvent
from orders.services import order_cancel, order_expire
from tests.payments.stripe_events import WEBHOOK_URL, sign, stripe_event

pytestmark = pytest.mark.django_db


def reserved(product):
    return StockBalance.objects.filter(material=product.stock_item).aggregate(r=Sum("reserved"))[
        "r"
    ]


def paid_session_event(fake_stripe, order):
    return stripe_event(
        "checkout.session.completed", fake_stripe.pay(order.payment.checkout_session_id)
    )


# --- Signatures -----------------------------------------------------------------------------


def test_a_payment_signed_by_stripe_confirms_the_order(
    stool, card_order, fake_stripe, stripe_sender
):
    order = card_order((stool, 1))

    response = stripe_sender(paid_session_event(fake_stripe, order))

    assert response.status_code == 200
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert all(job.dispatched for job in order.jobs.all())


@pytest.mark.parametrize(
    "signature",
    [
        pytest.param(None, id="missing"),
        pytest.param("t=1700000000,v1=" + "0" * 64, id="forged"),
        pytest.param("nonsense", id="garbled"),
    ],
)
def test_a_delivery_without_stripes_signature_is_refused_and_changes_nothing(
    stool, card_order, fake_stripe, stripe_sender, signature
):
    order = card_order((stool, 1))

    response = stripe_sender(paid_session_event(fake_stripe, order), signature=signature)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_signature"
    assert Order.objects.get(pk=order.pk).status == Order.Status.PENDING_PAYMENT
    assert not StripeEvent.objects.exists()


def test_a_delivery_signed_with_another_secret_is_refused(
    stool, card_order, fake_stripe, stripe_sender
):
    order = card_order((stool, 1))
    payload = paid_session_event(fake_stripe, order)

    response = stripe_sender(payload, signature=sign(payload, secret="whsec_someone_else"))

    assert response.status_code == 400
    assert Order.objects.get(pk=order.pk).status == Order.Status.PENDING_PAYMENT
    assert not StripeEvent.objects.exists()


def test_a_delivery_signed_more_than_five_minutes_ago_is_refused(
    stool, card_order, fake_stripe, stripe_sender
):
    order = card_order((stool, 1))
    payload = paid_session_event(fake_stripe, order)

    response = stripe_sender(payload, signature=sign(payload, timestamp=int(time.time()) - 301))

    assert response.status_code == 400
    assert Order.objects.get(pk=order.pk).status == Order.Status.PENDING_PAYMENT
    assert not StripeEvent.objects.exists()


def test_a_delivery_signed_more_than_five_minutes_ahead_is_refused(
    stool, card_order, fake_stripe, stripe_sender
):
    order = card_order((stool, 1))
    payload = paid_session_event(fake_stripe, order)

    response = stripe_sender(payload, signature=sign(payload, timestamp=int(time.time()) + 400))

    assert response.status_code == 400
    assert Order.objects.get(pk=order.pk).status == Order.Status.PENDING_PAYMENT
    assert not StripeEvent.objects.exists()


def test_a_delivery_signed_a_little_ahead_by_a_skewed_clock_is_accepted(
    stool, card_order, fake_stripe, stripe_sender
):
    order = card_order((stool, 1))
    payload = paid_session_event(fake_stripe, order)

    response = stripe_sender(payload, signature=sign(payload, timestamp=int(time.time()) + 60))

    assert response.status_code == 200
    assert Order.objects.get(pk=order.pk).status == Order.Status.PAID


def test_a_body_changed_after_signing_is_refused(stool, card_order, fake_stripe, stripe_sender):
    order = card_order((stool, 1))
    payload = paid_session_event(fake_stripe, order)
    signature = sign(payload)

    response = stripe_sender(payload.replace('"livemode": false', '"livemode": true'), signature)

    assert response.status_code == 400
    assert Order.objects.get(pk=order.pk).status == Order.Status.PENDING_PAYMENT
    assert not StripeEvent.objects.exists()


def test_a_signed_body_that_is_not_json_is_refused(stripe_sender):
    response = stripe_sender('{"id": "evt_1", "type": ')

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_payload"
    assert not StripeEvent.objects.exists()


def test_without_a_webhook_secret_every_delivery_is_refused(stripe_sender, settings):
    payload = stripe_event("customer.created", {"id": "cus_1"})
    settings.STRIPE_WEBHOOK_SECRET = ""

    response = stripe_sender(payload)

    assert response.status_code == 400
    assert not StripeEvent.objects.exists()


def test_the_webhook_needs_no_csrf_token_and_no_sign_in(stripe_sender):
    response = stripe_sender(stripe_event("customer.created", {"id": "cus_1"}))

    assert response.status_code == 200


def test_the_webhook_answers_only_post(client):
    assert client.get(WEBHOOK_URL).status_code == 405


# --- Once, and in any order --------------------------------------------------------------------


def test_each_event_is_stored_under_its_id(stool, card_order, fake_stripe, stripe_sender):
    order = card_order((stool, 1))
    payload = paid_session_event(fake_stripe, order)

    stripe_sender(payload)

    event = StripeEvent.objects.get()
    assert event.event_id == json.loads(payload)["id"]
    assert event.type == "checkout.session.completed"
    assert event.processed_at is not None


def test_an_event_delivered_again_is_answered_but_not_acted_on_again(
    stool, card_order, fake_stripe, stripe_sender
):
    order = card_order((stool, 1))
    payload = paid_session_event(fake_stripe, order)
    stripe_sender(payload)
    first = StripeEvent.objects.get()
    reads = len(fake_stripe.requests)

    response = stripe_sender(payload)

    assert response.status_code == 200
    assert StripeEvent.objects.get().processed_at == first.processed_at
    assert len(fake_stripe.requests) == reads  # not even read again from Stripe


def test_a_completed_session_is_read_again_from_stripe_before_the_order_is_confirmed(
    stool, card_order, fake_stripe, stripe_sender
):
    order = card_order((stool, 1))
    # The event claims a payment Stripe itself does not show (yet).
    claimed = {**fake_stripe.public_session("cs_test_1"), "payment_status": "paid"}

    response = stripe_sender(stripe_event("checkout.session.completed", claimed))

    assert response.status_code == 200
    assert Order.objects.get(pk=order.pk).status == Order.Status.PENDING_PAYMENT


def test_the_payment_records_the_payment_intent_and_the_charge(
    stool, card_order, fake_stripe, stripe_sender
):
    order = card_order((stool, 1))

    stripe_sender(paid_session_event(fake_stripe, order))

    payment = Payment.objects.get(order=order)
    intent = fake_stripe.payment_intents[payment.payment_intent_id]
    assert payment.status == Payment.Status.PAID
    assert payment.charge_id == intent["latest_charge"]


def test_an_expired_session_gives_the_orders_stock_back_at_once(
    stool, card_order, fake_stripe, stripe_sender
):
    order = card_order((stool, 2))

    stripe_sender(stripe_event("checkout.session.expired", fake_stripe.expire("cs_test_1")))

    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED
    assert reserved(stool) == 0
    assert Payment.objects.get(order=order).status == Payment.Status.EXPIRED


def test_an_expiry_arriving_after_the_payment_changes_nothing(
    stool, paid_card_order, fake_stripe, stripe_sender
):
    order = paid_card_order((stool, 2))
    stale = {**fake_stripe.public_session("cs_test_1"), "status": "expired"}

    stripe_sender(stripe_event("checkout.session.expired", stale))

    assert Order.objects.get(pk=order.pk).status == Order.Status.PAID
    assert reserved(stool) == 2
    assert Payment.objects.get(order=order).status == Payment.Status.PAID


def test_a_payment_for_an_order_that_already_expired_is_given_back(
    stool, card_order, fake_stripe, stripe_sender
):
    order = card_order((stool, 1))
    Order.objects.filter(pk=order.pk).update(expires_at=order.created_at)
    order_expire(order=order)

    stripe_sender(paid_session_event(fake_stripe, order))

    (refund,) = fake_stripe.received("POST", "/v1/refunds")
    assert refund.form["amount"] == "6000"
    assert Order.objects.get(pk=order.pk).status == Order.Status.CANCELLED


def test_unknown_event_types_are_acknowledged(stripe_sender):
    response = stripe_sender(stripe_event("customer.created", {"id": "cus_1"}))

    assert response.status_code == 200
    assert StripeEvent.objects.get().processed_at is not None


def test_a_session_that_is_not_ours_is_acknowledged_and_ignored(stripe_sender, fake_stripe, stool):
    stranger = {"id": "cs_test_elsewhere", "object": "checkout.session", "metadata": {}}
    fake_stripe.sessions["cs_test_elsewhere"] = {
        **stranger,
        "payment_status": "paid",
        "payment_intent": None,
        "amount_total": 100,
    }

    response = stripe_sender(stripe_event("checkout.session.completed", stranger))

    assert response.status_code == 200
    assert not Payment.objects.exists()


def test_when_stripe_cannot_be_asked_the_event_waits_for_the_next_delivery(
    stool, card_order, fake_stripe, stripe_sender
):
    order = card_order((stool, 1))
    payload = paid_session_event(fake_stripe, order)
    fake_stripe.fail(3)

    refused = stripe_sender(payload)
    delivered_again = stripe_sender(payload)

    assert refused.status_code == 503
    assert delivered_again.status_code == 200
    assert Order.objects.get(pk=order.pk).status == Order.Status.PAID


# --- Refunds seen by Stripe ------------------------------------------------------------------


def test_a_refund_that_failed_at_the_bank_is_recorded_as_failed(
    stool, paid_card_order, fake_stripe, stripe_sender
):
    order = paid_card_order((stool, 1))
    order_cancel(order=order, by=None)
    refund = Refund.objects.get(order=order)
    fake_stripe.refunds[refund.stripe_refund_id].update(
        status="failed", failure_reason="expired_or_canceled_card"
    )
    # The event says less than Stripe knows now: what Stripe says when asked wins.
    stale = {**fake_stripe.refunds[refund.stripe_refund_id], "status": "pending"}

    stripe_sender(stripe_event("refund.updated", stale))

    refund.refresh_from_db()
    assert refund.status == Refund.Status.FAILED
    assert refund.last_error == "expired_or_canceled_card"


def test_a_refund_made_in_stripes_dashboard_is_recorded(
    stool, paid_card_order, fake_stripe, stripe_sender
):
    order = paid_card_order((stool, 2))
    intent = order.payment.payment_intent_id
    fake_stripe.refunds["re_dashboard"] = {
        "id": "re_dashboard",
        "object": "refund",
        "amount": 1500,
        "status": "succeeded",
        "payment_intent": intent,
        "metadata": {},
    }

    stripe_sender(stripe_event("refund.created", fake_stripe.refunds["re_dashboard"]))

    refund = Refund.objects.get(stripe_refund_id="re_dashboard")
    assert refund.order == order
    assert str(refund.amount) == "15.00"
    assert refund.status == Refund.Status.SUCCEEDED
