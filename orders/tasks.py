"""Background work for orders: webhook deliveries to the co-ops, and the emails.

A delivery goes in three steps so that no database lock is held while a co-op's
server takes its time to answer:

1. claim (one short transaction): lock the row, skipping it if another worker
   holds it; go on only if it is still pending and due; count the attempt and
   mark it in flight by moving `next_attempt_at` past the longest an attempt can
   take. A second worker that gets the row after this commit sees an attempt
   that is not due and leaves it alone, so one attempt is made once.
2. the HTTP POST, outside any transaction;
3. record (one short transaction): the attempt's log row and the outcome:
   delivered, stopped by a 410, retried later with back-off, or given up.
"""

import datetime
import http.client
import json
import logging
import random
import socket
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.tasks import task
from django.utils import timezone

from orders.dispatch import sign, webhook_active
from orders.models import Job, Order, WebhookAttempt, WebhookDelivery
from producers.models import Membership, Producer
from producers.webhooks import Target, vetted_addresses

logger = logging.getLogger(__name__)

USER_AGENT = "CommunityProduction-Webhooks/1"
# Applies to connecting and to each read from the socket.
TIMEOUT_SECONDS = 10
# However slowly a receiver trickles its answer out, stop reading after this long.
READ_DEADLINE_SECONDS = 20
MAX_RESPONSE_BYTES = 64 * 1024
# While an attempt is in flight its `next_attempt_at` is this far ahead, which
# keeps every other worker off it. Longer than connecting and reading can take.
ATTEMPT_LEASE = datetime.timedelta(minutes=5)

# Back-off with full jitter: after attempt n the next one waits a random time
# between 0 and min(CAP, BASE * 2**n). Ceilings: 60 s, 2 min, 4 min, ... 4.3 h
# for n = 1..9 (8.5 h in all), then 6 h from n = 10 on. A uniform wait averages
# half its ceiling, so the retries after attempts 1..9 take 4.3 h on average and
# each later one 3 h. The first attempt whose average schedule passes three days
# is attempt 33: 4.3 h + 23 × 3 h = 73.3 h (the spread of 32 random waits is
# about ± 8 h). After that attempt fails, the delivery is given up.
BACKOFF_BASE = datetime.timedelta(seconds=30)
BACKOFF_CAP = datetime.timedelta(hours=6)
MAX_ATTEMPTS = 33

D = WebhookDelivery.State


def backoff_delay(attempt: int) -> datetime.timedelta:
    """How long to wait after the given (1-based) attempt failed."""
    ceiling = min(BACKOFF_CAP.total_seconds(), BACKOFF_BASE.total_seconds() * 2**attempt)
    return datetime.timedelta(seconds=random.uniform(0, ceiling))


def _managers_emails(producer_id: int) -> list[str]:
    return list(
        Membership.objects.filter(
            producer_id=producer_id, role=Membership.Role.MANAGER, user__is_active=True
        )
        .exclude(user__email="")
        .order_by("user__email")
        .values_list("user__email", flat=True)
        .distinct()
    )


# --- Webhook deliveries ----------------------------------------------------------------


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


def _describe(exc: BaseException) -> str:
    reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    if isinstance(reason, BaseException):
        text = f"{type(reason).__name__}: {reason}"
    else:
        text = str(reason)
    return text[:500]


def _drain(response) -> None:
    """Read (and drop) at most 64 KiB of the answer, within the read deadline.

    The status is already known; reading lets the receiver finish cleanly, and
    the limits stop a misbehaving one from tying up the worker.
    """
    deadline = time.monotonic() + READ_DEADLINE_SECONDS
    remaining = MAX_RESPONSE_BYTES
    try:
        while remaining > 0 and time.monotonic() < deadline:
            chunk = response.read(min(remaining, 8192))
            if not chunk:
                return
            remaining -= len(chunk)
    except (OSError, http.client.HTTPException):
        return


def post_webhook(url: str, body: bytes, headers: dict[str, str]) -> Outcome:
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
        _drain(response)
    finally:
        response.close()
    return Outcome(status_code=status, error="", duration_ms=elapsed())


def _claim(delivery_id: int) -> tuple[WebhookDelivery, int] | None:
    """Take the next attempt of a delivery, or None when there is nothing to do."""
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("producer")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None or delivery.state != D.PENDING:
            return None  # another worker holds it, or it is finished
        now = timezone.now()
        if delivery.next_attempt_at is not None and delivery.next_attempt_at > now:
            return None  # in flight elsewhere, or a retry is already scheduled for later
        if not webhook_active(delivery.producer):
            # The endpoint was removed or disabled since: the co-op has the email
            # and the job board, and a new URL starts afresh.
            delivery.state = D.FAILED
            delivery.next_attempt_at = None
            delivery.save(update_fields=["state", "next_attempt_at"])
            return None
        delivery.attempts += 1
        delivery.next_attempt_at = now + ATTEMPT_LEASE
        delivery.save(update_fields=["attempts", "next_attempt_at"])
    return delivery, delivery.attempts


