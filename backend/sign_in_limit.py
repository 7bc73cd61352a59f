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

from django.contrib.auth import get_user_model
from django.core.cache import cache
from rest_framework.throttling import BaseThrottle

MAX_FAILURES = 10
MAX_ADDRESS_FAILURES = 30
WINDOW_SECONDS = 15 * 60
# Sign-up tries per address per window: asking "is this name or email taken?" through
# the sign-up form costs about as much as guessing a password.
MAX_SIGN_UPS = 10
# Password reset requests per address, and reset emails per address asked for, per window:
# the form must not become a way to flood someone's inbox.
MAX_RESET_REQUESTS = 10
MAX_RESET_EMAILS = 3
# Verification emails an account may ask for again per window.
MAX_VERIFY_RESENDS = 3


def sign_in_name(entered: str) -> str:
    """The user name that what someone typed signs in as: a user name, or the email of
    exactly one account. A name that is also someone's email wins, so nobody can take
    over a name by choosing it as email. Anything else is returned as typed."""
    if "@" not in entered:
        return entered
    users = get_user_model()._default_manager
    if users.filter(username=entered).exists():
        return entered
    matches = list(users.filter(email__iexact=entered).values_list("username", flat=True)[:2])
    return matches[0] if len(matches) == 1 else entered


SHARED_EMAIL_MESSAGE = (
    "More than one account uses this email, so it cannot sign you in. "
    "Sign in with your username instead (the password reset email tells you which it is)."
)


def email_shared(entered: str) -> bool:
    """True when what was typed is no one's user name but the email of several accounts,
    which then sign in with their user names."""
    if "@" not in entered:
        return False
    users = get_user_model()._default_manager
    if users.filter(username=entered).exists():
        return False
    return users.filter(email__iexact=entered).count() > 1


def client_address(request) -> str:
    return BaseThrottle().get_ident(request) or ""


def _digest(kind: str, raw: str) -> str:
    return f"sign-in-failures:{kind}:" + hashlib.sha256(raw.encode()).hexdigest()


def _keys(request, username: str) -> list[tuple[str, int]]:
    """The counters one try touches, each with the failures that block it."""
    address = client_address(request)
    # An account's email and its name count as one, so switching between them buys no tries.
    name = sign_in_name(username.strip()).lower()
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


def limit_seconds_blocked(kind: str, ident: str, limit: int) -> int:
    """How long `ident` (an address, an email, an account) must wait before it may do
    `kind` again: 0 while it has done it fewer than `limit` times this window."""
    key = _digest(kind, ident)
    return _wait(key, limit, cache.get_many([key, key + ":until"]))


def limit_record(kind: str, ident: str) -> None:
    """Count one `kind` done by `ident`."""
    _count(_digest(kind, ident))


def retry_message(wait: int) -> str:
    minutes = math.ceil(wait / 60)
    return f"Too many attempts, try again in {minutes} minute{'' if minutes == 1 else 's'}."
