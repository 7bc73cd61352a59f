"""How often one client may place an order through the storefront.

The API's `orders` rate and counter: placing an order holds stock, whichever
door it comes through, so both doors draw on one budget per client.
"""

import math

from rest_framework.throttling import ScopedRateThrottle

MESSAGE = (
    "You have placed several orders in a short time. Your cart is kept: "
    "wait a minute, then place this order again."
)


class _Scope:
    throttle_scope = "orders"


def wait(request) -> int | None:
    """Seconds to wait before placing another order, or None to go ahead (and count it)."""
    throttle = ScopedRateThrottle()
    if throttle.allow_request(request, _Scope()):
        return None
    return max(1, math.ceil(throttle.wait() or 1))