def _give_up(delivery: WebhookDelivery, reason: str) -> None:
    now = timezone.now()
    disabled = Producer.objects.filter(
        pk=delivery.producer_id, webhook_disabled_at__isnull=True
    ).update(webhook_disabled_at=now)
    if disabled:
        # Only the delivery that turned the endpoint off writes to the managers.
        email_webhook_disabled.enqueue(producer_id=delivery.producer_id, reason=reason)


def _schedule_retry(delivery: WebhookDelivery) -> None:
    when = timezone.now() + backoff_delay(delivery.attempts)
    delivery.next_attempt_at = when
    # Backends that run tasks at once (the test suite's) cannot defer one: the
    # retry then waits for someone to run the task again after `next_attempt_at`.
    if deliver_webhook.get_backend().supports_defer:
        deliver_webhook.using(run_after=when).enqueue(delivery_id=delivery.pk)


def _record(delivery_id: int, number: int, url: str, outcome: Outcome) -> WebhookDelivery:
    with transaction.atomic():
        delivery = WebhookDelivery.objects.select_for_update(of=("self",)).get(pk=delivery_id)
        WebhookAttempt.objects.create(
            delivery=delivery,
            number=number,
            url=url[:500],
            status_code=outcome.status_code,
            error=outcome.error,
            duration_ms=outcome.duration_ms,
        )
        status = outcome.status_code
        if status is not None and 200 <= status < 300:
            delivery.state = D.DELIVERED
            delivery.delivered_at = timezone.now()
            delivery.next_attempt_at = None
        elif status == 410:
            # The receiver says this endpoint is gone for good: stop, without
            # counting it as the endpoint failing.
            delivery.state = D.STOPPED
            delivery.next_attempt_at = None
        elif number >= MAX_ATTEMPTS:
            delivery.state = D.FAILED
            delivery.next_attempt_at = None
            _give_up(delivery, outcome.error or f"HTTP {status}")
        else:
            _schedule_retry(delivery)
        delivery.save(update_fields=["state", "delivered_at", "next_attempt_at"])
    return delivery


@task(queue_name="webhooks")
def deliver_webhook(*, delivery_id: int) -> str:
    """Make the next attempt at a webhook delivery. Returns the delivery's state after it."""
    claimed = _claim(delivery_id)
    if claimed is None:
        return "skipped"
    delivery, number = claimed
    producer = delivery.producer
    url = producer.webhook_url
    # Serialised here, the same way every time: the body is what gets signed.
    body = json.dumps(delivery.payload, sort_keys=True, separators=(",", ":")).encode()
    headers = {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        **sign(producer, delivery.message_id, timezone.now(), body),
    }
    outcome = post_webhook(url, body, headers)
    if outcome.status_code is None or not 200 <= outcome.status_code < 300:
        logger.info(
            "webhook %s attempt %s to %s: %s",
            delivery.message_id,
            number,
            url,
            outcome.status_code or outcome.error,
        )
    return _record(delivery_id, number, url, outcome).state


# --- Emails ----------------------------------------------------------------------------


def _short_date(day: datetime.date) -> str:
    return f"{day:%a} {day.day} {day:%b}"


def _line_text(line) -> str:
    return f"  {line.quantity} × {line.title} at ${line.unit_price:.2f} = ${line.line_total:.2f}"


def _job(job_id: int) -> Job:
    return Job.objects.select_related("order", "producer").get(pk=job_id)


SUBJECT_PREFIX = {"job.routed": "New job"}


@task(queue_name="email")
def email_job_to_managers(*, job_id: int, event: str) -> int:
    """Email a job to its producer's managers. Sent whether or not the co-op has a
    webhook: for a co-op without one, this and the job board are how work arrives."""
    job = _job(job_id)
    recipients = _managers_emails(job.producer_id)
    if not recipients:
        return 0
    order = job.order
    if event == "job.cancelled":
        return send_mail(
            subject=f"Cancelled: your job for order {order.number}",
            message=(
                f"Order {order.number} was cancelled ({order.cancel_reason or 'no reason given'}). "
                f"There is nothing to make for it; the stock held for job {job.pk} is back on "
                f"the shelf.\n\nYour job board: {settings.SITE_URL}/workbench/"
            ),
            from_email=None,
            recipient_list=recipients,
        )
    lines = list(job.lines.filter(cancelled=False).order_by("id"))
    items = sum(line.quantity for line in lines)
    prefix = SUBJECT_PREFIX.get(event, "Job update")
    subject = (
        f"{prefix} {order.number}: {items} item{'' if items == 1 else 's'}, "
        f"due {_short_date(job.due_date)}"
    )
    if order.fulfilment == Order.Fulfilment.DELIVERY:
        fulfilment = f"Local delivery to {order.delivery_address}"
    else:
        fulfilment = "The customer picks it up"
    customer = order.contact_name + (f", {order.contact_phone}" if order.contact_phone else "")
    body = "\n".join(
        [
            f"{job.producer.name} has a job for order {order.number}:",
            "",
            *(_line_text(line) for line in lines),
            "",
            f"Due: {job.due_date:%A} {job.due_date.day} {job.due_date:%B %Y}",
            f"Fulfilment: {fulfilment}",
            f"Customer: {customer}",
            f"Why you: {job.routing_reason}",
            "",
            f"Accept or decline it on your workbench: {settings.SITE_URL}/workbench/",
        ]
    )
    return send_mail(subject=subject, message=body, from_email=None, recipient_list=recipients)


