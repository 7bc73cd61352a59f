"""Webhook deliveries to the co-ops: the payload, its signature, and the outbox sender.

A delivery row is written (and its task queued) by `orders.dispatch`; the outbox
claims it, `_send` POSTs it through `orders.http_client`, and the outcome is
recorded with a `WebhookAttempt` that the co-op reads in the API.
"""

import datetime
import json
import logging
import secrets
import time
from decimal import Decimal

from django.utils import timezone
from standardwebhooks import Webhook

from orders import http_client, outbox
from orders.design_links import design_links_for_jobs
from orders.emails import email_webhook_disabled
from orders.models import Job, Order, OutboxState, WebhookAttempt, WebhookDelivery
from producers.models import WEBHOOK_SECRET_GRACE, Producer

logger = logging.getLogger(__name__)

USER_AGENT = "CommunityProduction-Webhooks/1"

# Crockford's base32: no I, L, O or U, so an id read aloud or copied by hand survives.
_ID_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_message_id() -> str:
    """`msg_` and a 26-character ULID: 48 bits of milliseconds, 80 random bits.

    Time first, so ids sort in the order they were made, which helps a receiver
    reading its logs; the random part keeps them unguessable and unique.
    """
    value = (time.time_ns() // 1_000_000) << 80 | secrets.randbits(80)
    chars = []
    for _ in range(26):
        value, index = divmod(value, 32)
        chars.append(_ID_ALPHABET[index])
    return "msg_" + "".join(reversed(chars))


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


def job_payload(job: Job, event: str) -> dict:
    """The job as its co-op needs it, and nothing more.

    The customer appears only as a name and a phone number to call, plus the
    address when the co-op delivers; `drop_off` names the pickup point the part goes
    to (null when the resident collects from the co-op). Never the email, never the order's access
    token (it opens the whole order), never lines that other co-ops make. Each line lists
    its `design_files` with signed links that work for this co-op, for this job, for
    DESIGN_LINK_MAX_AGE_HOURS.
    """
    order = job.order
    customer = {"name": order.contact_name, "phone": order.contact_phone}
    if order.fulfilment == Order.Fulfilment.DELIVERY:
        customer["delivery_address"] = order.delivery_address
    lines = [line for line in job.lines.all() if not line.cancelled]
    # Signed links to the newest version of each design file, made for this co-op and job.
    designs = design_links_for_jobs([job]).get(job.pk, {})
    return {
        "type": event,
        "timestamp": timezone.now().astimezone(datetime.UTC).isoformat(),
        "data": {
            "job_id": job.pk,
            "status": job.status,
            "due_date": job.due_date.isoformat(),
            "routing_reason": job.routing_reason,
            "order_number": order.number,
            "fulfilment": order.fulfilment,
            "currency": order.currency,
            "total": _money(sum((line.line_total for line in lines), Decimal("0"))),
            "lines": [
                {
                    "title": line.title,
                    "quantity": line.quantity,
                    "unit_price": _money(line.unit_price),
                    "line_total": _money(line.line_total),
                    # What the resident chose: [{"option", "value", "price_delta"}] and
                    # [{"label", "text"}] (plain text as typed; escape it when shown).
                    "options": line.options,
                    "personalisation": line.personalisation,
                    "design_files": [
                        link.as_payload() for link in designs.get(line.product_id, [])
                    ],
                }
                for line in lines
            ],
            "customer": customer,
            "drop_off": _drop_off(job),
        },
    }


def _drop_off(job: Job) -> dict | None:
    """Where the co-op brings the part when the resident collects at a pickup point."""
    point = job.order.pickup_point
    if point is None:
        return None
    return {
        "pickup_point": point.slug,
        "name": point.name,
        "address": point.address,
        "opening_hours": point.opening_hours,
        "by": job.due_date.isoformat(),
    }


def webhook_active(producer) -> bool:
    return bool(producer.webhook_url) and producer.webhook_disabled_at is None


def sign(producer, message_id: str, timestamp: datetime.datetime, body: bytes) -> dict[str, str]:
    """The Standard Webhooks headers for one attempt.

    For a day after a rotation the message carries a signature with the new
    secret and one with the previous secret, space-separated as the convention
    allows, so receivers still holding the old secret keep verifying.
    """
    if timezone.is_naive(timestamp):
        # The library replaces the tzinfo with UTC rather than converting:
        # a naive or local time would be signed as the wrong instant.
        raise ValueError("Webhook timestamps must be timezone-aware.")
    timestamp = timestamp.astimezone(datetime.UTC)
    data = body.decode()
    signatures = [Webhook(producer.webhook_secret).sign(message_id, timestamp, data)]
    rotated_at = producer.webhook_secret_rotated_at
    if (
        producer.webhook_secret_previous
        and rotated_at is not None
        and timestamp - rotated_at < WEBHOOK_SECRET_GRACE
    ):
        signatures.append(
            Webhook(producer.webhook_secret_previous).sign(message_id, timestamp, data)
        )
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(timestamp.timestamp())),
        "webhook-signature": " ".join(signatures),
    }


