"""A card order's emails to its resident: confirmed once paid, a part declined and refunded,
cancelled and refunded, expired unpaid, and each refund once it went through."""

import datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from orders.models import Email, Order, Refund
from orders.services import job_decline, order_cancel, order_expire
from tests.payments.stripe_events import stripe_event

pytestmark = pytest.mark.django_db

REFUNDS = "/v1/refunds"


def emails(order: Order, kind: str) -> list[Email]:
    return list(Email.objects.filter(order=order, kind=kind))


def test_a_card_order_is_confirmed_by_email_only_once_it_is_paid(
    stool, card_order, fake_stripe, stripe_sender
):
    order = card_order((stool, 1))
    assert emails(order, "order.placed") == []

    session = fake_stripe.pay(order.payment.checkout_session_id)
    stripe_sender(stripe_event("checkout.session.completed", session))

    (email,) = emails(order, "order.placed")
    assert "Paid by card." in email.body_text
    assert "Total: $60.00." in email.body_text
    assert "Bring" not in email.body_text
    path = f"/orders/{order.number}/?token={order.access_token}"
    assert f"{settings.SITE_URL}{path}" in email.body_text
    assert Client().get(path).status_code == 200


def test_a_payment_webhook_delivered_twice_confirms_by_email_once(
    stool, card_order, fake_stripe, stripe_sender
):
    order = card_order((stool, 1))
    session = fake_stripe.pay(order.payment.checkout_session_id)
    event = stripe_event("checkout.session.completed", session)

    stripe_sender(event)
    stripe_sender(event)

    assert len(emails(order, "order.placed")) == 1


def test_a_declined_part_of_a_card_order_refunds_just_that_part_and_says_so(
    stool, tote, woodshop, paid_card_order, fake_stripe
):
    order = paid_card_order((stool, 2), (tote, 1))

    job_decline(job=order.jobs.get(producer=woodshop), by=None, reason="Out of oak")

    (request,) = fake_stripe.received("POST", REFUNDS)
    assert request.form["amount"] == "12000"
    order.refresh_from_db()
    assert (order.subtotal, order.total) == (Decimal("28.00"), Decimal("28.00"))
    (email,) = emails(order, "order.part_declined")
    assert "We are refunding $120.00 to your card for it." in email.body_text
    assert "Your order now comes to $28.00." in email.body_text


def test_cancelling_after_a_decline_refunds_what_the_order_now_comes_to(
    stool, tote, woodshop, paid_card_order, fake_stripe
):
    order = paid_card_order((stool, 2), (tote, 1))
    job_decline(job=order.jobs.get(producer=woodshop), by=None, reason="Out of oak")

    order_cancel(order=order, by=None)

    amounts = [request.form["amount"] for request in fake_stripe.received("POST", REFUNDS)]
    assert amounts == ["12000", "2800"]
    (email,) = emails(order, "order.cancelled")
    assert "We are refunding $28.00 to your card." in email.body_text
    assert "Stool" not in email.body_text  # cancelled before, and told then


def test_a_cancelled_card_order_tells_the_resident_the_refund(stool, paid_card_order):
    order = paid_card_order((stool, 1))

    order_cancel(order=order, by=None)

    (email,) = emails(order, "order.cancelled")
    assert "We are refunding $60.00 to your card." in email.body_text
    assert "1 × Stool — $60.00" in email.body_html


def test_a_refund_that_went_through_is_emailed_with_its_amount_and_what_for(
    stool, tote, woodshop, paid_card_order
):
    order = paid_card_order((stool, 2), (tote, 1))

    job_decline(job=order.jobs.get(producer=woodshop), by=None, reason="Out of oak")

    (email,) = emails(order, "order.refunded")
    assert email.subject == f"We refunded $120.00 for your order {order.number}"
    assert "that Woodshop could not make" in email.body_text
    assert "2 × Stool — $120.00" in email.body_text
    assert "Tote" not in email.body_text


def test_the_refund_of_a_cancelled_order_is_emailed(stool, paid_card_order):
    order = paid_card_order((stool, 1))

    order_cancel(order=order, by=None)

    (email,) = emails(order, "order.refunded")
    assert "We refunded $60.00 to the card you paid with, for your cancelled order" in (
        email.body_text
    )


def test_stripe_saying_again_that_a_refund_succeeded_sends_no_second_email(
    stool, paid_card_order, fake_stripe, stripe_sender
):
    order = paid_card_order((stool, 1))
    order_cancel(order=order, by=None)
    refund = Refund.objects.get(order=order)

    stripe_sender(stripe_event("refund.updated", fake_stripe.refunds[refund.stripe_refund_id]))

    assert len(emails(order, "order.refunded")) == 1


def test_a_refund_first_heard_of_from_stripe_is_emailed_once(
    stool, paid_card_order, fake_stripe, stripe_sender
):
    order = paid_card_order((stool, 2))
    fake_stripe.refunds["re_dashboard"] = {
        "id": "re_dashboard",
        "object": "refund",
        "amount": 150000,
        "status": "succeeded",
        "payment_intent": order.payment.payment_intent_id,
        "metadata": {},
    }
    event = stripe_event("refund.created", fake_stripe.refunds["re_dashboard"])

    stripe_sender(event)
    stripe_sender(stripe_event("refund.updated", fake_stripe.refunds["re_dashboard"]))

    (email,) = emails(order, "order.refunded")
    assert email.subject == f"We refunded $1,500.00 for your order {order.number}"


def test_a_refund_still_pending_is_not_emailed_yet(
    stool, paid_card_order, fake_stripe, stripe_sender
):
    order = paid_card_order((stool, 1))
    fake_stripe.refunds["re_slow"] = {
        "id": "re_slow",
        "object": "refund",
        "amount": 1000,
        "status": "pending",
        "payment_intent": order.payment.payment_intent_id,
        "metadata": {},
    }

    stripe_sender(stripe_event("refund.created", fake_stripe.refunds["re_slow"]))

    assert emails(order, "order.refunded") == []


def test_an_unpaid_card_order_that_expires_tells_the_resident_nothing_was_charged(
    stool, card_order
):
    order = card_order((stool, 1))
    Order.objects.filter(pk=order.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )

    order_expire(order=order)
    order_expire(order=order)

    (email,) = emails(order, "order.expired")
    assert email.subject == f"Your order {order.number} was not paid in time"
    assert "1 × Stool — $60.00" in email.body_text
    assert "Nothing was charged to your card." in email.body_html
    assert f"token={order.access_token}" in email.body_text
