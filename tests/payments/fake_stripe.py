"""A small stand-in for Stripe's API, for the real `stripe` library to talk to in tests.

It answers the endpoints the payment services use with Stripe-shaped JSON, keeps
what they made (sessions, payment intents, charges, refunds, transfers), records
every request it received, and honours idempotency keys the way Stripe does: a
request that was executed is saved under its key and replayed to a retry with
the same parameters; the same key with other parameters is an error; two
requests with one key are handled one after the other.

Knobs: `fail(n)` answers the next n requests with a 500 before doing anything
(as a load balancer in trouble would); `stall(n)` does the work of the next n
requests but holds their answers until another request arrives, which only
happens once the client has given up waiting and retried.
"""

import itertools
import json
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

SHORTEST_SESSION = 30 * 60
LONGEST_SESSION = 24 * 60 * 60


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    form: dict[str, str]

    @property
    def idempotency_key(self) -> str | None:
        return self.headers.get("idempotency-key")


@dataclass
class _Saved:
    form: dict[str, str]
    status: int
    body: dict


@dataclass
class FakeStripe:
    requests: list[Received] = field(default_factory=list)
    sessions: dict[str, dict] = field(default_factory=dict)
    payment_intents: dict[str, dict] = field(default_factory=dict)
    charges: dict[str, dict] = field(default_factory=dict)
    refunds: dict[str, dict] = field(default_factory=dict)
    transfers: dict[str, dict] = field(default_factory=dict)
    accounts: dict[str, dict] = field(default_factory=dict)
    account_links: list[dict] = field(default_factory=list)

    def __post_init__(self):
        self._lock = threading.Lock()
        self._key_locks: dict[str, threading.Lock] = defaultdict(threading.Lock)
        self._saved: dict[str, _Saved] = {}
        self._ids = itertools.count(1)
        self._fail_after = 0
        self._fail_left = 0
        self._fail_status = 500
        self._stall_left = 0
        self._arrived = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._server.fake = self
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    # --- running -------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "FakeStripe":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._arrived.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    # --- knobs ---------------------------------------------------------------------

    def fail(self, times: int, status: int = 500, after: int = 0) -> None:
        """Answer `times` requests with `status`, once `after` more have been served."""
        self._fail_after, self._fail_left, self._fail_status = after, times, status

    def stall(self, times: int = 1) -> None:
        self._arrived.clear()
        self._stall_left = times

    # --- what the customer does on Stripe's pages ----------------------------------

    def pay(self, session_id: str) -> dict:
        """The customer pays: a payment intent and its charge, the session complete and paid."""
        with self._lock:
            return self._pay(session_id)

    def _pay(self, session_id: str) -> dict:
        session = self.sessions[session_id]
        charge = self._new("ch", {"object": "charge", "amount": session["amount_total"]})
        self.charges[charge["id"]] = {**charge, "amount_refunded": 0}
        intent = self._new(
            "pi",
            {
                "object": "payment_intent",
                "amount": session["amount_total"],
                "currency": session["currency"],
                "status": "succeeded",
                "latest_charge": charge["id"],
                "transfer_group": session["transfer_group"],
            },
        )
        self.payment_intents[intent["id"]] = intent
        charge["payment_intent"] = intent["id"]
        session.update(status="complete", payment_status="paid", payment_intent=intent["id"])
        return self.public_session(session_id)

    def expire(self, session_id: str) -> dict:
        self.sessions[session_id].update(status="expired")
        return self.public_session(session_id)

    def public_session(self, session_id: str) -> dict:
        return {k: v for k, v in self.sessions[session_id].items() if k != "transfer_group"}

    # --- what a co-op does on Stripe's onboarding pages ----------------------------

    def onboard(self, account_id: str, *, payouts: bool = True) -> dict:
        """The co-op gives Stripe its details; with `payouts`, Stripe enables payouts."""
        with self._lock:
            account = self.accounts[account_id]
            due = [] if payouts else ["external_account"]
            account.update(
                details_submitted=True,
                payouts_enabled=payouts,
                charges_enabled=payouts,
                capabilities={"transfers": "active" if payouts else "pending"},
            )
            account["requirements"].update(
                currently_due=due,
                eventually_due=due,
                past_due=due,
                disabled_reason=None if payouts else "requirements.past_due",
            )
            return account

    # --- what we were asked --------------------------------------------------------

    def received(self, method: str, path: str) -> list[Received]:
        return [r for r in self.requests if r.method == method and r.path == path]

    # --- serving -------------------------------------------------------------------

    def handle(self, method: str, path: str, headers: dict, form: dict) -> tuple[int, dict]:
        key = headers.get("idempotency-key") if method == "POST" else None
        with self._lock:
            self.requests.append(Received(method, path, headers, form))
            stalled = self._stall_left > 0
            if stalled:
                self._stall_left -= 1
            else:
                self._arrived.set()
            if self._fail_after:
                self._fail_after -= 1
            elif self._fail_left:
                self._fail_left -= 1
                return self._fail_status, _error("api_error", "Something went wrong at Stripe.")
            key_lock = self._key_locks[key] if key else None
        if not headers.get("authorization", "").startswith("Bearer sk_test_"):
            return 401, _error("invalid_request_error", "Invalid API key provided.")
        if key_lock is None:
            if stalled:
                self._arrived.wait(timeout=10)
            return self._route(method, path, form)
        with key_lock:
            saved = self._saved.get(key)
            if saved is not None:
                if saved.form != form:
                    return 400, _error(
                        "idempotency_error",
                        "Keys for idempotent requests can only be used with the same parameters.",
                    )
                return saved.status, saved.body
            if stalled:
                self._arrived.wait(timeout=10)
            status, body = self._route(method, path, form)
            if status == 200:
                self._saved[key] = _Saved(form, status, body)
            return status, body

    def _route(self, method: str, path: str, form: dict) -> tuple[int, dict]:
        parts = path.strip("/").split("/")
        with self._lock:
            if method == "POST" and path == "/v1/checkout/sessions":
                return self._create_session(form)
            if method == "GET" and parts[:3] == ["v1", "checkout", "sessions"] and len(parts) == 4:
                return self._retrieve_session(parts[3], form)
            if method == "GET" and parts[:2] == ["v1", "payment_intents"] and len(parts) == 3:
                return self._retrieve(self.payment_intents, parts[2])
            if method == "POST" and path == "/v1/refunds":
                return self._create_refund(form)
            if method == "GET" and parts[:2] == ["v1", "refunds"] and len(parts) == 3:
                return self._retrieve(self.refunds, parts[2])
            if method == "POST" and path == "/v1/transfers":
                return self._create_transfer(form)
            if method == "POST" and path == "/v1/accounts":
                return self._create_account(form)
            if method == "GET" and parts[:2] == ["v1", "accounts"] and len(parts) == 3:
                return self._retrieve(self.accounts, parts[2])
            if method == "POST" and path == "/v1/account_links":
                return self._create_account_link(form)
        return 404, _error("invalid_request_error", f"Unrecognized request URL ({method} {path}).")

    def _new(self, prefix: str, fields: dict) -> dict:
        return {"id": f"{prefix}_test_{next(self._ids)}", "livemode": False, **fields}

    def _create_session(self, form: dict) -> tuple[int, dict]:
        now = int(time.time())
        expires_at = int(form.get("expires_at", now + LONGEST_SESSION))
        if not now + SHORTEST_SESSION <= expires_at <= now + LONGEST_SESSION:
            return 400, _error(
                "invalid_request_error",
                "The `expires_at` timestamp must be between 30 minutes and 24 hours from now.",
                param="expires_at",
            )
        total = 0
        for i in itertools.count():
            if f"line_items[{i}][quantity]" not in form:
                break
            unit = int(form[f"line_items[{i}][price_data][unit_amount]"])
            total += unit * int(form[f"line_items[{i}][quantity]"])
        if not total or form.get("mode") != "payment":
            return 400, _error("invalid_request_error", "Give line items in payment mode.")
        session = self._new(
            "cs",
            {
                "object": "checkout.session",
                "mode": "payment",
                "status": "open",
                "payment_status": "unpaid",
                "amount_total": total,
                "currency": form.get("line_items[0][price_data][currency]", "usd"),
                "expires_at": expires_at,
                "success_url": form.get("success_url"),
                "cancel_url": form.get("cancel_url"),
                "client_reference_id": form.get("client_reference_id"),
                "metadata": _sub(form, "metadata"),
                "payment_intent": None,
                "transfer_group": form.get("payment_intent_data[transfer_group]"),
            },
        )
        session["url"] = f"https://checkout.stripe.test/c/pay/{session['id']}"
        self.sessions[session["id"]] = session
        return 200, self.public_session(session["id"])

    def _retrieve_session(self, session_id: str, query: dict) -> tuple[int, dict]:
        if session_id not in self.sessions:
            return 404, _error("invalid_request_error", f"No such checkout.session: {session_id}")
        session = self.public_session(session_id)
        expanded = {v for k, v in query.items() if k.startswith("expand[")}
        if "payment_intent" in expanded and session["payment_intent"]:
            session["payment_intent"] = self.payment_intents[session["payment_intent"]]
        return 200, session

    def _retrieve(self, objects: dict, object_id: str) -> tuple[int, dict]:
        if object_id not in objects:
            return 404, _error("invalid_request_error", f"No such object: {object_id}")
        return 200, objects[object_id]

    def _create_refund(self, form: dict) -> tuple[int, dict]:
        intent = self.payment_intents.get(form.get("payment_intent", ""))
        if intent is None:
            return 400, _error("invalid_request_error", "No such payment_intent.")
        charge = self.charges[intent["latest_charge"]]
        amount = int(form.get("amount", charge["amount"] - charge["amount_refunded"]))
        if amount <= 0 or charge["amount_refunded"] + amount > charge["amount"]:
            return 400, _error(
                "invalid_request_error",
                "Refund amount is greater than unrefunded amount on charge.",
                code="amount_too_large",
            )
        charge["amount_refunded"] += amount
        refund = self._new(
            "re",
            {
                "object": "refund",
                "amount": amount,
                "currency": intent["currency"],
                "status": "succeeded",
                "payment_intent": intent["id"],
                "charge": charge["id"],
                "reason": form.get("reason"),
                "metadata": _sub(form, "metadata"),
            },
        )
        self.refunds[refund["id"]] = refund
        return 200, refund

    def _create_transfer(self, form: dict) -> tuple[int, dict]:
        if not form.get("destination", "").startswith("acct_"):
            return 400, _error("invalid_request_error", "No such destination.")
        source = form.get("source_transaction")
        if source and source not in self.charges:
            return 400, _error("invalid_request_error", f"No such charge: {source}")
        transfer = self._new(
            "tr",
            {
                "object": "transfer",
                "amount": int(form["amount"]),
                "currency": form.get("currency"),
                "destination": form["destination"],
                "transfer_group": form.get("transfer_group"),
                "source_transaction": source,
                "metadata": _sub(form, "metadata"),
            },
        )
        self.transfers[transfer["id"]] = transfer
        return 200, transfer

    def _create_account(self, form: dict) -> tuple[int, dict]:
        kind = form.get("type")
        if kind not in ("express", "standard", "custom"):
            return 400, _error(
                "invalid_request_error",
                "Invalid type: must be one of custom, express, or standard",
                param="type",
            )
        # A new Express account: nothing submitted yet, so Stripe needs everything.
        due = ["business_type", "external_account", "tos_acceptance.date", "tos_acceptance.ip"]
        requested = {
            key[len("capabilities[") : -len("][requested]")]
            for key, value in form.items()
            if key.startswith("capabilities[") and key.endswith("][requested]") and value == "true"
        }
        account = self._new(
            "acct",
            {
                "object": "account",
                "type": kind,
                "country": form.get("country", "US"),
                "default_currency": "usd",
                "email": form.get("email"),
                "created": int(time.time()),
                "details_submitted": False,
                "charges_enabled": False,
                "payouts_enabled": False,
                "capabilities": dict.fromkeys(sorted(requested), "inactive"),
                "requirements": {
                    "currently_due": due,
                    "eventually_due": due,
                    "past_due": due,
                    "pending_verification": [],
                    "errors": [],
                    "current_deadline": None,
                    "disabled_reason": "requirements.past_due",
                },
                "metadata": _sub(form, "metadata"),
            },
        )
        account["id"] = account["id"].replace("acct_test_", "acct_1Test")
        self.accounts[account["id"]] = account
        return 200, account

    def _create_account_link(self, form: dict) -> tuple[int, dict]:
        account = form.get("account", "")
        if account not in self.accounts:
            return 400, _error(
                "invalid_request_error", f"No such account: '{account}'", param="account"
            )
        if form.get("type") not in ("account_onboarding", "account_update"):
            return 400, _error("invalid_request_error", "Invalid type.", param="type")
        if not form.get("return_url") or not form.get("refresh_url"):
            return 400, _error(
                "invalid_request_error", "Missing required param: return_url.", param="return_url"
            )
        created = int(time.time())
        link = {
            "object": "account_link",
            "created": created,
            "expires_at": created + 300,
            "url": f"https://connect.stripe.test/setup/e/{account}/{next(self._ids)}",
        }
        self.account_links.append({**link, **form})
        return 200, link


def _sub(form: dict, name: str) -> dict:
    prefix = f"{name}["
    return {k[len(prefix) : -1]: v for k, v in form.items() if k.startswith(prefix)}


def _error(kind: str, message: str, **extra) -> dict:
    return {"error": {"type": kind, "message": message, **extra}}


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        self._serve("GET")

    def do_POST(self):
        self._serve("POST")

    def log_message(self, format, *args):
        pass

    def _serve(self, method: str) -> None:
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode() if length else ""
        form = dict(parse_qsl(raw if method == "POST" else url.query, keep_blank_values=True))
        headers = {name.lower(): value for name, value in self.headers.items()}
        status, body = self.server.fake.handle(method, url.path, headers, form)
        data = json.dumps(body).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Request-Id", f"req_test_{id(self)}")
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting: Stripe would have done the work all the same
