"""Sending jobs to the co-ops that make them, and telling residents when their goods are ready.

Everything here only writes rows and enqueues tasks, inside the caller's
transaction: with the database task backend the tasks commit or roll back with
the change that caused them, so a crash between commit and enqueue loses nothing.
The network calls and the emails happen later, in `orders.tasks`.
"""

import datetime
import secrets
import time
from decimal import Decimal

from django.db.models import Prefetch
from django.utils import timezone
from standardwebhooks import Webhook

from orders.models import Job, Order, OrderLine, WebhookDelivery
from producers.models import WEBHOOK_SECRET_GRACE

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
    address when the co-op delivers. Never the email, never the order's access
    token (it opens the whole order), never lines that other co-ops make.
    """
    order = job.order
    customer = {"name": order.contact_name, "phone": order.contact_phone}
    if order.fulfilment == Order.Fulfilment.DELIVERY:
        customer["delivery_address"] = order.delivery_address
    lines = [line for line in job.lines.all() if not line.cancelled]
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
                }
                for line in lines
            ],
            "customer": customer,
        },
    }


def webhook_active(producer) -> bool:
    return bool(producer.webhook_url) and producer.webhook_disabled_at is None


def dispatch_jobs(*, jobs, event: str) -> list[WebhookDelivery]:
    """Send each job to its producer: a signed webhook when it has a working endpoint, and
    always an email to its managers.

    A co-op without a webhook URL (or whose endpoint was disabled after failing
    for days) gets the email only, and the job board shows the job either way.
    Call this inside the transaction that confirms or re-routes the jobs.
    Returns the deliveries it created.
    """
    from orders.tasks import deliver_webhook, email_job_to_managers

    ids = [job.pk for job in jobs]
    if not ids:
        return []
    # Read the jobs again: callers hold copies from before `dispatched` was set,
    # and the payload needs the order and the lines in any case.
    fresh = (
        Job.objects.filter(pk__in=ids)
        .select_related("order", "producer")
        .prefetch_related(Prefetch("lines", queryset=OrderLine.objects.order_by("id")))
        .order_by("pk")
    )
    deliveries = []
    for job in fresh:
        if webhook_active(job.producer):
            delivery = WebhookDelivery.objects.create(
                producer=job.producer,
                job=job,
                event=event,
                message_id=new_message_id(),
                payload=job_payload(job, event),
            )
            deliveries.append(delivery)
            deliver_webhook.enqueue(delivery_id=delivery.pk)
        email_job_to_managers.enqueue(job_id=job.pk, event=event)
    return deliveries


def notify_customer_ready(*, job: Job) -> None:
    """Tell the resident that this co-op's part of their order is ready, and how to get it."""
    from orders.tasks import email_customer_ready

    email_customer_ready.enqueue(job_id=job.pk)


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
