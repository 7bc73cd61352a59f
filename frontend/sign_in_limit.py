"""Failed sign-ins counted per client address and user name, in the cache.

After `MAX_FAILURES` wrong passwords within `WINDOW` for the same address and
name, the form refuses further tries until the window ends. The address is the
one DRF's throttles use (`NUM_PROXIES` says how many proxies to trust in
X-Forwarded-For), so a client cannot dodge the count by sending that header.
"""

import hashlib
import math
import time

from django.core.cache import cache
from rest_framework.throttling import BaseThrottle

MAX_FAILURES = 10
WINDOW_SECONDS = 15 * 60


def client_address(request) -> str:
    return BaseThrottle().get_ident(request) or ""


def _key(request, username: str) -> str:
    raw = f"{client_address(request)}|{username.strip().lower()}".encode()
    return "sign-in-failures:" + hashlib.sha256(raw).hexdigest()


def seconds_blocked(request, username: str) -> int:
    """How long this address and name must still wait; 0 when they may try."""
    key = _key(request, username)
    state = cache.get_many([key, key + ":until"])
    until = state.get(key + ":until")
    # The window's end is judged by the stored time, not only by the cache's own
    # expiry, so every cache backend (memory, Redis) ends it at the same moment.
    if until is None or until <= time.time() or state.get(key, 0) < MAX_FAILURES:
        return 0
    return max(1, math.ceil(until - time.time()))


def record_failure(request, username: str) -> None:
    """Count one failure. The window opens with the first failure and does not slide;
    `add` then `incr` keeps the count right when tries arrive at once."""
    key = _key(request, username)
    until = cache.get(key + ":until")
    if until is not None and until <= time.time():
        cache.delete_many([key, key + ":until"])  # the last window is over: start afresh
    cache.add(key + ":until", time.time() + WINDOW_SECONDS, timeout=WINDOW_SECONDS)
    cache.add(key, 0, timeout=WINDOW_SECONDS)
    try:
        cache.incr(key)
    except ValueError:
        # The window closed between `add` and `incr`: start a new one.
        cache.set(key, 1, timeout=WINDOW_SECONDS)


def clear(request, username: str) -> None:
    key = _key(request, username)
    cache.delete_many([key, key + ":until"])
