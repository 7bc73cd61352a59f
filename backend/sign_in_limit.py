"""Failed sign-ins counted in the cache, shared by every door (storefront, admin, API token).

Two counts, each over a fixed `WINDOW_SECONDS` that opens with the first failure:

- per client address and name: `MAX_FAILURES` wrong passwords for one account
  (or one missing account) from one address block that pair;
- per client address alone: `MAX_ADDRESS_FAILURES` failures across any names
  block the address, which caps password spraying (one password tried against
  many accounts).

While blocked, the password is not checked at all, so the right one does not
sign in until the window ends. The address is the one DRF's throttles use
(`NUM_PROXIES` says how many proxies to trust in X-Forwarded-For), so a client
cannot dodge the count by sending that header.
"""

import hashlib
import math
import time

from django.core.cache import cache
from rest_framework.throttling import BaseThrottle

MAX_FAILURES = 10
MAX_ADDRESS_FAILURES = 30
WINDOW_SECONDS = 15 * 60
# Sign-up tries per address per window: asking "is this name or email taken?" through
# the sign-up form costs about as much as guessing a password.
MAX_SIGN_UPS = 10


def client_address(request) -> str:
    return BaseThrottle().get_ident(request) or ""


def _digest(kind: str, raw: str) -> str:
    return f"sign-in-failures:{kind}:" + hashlib.sha256(raw.encode()).hexdigest()


def _keys(request, username: str) -> list[tuple[str, int]]:
    """The counters one try touches, each with the failures that block it."""
    address = client_address(request)
    name = username.strip().lower()
    return [
        (_digest("name", f"{address}|{name}"), MAX_FAILURES),
        (_digest("address", address), MAX_ADDRESS_FAILURES),
    ]


def _wait(key: str, limit: int, state: dict) -> int:
    until = state.get(key + ":until")
    # The window's end is judged by the stored time, not only by the cache's own
    # expiry, so every cache backend (memory, Redis) ends it at the same moment.
    if until is None or until <= time.time() or state.get(key, 0) < limit:
        return 0
    return max(1, math.ceil(until - time.time()))


def seconds_blocked(request, username: str) -> int:
    """How long this address and name must still wait; 0 when they may try."""
    keys = _keys(request, username)
    state = cache.get_many([k for key, _ in keys for k in (key, key + ":until")])
    return max(_wait(key, limit, state) for key, limit in keys)


def _count(key: str) -> None:
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


def record_failure(request, username: str) -> None:
    """Count one failure on both counters. The window does not slide; `add` then
    `incr` keeps the count right when tries arrive at once."""
    for key, _ in _keys(request, username):
        _count(key)


def clear(request, username: str) -> None:
    """A good sign-in forgets that name's failures; the address count stays, so
    an attacker's own account cannot reset a spraying run."""
    key, _ = _keys(request, username)[0]
    cache.delete_many([key, key + ":until"])


def sign_up_seconds_blocked(request) -> int:
    key = _digest("sign-up", client_address(request))
    return _wait(key, MAX_SIGN_UPS, cache.get_many([key, key + ":until"]))


def record_sign_up(request) -> None:
    """Count one sign-up try, good or bad."""
    _count(_digest("sign-up", client_address(request)))


def retry_message(wait: int) -> str:
    minutes = math.ceil(wait / 60)
    return f"Too many attempts, try again in {minutes} minute{'' if minutes == 1 else 's'}."
