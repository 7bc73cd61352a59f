"""Card payments through Stripe (the payment page, Stripe's events, refunds and payouts),
and what co-ops take at the counter for pay-at-pickup orders."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from backend.ledgers import AppendOnlyModel
from backend.money import MONEY
from orders.outbox_models import OutboxMessage


class Payment(models.Model):
    """A card order's Stripe Checkout Session and what became of it."""

    class Status(models.TextChoices):
        CREATING = "creating", "Opening the payment page"
        OPEN = "open", "Waiting for the customer"
        PAID = "paid", "Paid"
        EXPIRED = "expired", "Expired unpaid"

    order = models.OneToOneField("orders.Order", on_delete=models.PROTECT, related_name="payment")
    amount = models.DecimalField(**MONEY)
    currency = models.CharField(max_length=3, default="usd")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.CREATING)
    # Fixed when the row is made: every attempt at creating the session sends the
    # very same parameters, as Stripe requires of a reused idempotency key.
    session_expires_at = models.DateTimeField()
    checkout_session_id = models.CharField(max_length=255, blank=True)
    checkout_url = models.URLField(max_length=1000, blank=True)
    payment_intent_id = models.CharField(max_length=255, blank=True)
    charge_id = models.CharField(max_length=255, blank=True)
    error = models.CharField(max_length=500, blank=True, help_text="Stripe's last error, if any.")
    paid_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_gt_0"),
            models.UniqueConstraint(
                fields=["checkout_session_id"],
                condition=~Q(checkout_session_id=""),
                name="payment_session_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"Payment for {self.order} ({self.status})"

    @property
    def idempotency_key(self) -> str:
        return f"checkout-{self.order.number}"


class StripeEvent(models.Model):
    """Every event Stripe sent us, kept by its id so that each is acted on once."""

    event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100)
    payload = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"{self.event_id} {self.type}"


class Refund(OutboxMessage):
    """Money given back to a customer through Stripe: a whole order, or one job's lines.

    `state` is the outbox's (has Stripe been asked yet); `status` is Stripe's
    answer about the money (pending, succeeded, failed).
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SUCCEEDED = "succeeded", "Refunded"
        FAILED = "failed", "Failed"

    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="refunds")
    job = models.ForeignKey(
        "orders.Job", on_delete=models.PROTECT, null=True, blank=True, related_name="refunds"
    )
    amount = models.DecimalField(**MONEY)
    reason = models.CharField(max_length=240, blank=True)
    # Derived from what is refunded (the order, or the job), so that asking twice
    # can never give the money back twice.
    idempotency_key = models.CharField(max_length=255, unique=True)
    stripe_refund_id = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)

    class Meta(OutboxMessage.Meta):
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_gt_0"),
            models.UniqueConstraint(
                fields=["stripe_refund_id"],
                condition=~Q(stripe_refund_id=""),
                name="refund_stripe_id_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"Refund of {self.amount} for {self.order} ({self.status})"


class Payout(OutboxMessage):
    """A handed-over job's pay to its co-op: the job total less the community-fund share.

    `status` is what the co-op is owed or was paid; `state` is the outbox's sending
    of the transfer (held while the co-op has no connected Stripe account).
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        PAID = "paid", "Paid"
        OWED = "owed", "Owed (no connected Stripe account)"

    job = models.OneToOneField("orders.Job", on_delete=models.PROTECT, related_name="payout")
    producer = models.ForeignKey(
        "producers.Producer", on_delete=models.PROTECT, related_name="payouts"
    )
    amount = models.DecimalField(**MONEY, help_text="What the co-op receives.")
    community_share = models.DecimalField(**MONEY, help_text="Kept for the community fund.")
    community_percent = models.DecimalField(max_digits=5, decimal_places=2)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    destination = models.CharField(
        max_length=64, blank=True, help_text="The connected account it went to."
    )
    stripe_transfer_id = models.CharField(max_length=255, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta(OutboxMessage.Meta):
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=0, community_share__gte=0), name="payout_amounts_gte_0"
            ),
            models.CheckConstraint(
                condition=Q(community_percent__gte=0, community_percent__lte=100),
                name="payout_percent_0_100",
            ),
        ]

    def __str__(self) -> str:
        return f"Payout of {self.amount} to {self.producer} ({self.status})"

    @property
    def idempotency_key(self) -> str:
        return f"payout-job-{self.job_id}"


class CounterPayment(AppendOnlyModel):
    """What a co-op took at the counter when it handed over a pay-at-pickup job.

    One per job, written in the hand-over's transaction and never edited or
    deleted. The amount taken is split like a card payout: `community_share` for
    the community fund (half-up to the cent) and `coop_share` for the co-op, which
    add up to `amount` exactly. `due` is the job's total at the hand-over; taking
    less (or nothing) needs a `reason`.
    """

    class Method(models.TextChoices):
        CASH = "cash", "Cash"
        CARD_TERMINAL = "card_terminal", "Card terminal"
        OTHER = "other", "Other"

    job = models.OneToOneField(
        "orders.Job", on_delete=models.PROTECT, related_name="counter_payment"
    )
    producer = models.ForeignKey(
        "producers.Producer", on_delete=models.PROTECT, related_name="counter_payments"
    )
    method = models.CharField(max_length=16, choices=Method.choices)
    amount = models.DecimalField(**MONEY, help_text="What was taken.")
    due = models.DecimalField(**MONEY, help_text="The job's total at the hand-over.")
    reason = models.CharField(
        max_length=240, blank=True, help_text="Why less than the total was taken."
    )
    coop_share = models.DecimalField(**MONEY, help_text="What the co-op keeps.")
    community_share = models.DecimalField(**MONEY, help_text="Owed to the community fund.")
    community_percent = models.DecimalField(max_digits=5, decimal_places=2)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["producer", "created_at"], name="counterpay_producer_time")]
        constraints = [
            models.CheckConstraint(
                condition=Q(method__in=["cash", "card_terminal", "other"]),
                name="counterpay_method_valid",
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0, amount__lte=F("due")), name="counterpay_amount_0_due"
            ),
            # That the two shares add up to the amount is the split function's promise
            # (tested to the cent); SQLite's decimal arithmetic could not check it here.
            models.CheckConstraint(
                condition=Q(coop_share__gte=0, community_share__gte=0),
                name="counterpay_shares_gte_0",
            ),
            models.CheckConstraint(
                condition=Q(amount=F("due")) | ~Q(reason=""), name="counterpay_short_has_reason"
            ),
            models.CheckConstraint(
                condition=Q(community_percent__gte=0, community_percent__lte=100),
                name="counterpay_percent_0_100",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_method_display()} {self.amount} for job {self.job_id}"

    @property
    def short(self) -> bool:
        return self.amount < self.due
