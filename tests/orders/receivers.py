"""A co-op's webhook receiver on 127.0.0.1 and jobs made straight from the ORM, for the
tests of dispatch, outbox, faults and abuse."""

import datetime
import threading
from dataclasses import dataclass
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks import Webhook, WebhookVerificationError

from orders import dispatch
from orders.models import Job, Order, OrderLine, WebhookDelivery
from producers.models import Membership, Producer
from tests.factories import MembershipFactory, ProducerFactory, UserFactory, make_product

DUE = datetime.date(2026, 12, 1)
CUSTOMER_EMAIL = "keisha@example.org"


# --- A co-op's webhook receiver ----------------------------------------------------------


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    verified: bool
    payload: dict | None


class Receiver:
    """A co-op's endpoint on 127.0.0.1. It checks every request the way a co-op would,
    with `standardwebhooks` and its secret, records it, and answers with `status`.
    `stop()` closes the port (connection refused); `start()` opens the same port again."""

    def __init__(self):
        self.secret = ""
        self.status = 200
        self.location = ""
        self.requests: list[Received] = []
        # When `hold` is set, each request waits for `release` before answering.
        self.hold = False
        self.release = threading.Event()
        self.port = 0
        self._server = None
        self._thread = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/jobs"

    def _handler(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def _receive(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                headers = {key.lower(): value for key, value in self.headers.items()}
                try:
                    payload = Webhook(receiver.secret).verify(body, headers)
                    verified = True
                except WebhookVerificationError:
                    payload, verified = None, False
                receiver.requests.append(
                    Received(self.command, self.path, headers, body, verified, payload)
                )
                if receiver.hold:
                    receiver.release.wait(timeout=5)
                self.send_response(receiver.status if verified else 401)
                if receiver.location:
                    self.send_header("Location", receiver.location)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_POST = _receive
            do_GET = _receive

            def log_message(self, format, *args):
                pass

        return Handler

    def start(self):
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), self._handler())
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )
        self._thread.start()

    def stop(self):
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join()
            self._server = None


# --- Orders and jobs, straight from the ORM -----------------------------------------------


def make_job(*, webhook_url="", receiver=None, fulfilment="pickup", producer=None) -> Job:
    """A paid order with one job of two planters at a co-op; `receiver` is its endpoint."""
    if producer is None:
        producer = ProducerFactory(webhook_url=receiver.url if receiver else webhook_url)
    if receiver is not None:
        receiver.secret = producer.webhook_secret
    order = Order.objects.create(
        contact_name="Keisha Brown",
        contact_email=CUSTOMER_EMAIL,
        contact_phone="601-555-0142",
        fulfilment=fulfilment,
        delivery_address="412 Mill St, Jackson, MS" if fulfilment == "delivery" else "",
        payment_method="pay_at_pickup",
        status="paid",
        subtotal=Decimal("90.00"),
        total=Decimal("90.00"),
    )
    job = Job.objects.create(
        order=order,
        producer=producer,
        due_date=DUE,
        routing_reason="test",
        total=Decimal("90.00"),
        dispatched=True,
    )
    product = make_product(producer=producer, title="Cedar planter box", price=Decimal("45.00"))
    OrderLine.objects.create(
        order=order,
        job=job,
        product=product,
        title=product.title,
        unit_price=Decimal("45.00"),
        quantity=2,
        line_total=Decimal("90.00"),
    )
    return job


def manager_of(producer: Producer, username="planter-manager"):
    return MembershipFactory(
        producer=producer, role=Membership.Role.MANAGER, user=UserFactory(username=username)
    ).user


def send(job: Job) -> WebhookDelivery | None:
    """Dispatch the job as payment confirmation does; the test backend runs the tasks at once."""
    dispatch.dispatch_jobs(jobs=[job], event="job.routed")
    return WebhookDelivery.objects.filter(job=job).first()