@task(queue_name="email")
def email_customer_ready(*, job_id: int) -> int:
    """Tell the resident that one co-op's part of their order is ready, and how to get it."""
    job = _job(job_id)
    order = job.order
    if not order.contact_email:
        return 0
    lines = list(job.lines.filter(cancelled=False).order_by("id"))
    waiting = order.jobs.exclude(pk=job.pk).filter(
        status__in=[Job.Status.ROUTED, Job.Status.ACCEPTED, Job.Status.IN_PRODUCTION]
    )
    whole = not waiting.exists()
    subject = (
        f"Your order {order.number} is ready"
        if whole
        else f"Part of your order {order.number} is ready"
    )
    producer = job.producer
    if order.fulfilment == Order.Fulfilment.DELIVERY:
        how = [
            f"{producer.name} will bring it to {order.delivery_address}.",
            "They will call you to agree a time if they need to.",
        ]
    else:
        where = f"{producer.name}, {producer.address}" if producer.address else producer.name
        how = [f"Pick it up at {where}.", f"Give your order number: {order.number}."]
        if order.payment_method == Order.PaymentMethod.PAY_AT_PICKUP:
            how.append("You pay when you pick it up.")
    body = "\n".join(
        [
            f"Hello {order.contact_name},",
            "",
            f"{producer.name} has finished this from your order {order.number}:",
            "",
            *(f"  {line.quantity} × {line.title}" for line in lines),
            "",
            *how,
            *([] if whole else ["", "We will write again when the rest is ready."]),
            "",
            "Follow your order here: "
            f"{settings.SITE_URL}/orders/{order.number}/?token={order.access_token}",
        ]
    )
    return send_mail(
        subject=subject, message=body, from_email=None, recipient_list=[order.contact_email]
    )


@task(queue_name="email")
def email_webhook_disabled(*, producer_id: int, reason: str) -> int:
    """Tell a co-op's managers that their webhook endpoint was turned off, and why."""
    producer = Producer.objects.get(pk=producer_id)
    recipients = _managers_emails(producer_id)
    if not recipients:
        return 0
    body = "\n".join(
        [
            f"Deliveries to the webhook endpoint of {producer.name} kept failing for about "
            "three days, so we have stopped sending to it.",
            "",
            f"Endpoint: {producer.webhook_url}",
            f"Last error: {reason}",
            "",
            "New jobs still reach you by email and on your workbench: "
            f"{settings.SITE_URL}/workbench/",
            "",
            "Once your receiver works again, save a new webhook URL in your co-op's settings: "
            "that turns deliveries back on.",
        ]
    )
    return send_mail(
        subject=f"Webhook endpoint disabled for {producer.name}",
        message=body,
        from_email=None,
        recipient_list=recipients,
    )


# --- Housekeeping every minute ----------------------------------------------------------

HOUSEKEEPING_EVERY = datetime.timedelta(minutes=1)
# A delivery still pending this long after it was due lost its worker (a crash
# mid-call): queue it again.
STRANDED_AFTER = datetime.timedelta(minutes=10)


def requeue_stranded_deliveries() -> int:
    stranded = WebhookDelivery.objects.filter(
        state=WebhookDelivery.State.PENDING,
        next_attempt_at__lt=timezone.now() - STRANDED_AFTER,
    ).values_list("pk", flat=True)[:500]
    count = 0
    for delivery_id in stranded:
        deliver_webhook.enqueue(delivery_id=delivery_id)
        count += 1
    return count


@task(queue_name="default")
def housekeeping(*, repeat: bool = True) -> dict:
    """Expire unpaid orders, re-queue stranded deliveries, retry refunds and payouts that are
    due; then come back in a minute."""
    from orders.payments import payments_retry_due
    from orders.services import orders_expire

    result = {
        "expired": orders_expire(),
        "requeued": requeue_stranded_deliveries(),
        "payments": payments_retry_due(),
    }
    if repeat and housekeeping.get_backend().supports_defer:
        housekeeping.using(run_after=timezone.now() + HOUSEKEEPING_EVERY).enqueue(repeat=True)
    return result


def schedule_expiry() -> bool:
    """Start the every-minute housekeeping unless a run is already waiting. True if started."""
    from django_tasks_db.models import DBTaskResult

    waiting = DBTaskResult.objects.filter(
        task_path=f"{housekeeping.func.__module__}.{housekeeping.func.__qualname__}",
        status="READY",
    )
    if not housekeeping.get_backend().supports_defer or waiting.exists():
        return False
    housekeeping.enqueue(repeat=True)
    return True
