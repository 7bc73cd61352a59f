"""The outbound HTTP client for webhooks: one POST, to the addresses that were vetted.

No second DNS lookup between the check and the connection (the socket goes to the
vetted addresses), no proxies, no redirects, and a bounded read of the answer.
Never raises for anything the network or the receiver can do.
"""

import http.client
import socket
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from producers.webhooks import Target, vetted_addresses

# Applies to connecting and to each read from the socket.
TIMEOUT_SECONDS = 10
# However slowly a receiver trickles its answer out, stop reading after this long.
READ_DEADLINE_SECONDS = 20
MAX_RESPONSE_BYTES = 64 * 1024
# How much of the answer's body is kept for people to read (a test event shows it).
EXCERPT_BYTES = 300


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """Answer a redirect as a failure: following it would send a signed job, with a
    customer's name and phone, to an address the co-op never registered."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def _connect_to(targets: list[Target]):
    """A stand-in for `socket.create_connection` that ignores the host name it is
    given and connects to the addresses vetted for it, in order, so what was
    checked is what is reached (no second DNS lookup between check and connect)."""

    def create_connection(address, timeout=socket._GLOBAL_DEFAULT_TIMEOUT, source_address=None):
        error: OSError | None = None
        for target in targets:
            sock = socket.socket(target.family, socket.SOCK_STREAM)
            try:
                if timeout is not socket._GLOBAL_DEFAULT_TIMEOUT:
                    sock.settimeout(timeout)
                if source_address:
                    sock.bind(source_address)
                sock.connect(target.sockaddr)
            except OSError as exc:
                sock.close()
                error = exc
                continue
            return sock
        raise error or OSError("no address to connect to")

    return create_connection


def _pinned(connection_class, targets: list[Target]):
    def make(host, **kwargs):
        connection = connection_class(host, **kwargs)
        # TLS still verifies the certificate against the URL's host name.
        connection._create_connection = _connect_to(targets)
        return connection

    return make


class _PinnedHTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, targets: list[Target]):
        super().__init__()
        self._targets = targets

    def http_open(self, req):
        return self.do_open(_pinned(http.client.HTTPConnection, self._targets), req)


class _PinnedHTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, targets: list[Target]):
        super().__init__()
        self._targets = targets

    def https_open(self, req):
        return self.do_open(
            _pinned(http.client.HTTPSConnection, self._targets), req, context=self._context
        )


def _opener_for(targets: list[Target]):
    """No proxies (they would connect elsewhere than the vetted address), no redirects."""
    return urllib.request.build_opener(
        urllib.request.ProxyHandler({}),
        _NoRedirects,
        _PinnedHTTPHandler(targets),
        _PinnedHTTPSHandler(targets),
    )


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    error: str
    duration_ms: int
    # The start of the answer's body, decoded leniently; empty when there was none.
    excerpt: str = ""


def _describe(exc: BaseException) -> str:
    reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    if isinstance(reason, BaseException):
        text = f"{type(reason).__name__}: {reason}"
    else:
        text = str(reason)
    return text[:500]


def _drain(response) -> str:
    """Read at most 64 KiB of the answer, within the read deadline; return its start.

    The status is already known; reading lets the receiver finish cleanly, and
    the limits stop a misbehaving one from tying up the worker.
    """
    deadline = time.monotonic() + READ_DEADLINE_SECONDS
    remaining = MAX_RESPONSE_BYTES
    start = b""
    try:
        while remaining > 0 and time.monotonic() < deadline:
            chunk = response.read(min(remaining, 8192))
            if not chunk:
                break
            if len(start) < EXCERPT_BYTES:
                start += chunk[: EXCERPT_BYTES - len(start)]
            remaining -= len(chunk)
    except (OSError, http.client.HTTPException):
        pass
    return start.decode("utf-8", errors="replace")


def post(url: str, *, body: bytes, headers: dict[str, str]) -> Outcome:
    """POST once. Never raises for anything the network or the receiver can do.

    The URL is checked again here (see `producers.webhooks`): a refused address is
    a failed attempt, and the connection goes to the addresses that were checked.
    """
    started = time.monotonic()

    def elapsed() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        targets = vetted_addresses(url)
    except ValidationError as exc:
        reason = " ".join(exc.messages)
        if exc.code != "unresolvable":
            reason = f"Refused: {reason}"
        return Outcome(status_code=None, error=reason[:500], duration_ms=elapsed())
    try:
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")
        response = _opener_for(targets).open(request, timeout=TIMEOUT_SECONDS)
    except urllib.error.HTTPError as exc:
        response = exc  # an answer all the same, only not a 2xx
    except (OSError, http.client.HTTPException, ValueError) as exc:
        # OSError covers refused connections, timeouts and DNS failures (URLError
        # is one); ValueError an address urllib cannot use.
        return Outcome(status_code=None, error=_describe(exc), duration_ms=elapsed())
    try:
        status = response.code
        excerpt = _drain(response)
    finally:
        response.close()
    return Outcome(status_code=status, error="", duration_ms=elapsed(), excerpt=excerpt)
