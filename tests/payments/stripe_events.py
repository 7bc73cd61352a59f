"""Stripe's side of a webhook: events as Stripe sends them and their signature."""

import json
import time
import uuid

import stripe

WEBHOOK_SECRET = "whsec_test_community_production"
WEBHOOK_URL = "/api/v1/payments/stripe/webhook/"


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
