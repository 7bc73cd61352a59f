"""The one place a Stripe client is made.

Every call that changes something at Stripe passes its own idempotency key
(`options={"idempotency_key": ...}`), derived from our ids: the library retries
a failed call with the same key, and so do our own retries, so Stripe acts once.
"""

import functools

import stripe
from django.conf import settings

# Each try waits at most this long to connect, then this long for the answer.
# A checkout is opened while the customer waits: three tries (the first and two
# retries) plus back-off stay inside a web server's usual 30-second limit.
TIMEOUT_SECONDS = (3.05, 7.0)
MAX_NETWORK_RETRIES = 2


@functools.cache
def _client(api_key: str, api_base: str, timeout) -> stripe.StripeClient:
    # Cached so that connections are kept alive; the HTTP client keeps one
    # session per thread, so sharing it between threads is safe.
    return stripe.StripeClient(
        api_key,
        base_addresses={"api": api_base},
        max_network_retries=MAX_NETWORK_RETRIES,
        http_client=stripe.RequestsClient(timeout=timeout),
    )


def stripe_client() -> stripe.StripeClient:
    return _client(settings.STRIPE_SECRET_KEY, settings.STRIPE_API_BASE, TIMEOUT_SECONDS)