def webhook_send_test(*, producer) -> http_client.Outcome:
    """Sign a `webhook.test` event and POST it to the producer's webhook URL now.

    The same signing (both secrets during a rotation's grace period) and the same
    guarded client as real deliveries, but no outbox row and no retry: the caller
    shows the answer (status, the start of the body, the time taken) or the error.
    Works while the endpoint is disabled, so a co-op can check its fix first.
    """
    if not producer.webhook_url:
        return http_client.Outcome(
            status_code=None, error="There is no webhook address to send to.", duration_ms=0
        )
    message_id = new_message_id()
    now = timezone.now()
    payload = {
        "type": "webhook.test",
        "timestamp": now.astimezone(datetime.UTC).isoformat(),
        "data": {
            "producer": producer.slug,
            "message": "A test event from Community Production. No job was made.",
        },
    }
    body = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
    headers = {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        **sign(producer, message_id, now, body),
    }
    return http_client.post(producer.webhook_url, body=body, headers=headers)


# --- The outbox sender ------------------------------------------------------------------


def _check(delivery: WebhookDelivery) -> OutboxState | None:
    # The endpoint was removed or disabled since: the co-op has the email and the
    # job board, and a new URL starts afresh.
    return None if webhook_active(delivery.producer) else OutboxState.FAILED


def _send(delivery: WebhookDelivery) -> outbox.Result:
    producer = delivery.producer
    url = producer.webhook_url
    # Serialised here, the same way every time: the body is what gets signed.
    body = json.dumps(delivery.payload, sort_keys=True, separators=(",", ":")).encode()
    headers = {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        **sign(producer, delivery.message_id, timezone.now(), body),
    }
    answer = http_client.post(url, body=body, headers=headers)
    status = answer.status_code
    details = {"url": url, "status_code": status, "error": answer.error}
    if status is not None and 200 <= status < 300:
        return outbox.Result(
            outbox.Outcome.SENT, fields={"delivered_at": timezone.now()}, details=details
        )
    if status == 410:
        # The receiver says this endpoint is gone for good: stop, without counting
        # it as the endpoint failing.
        return outbox.Result(outbox.Outcome.STOPPED, error="HTTP 410", details=details)
    error = answer.error or f"HTTP {status}"
    return outbox.Result(outbox.Outcome.FAILED, error=error, details=details)


def _log(delivery: WebhookDelivery, number: int, result: outbox.Result, duration_ms: int):
    WebhookAttempt.objects.create(
        delivery=delivery,
        number=number,
        url=result.details.get("url", "")[:500],
        status_code=result.details.get("status_code"),
        error=result.details.get("error", result.error)[:500],
        duration_ms=duration_ms,
    )


def _give_up(delivery: WebhookDelivery, result: outbox.Result) -> None:
    """Turn the endpoint off; only the delivery that turned it off writes to the managers."""
    disabled = Producer.objects.filter(
        pk=delivery.producer_id, webhook_disabled_at__isnull=True
    ).update(webhook_disabled_at=timezone.now())
    if disabled:
        producer = Producer.objects.get(pk=delivery.producer_id)
        email_webhook_disabled(producer=producer, reason=result.error)


outbox.register(
    outbox.Sender(
        kind="webhook",
        model=WebhookDelivery,
        send=_send,
        queue_name="webhooks",
        select_related=("producer",),
        check=_check,
        log=_log,
        give_up=_give_up,
    )
)
