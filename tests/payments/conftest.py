import json
import time
import uuid
from decimal import Decimal

import pytest
import stripe
from django.test import Client

from catalog.services.products import product_stock_receive
from orders.models import Order
from orders.payments.checkout import checkout_start
from tests.factories import ProducerFactory, make_product

# plywood, puzzle and shared_store are fixtures (an open design), used by name in tests.
from tests.orders.conftest import place, plywood, puzzle, shared_store  # noqa: F401
from tests.payments.fake_stripe import FakeStripe

WEBHOOK_SECRET = "whsec_test_community_production"
WEBHOOK_URL = "/api/v1/payments/stripe/webhook/"


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


@pytest.fixture
def woodshop():
    return ProducerFactory(
        name="Woodshop",
        slug="woodshop",
        capabilities=["woodworking"],
        stripe_account_id="acct_wood",
    )


@pytest.fixture
def sewing():
    """A co-op that has not connected a Stripe account yet."""
    return ProducerFactory(name="Sewing", slug="sewing", capabilities=["sewing"])


@pytest.fixture
def stool(woodshop):
    product = make_product(producer=woodshop, title="Stool", price=Decimal("60.00"))
    product_stock_receive(product=product, quantity=5, by=None, reason="made")
    return product


@pytest.fixture
def tote(sewing):
    product = make_product(producer=sewing, title="Tote", price=Decimal("28.45"))
    product_stock_receive(product=product, quantity=5, by=None, reason="made")
    return product


# --- Stripe's side -----------------------------------------------------------------------


def stripe_event(kind: str, obj: dict, *, event_id: str | None = None) -> str:
    """An event as Stripe sends it: the raw JSON body."""
    return json.dumps(
        {
            "id": event_id or f"evt_test_{uuid.uuid4().hex}",
            "object": "event",
            "type": kind,
            "api_version": stripe.api_version,
            "created": int(time.time()),
            "livemode": False,
            "data": {"object": obj},
        }
    )


def sign(payload: str, *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """The Stripe-Signature header, computed by the library the way Stripe computes it."""
    return stripe.WebhookSignature.generate_signature_header(
        payload, secret, timestamp=timestamp if timestamp is not None else int(time.time())
    )


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
