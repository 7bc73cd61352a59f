"""Card payments against a fake Stripe. The goods (stool, tote, puzzle...) are the shared
fixtures of tests/fixtures.py; Stripe's side of a webhook is in stripe_events.py."""

import pytest
import stripe
from django.test import Client

from orders.models import Order
from orders.payments.checkout import checkout_start
from tests.factories import place
from tests.payments.fake_stripe import FakeStripe
from tests.payments.stripe_events import WEBHOOK_SECRET, WEBHOOK_URL, sign, stripe_event


@pytest.fixture
def fake_stripe():
    fake = FakeStripe().start()
    yield fake
    fake.stop()


@pytest.fixture(autouse=True)
def stripe_settings(settings, fake_stripe, monkeypatch):
    """Card payments on, against the fake; the real library's back-off shortened."""
    settings.STRIPE_SECRET_KEY = "sk_test_community_production"
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_API_BASE = fake_stripe.base_url
    settings.COMMUNITY_FUND_PERCENT = "5"
    # Between its retries the library waits 0.5 s and more: the same retries, faster.
    monkeypatch.setattr(stripe._http_client.HTTPClient, "INITIAL_DELAY", 0.01)
    monkeypatch.setattr(stripe._http_client.HTTPClient, "MAX_DELAY", 0.02)
    return settings


SIGNED = "signed with the test secret, now"


@pytest.fixture
def stripe_sender():
    """Stripe's side of the webhook: no session, no CSRF token, only the signature.

    `signature=None` sends no Stripe-Signature header at all.
    """

    def deliver(payload: str, signature: str | None = SIGNED):
        if signature is SIGNED:
            signature = sign(payload)
        headers = {} if signature is None else {"Stripe-Signature": signature}
        # A client per delivery: deliveries may race from several threads.
        return Client(enforce_csrf_checks=True).post(
            WEBHOOK_URL, data=payload, content_type="application/json", headers=headers
        )

    return deliver


@pytest.fixture
def card_order(fake_stripe):
    """Place a card order and open its payment page: `card_order((stool, 1), ...)`."""

    def make(*lines, **kwargs) -> Order:
        order = place(*lines, payment_method="stripe", **kwargs)
        checkout_start(order=order)
        order.refresh_from_db()
        return order

    return make


@pytest.fixture
def paid_card_order(card_order, fake_stripe, stripe_sender):
    """A card order the customer paid for, confirmed by Stripe's webhook."""

    def make(*lines, **kwargs) -> Order:
        order = card_order(*lines, **kwargs)
        session = fake_stripe.pay(order.payment.checkout_session_id)
        response = stripe_sender(stripe_event("checkout.session.completed", session))
        assert response.status_code == 200, response.content
        order.refresh_from_db()
        return order

    return make
