"""The outbox's columns, and the rows only the outbox has: outgoing emails and attempt logs.

Every call that leaves the system and must happen once (a co-op's webhook, a
Stripe refund or transfer, an email) is a row with these columns, written in the
transaction that asks for it and sent later by `orders.outbox`. Kept apart from
`orders.models` so that module stays readable; `orders.models` re-exports them.
"""

from django.db import models


class OutboxState(models.TextChoices):
    """Where the sending of a row stands (not what the business thinks of it)."""

    PENDING = "pending", "Pending"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Gave up"
    STOPPED = "stopped", "Stopped by the receiver (410)"
    # Waits for something outside the system (a co-op to connect Stripe): not sent, not swept.
    HELD = "held", "On hold"


class OutboxMessage(models.Model):
    """The common columns. `next_attempt_at` is when the next try is due; `leased_until`
    marks a try in flight, which keeps every other worker off the row until it runs out."""

    state = models.CharField(
        max_length=10, choices=OutboxState.choices, default=OutboxState.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    leased_until = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="%(class)s_due")]


class Email(OutboxMessage):
    """One email, rendered when it was queued; sent (and retried) by the outbox."""

    kind = models.CharField(max_length=40, help_text="e.g. job.routed, order.ready")
    recipients = models.JSONField(default=list)
    subject = models.CharField(max_length=300)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    order = models.ForeignKey(
        "orders.Order", on_delete=models.CASCADE, null=True, blank=True, related_name="emails"
    )
    job = models.ForeignKey(
        "orders.Job", on_delete=models.CASCADE, null=True, blank=True, related_name="emails"
    )
    producer = models.ForeignKey(
        "producers.Producer",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="emails",
    )
    sent_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.subject} ({self.state})"


class OutboxAttempt(models.Model):
    """One try at sending a refund, a payout or an email, for staff to read.

    Webhooks keep their own `WebhookAttempt` (co-ops read it with its URL and
    HTTP status); the other kinds need only the outcome, so one table serves them.
    """

    kind = models.CharField(max_length=20)
    object_id = models.PositiveBigIntegerField()
    number = models.PositiveIntegerField()
    error = models.CharField(max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "object_id", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_id", "number"], name="outbox_attempt_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id} #{self.number}: {self.error or 'sent'}"
