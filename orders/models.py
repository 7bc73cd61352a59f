import secrets
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper

from backend.money import MONEY
from orders.outbox_models import Email, OutboxAttempt, OutboxMessage, OutboxState  # noqa: F401
from orders.payment_models import (  # noqa: F401
    CounterPayment,
    Payment,
    Payout,
    Refund,
    StripeEvent,
)
from orders.pickup_models import PickupPoint  # noqa: F401

QUANTITY = {"max_digits": 14, "decimal_places": 3}

# No 0/O or 1/I/L: numbers are read aloud at the pickup counter.
NUMBER_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_order_number() -> str:
    return "CP-" + "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(8))


def new_access_token() -> str:
    return secrets.token_urlsafe(32)


class OrderStatus(models.TextChoices):
    PENDING_PAYMENT = "pending_payment", "Waiting for payment"
    PAID = "paid", "Paid"
    IN_PRODUCTION = "in_production", "Being made"
    READY = "ready", "Ready"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"
    REFUNDED = "refunded", "Refunded"


class JobStatus(models.TextChoices):
    ROUTED = "routed", "Waiting for the co-op"
    ACCEPTED = "accepted", "Accepted"
    IN_PRODUCTION = "in_production", "Being made"
    READY = "ready", "Ready"
    HANDED_OVER = "handed_over", "Handed over"
    DECLINED = "declined", "Declined"
    CANCELLED = "cancelled", "Cancelled"


class Order(models.Model):
    """What a resident asked for and paid (or will pay) for."""

    Status = OrderStatus

    class Fulfilment(models.TextChoices):
        PICKUP = "pickup", "Pick up"
        DELIVERY = "delivery", "Local delivery"

    class PaymentMethod(models.TextChoices):
        STRIPE = "stripe", "Card (Stripe)"
        PAY_AT_PICKUP = "pay_at_pickup", "Pay at pickup"

    OPEN_STATUSES = ("pending_payment", "paid", "in_production", "ready")

    number = models.CharField(max_length=16, unique=True, default=new_order_number)
    # Lets a guest follow the order; compared in constant time, never listed.
    access_token = models.CharField(max_length=64, default=new_access_token, editable=False)
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orders",
    )
    contact_name = models.CharField(max_length=120)
    contact_email = models.EmailField()
    contact_phone = models.CharField(max_length=40, blank=True)
    fulfilment = models.CharField(max_length=10, choices=Fulfilment.choices)
    delivery_address = models.CharField(max_length=300, blank=True)
    delivery_latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    delivery_longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    note = models.CharField(max_length=500, blank=True)
    # Where the parts from several co-ops are gathered; none: each part at its own co-op.
    pickup_point = models.ForeignKey(
        "orders.PickupPoint",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orders",
    )
    # Set once, under the order's lock, when the last part arrived at the pickup point.
    at_point_notified_at = models.DateTimeField(null=True, blank=True)
    payment_method = models.CharField(max_length=16, choices=PaymentMethod.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING_PAYMENT)
    subtotal = models.DecimalField(**MONEY, default=Decimal("0"))
    total = models.DecimalField(**MONEY, default=Decimal("0"))
    currency = models.CharField(max_length=3, default="usd")
    expires_at = models.DateTimeField(
        null=True, blank=True, help_text="An unpaid order gives its stock back after this."
    )
    collect_by = models.DateTimeField(
        null=True,
        blank=True,
        help_text="A pay-at-pickup order not collected by then is released as a no-show.",
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=240, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "expires_at"], name="order_status_expiry"),
            models.Index(fields=["status", "collect_by"], name="order_status_collect_by"),
            models.Index(fields=["customer", "-created_at"], name="order_customer_newest"),
            # Guest orders by email, for joining them to the account that proves it.
            models.Index(
                Upper("contact_email"),
                name="order_guest_email",
                condition=Q(customer__isnull=True),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=OrderStatus.values), name="order_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(fulfilment__in=["pickup", "delivery"]), name="order_fulfilment_valid"
            ),
            models.CheckConstraint(
                condition=Q(payment_method__in=["stripe", "pay_at_pickup"]),
                name="order_payment_method_valid",
            ),
            models.CheckConstraint(
                condition=Q(subtotal__gte=0, total__gte=0), name="order_totals_gte_0"
            ),
            models.CheckConstraint(
                condition=~Q(fulfilment="delivery") | ~Q(delivery_address=""),
                name="order_delivery_has_address",
            ),
            models.CheckConstraint(
                condition=Q(pickup_point__isnull=True) | Q(fulfilment="pickup"),
                name="order_pickup_point_only_for_pickup",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def token_matches(self, token: str | None) -> bool:
        # Compared as bytes: compare_digest refuses str with non-ASCII characters.
        return bool(token) and secrets.compare_digest(
            self.access_token.encode(), str(token).encode()
        )

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class Job(models.Model):
    """The work one producer does for one order: what is sent to the producing co-op."""

    Status = JobStatus

    # Jobs that hold a place under the producer's `max_open_jobs`.
    OPEN_STATUSES = ("routed", "accepted", "in_production", "ready")
    DONE_STATUSES = ("handed_over", "declined", "cancelled")

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="jobs")
    producer = models.ForeignKey(
        "producers.Producer", on_delete=models.PROTECT, related_name="jobs"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ROUTED)
    due_date = models.DateField()
    routing_reason = models.TextField(help_text="Why routing chose this producer.")
    total = models.DecimalField(**MONEY, default=Decimal("0"))
    # False until the order is paid or confirmed: producers do not see unpaid work.
    dispatched = models.BooleanField(default=False)
    decline_reason = models.CharField(max_length=240, blank=True)
    # When the keepers of the order's pickup point received this part, and who did.
    arrived_at_point_at = models.DateTimeField(null=True, blank=True)
    arrived_at_point_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_date", "id"]
        indexes = [
            models.Index(fields=["producer", "status"], name="job_producer_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=JobStatus.values), name="job_status_valid"
            ),
            models.CheckConstraint(condition=Q(total__gte=0), name="job_total_gte_0"),
        ]

    def __str__(self) -> str:
        return f"Job {self.pk} for {self.order} at {self.producer}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class OrderLine(models.Model):
    """One product in an order, with the price and title it was sold at."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    job = models.ForeignKey(Job, on_delete=models.PROTECT, related_name="lines")
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=160)
    unit_price = models.DecimalField(**MONEY)
    quantity = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    line_total = models.DecimalField(**MONEY)
    cancelled = models.BooleanField(default=False)
    # Per line, so ready-made goods are not held back by something made to order
    # at the same co-op. Empty on lines placed before it was kept.
    expected_date = models.DateField(null=True, blank=True)
    # What the resident chose, copied as it was sold: later edits to the product's
    # options never change a placed order. The variant names the shelf count it came from.
    variant = models.ForeignKey(
        "catalog.Variant", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # [{"option": "Size", "value": "M", "price_delta": "0.00"}]
    options = models.JSONField(default=list, blank=True)
    # [{"label": "Name to embroider", "text": "Ada"}]: plain text, always escaped when shown.
    personalisation = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="line_quantity_gte_1"),
            models.CheckConstraint(condition=Q(unit_price__gt=0), name="line_unit_price_gt_0"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.title}"

    @property
    def choices_text(self) -> str:
        """What was chosen, in words: "Size: M · Name to embroider: Ada" ("" when nothing)."""
        parts = [f"{o['option']}: {o['value']}" for o in self.options]
        parts += [f"{p['label']}: {p['text']}" for p in self.personalisation]
        return " · ".join(parts)

    @property
    def described(self) -> str:
        """The title with what was chosen, for emails and lists."""
        return f"{self.title} ({self.choices_text})" if self.choices_text else self.title


class Allocation(models.Model):
    """Stock held for a job: what was reserved where, so it is released or consumed exactly."""

    class State(models.TextChoices):
        HELD = "held", "Held"
        CONSUMED = "consumed", "Consumed"
        RELEASED = "released", "Released"

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="allocations")
    material = models.ForeignKey("catalog.Material", on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey(
        "catalog.StockLocation", on_delete=models.PROTECT, related_name="+"
    )
    quantity = models.DecimalField(**QUANTITY)
    state = models.CharField(max_length=10, choices=State.choices, default=State.HELD)
    # The piece taken for this part of the job, when its BOM line may use an offcut.
    offcut = models.ForeignKey(
        "catalog.Offcut",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="allocations",
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="allocation_quantity_gt_0"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} {self.material} @ {self.location} ({self.state})"


class JobTransition(models.Model):
    """Every change of a job's status: who, when, from, to, why."""

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.CharField(max_length=240, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.job_id}: {self.from_status or '—'} → {self.to_status}"


class PickupReminder(models.Model):
    """A reminder to collect an order, recorded so that housekeeping sends each one once."""

    class Step(models.TextChoices):
        WAITING = "waiting", "Waiting to be collected"
        LAST_DAY = "last_day", "Collect by tomorrow"

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="pickup_reminders")
    step = models.CharField(max_length=16, choices=Step.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["order", "step"], name="pickup_reminder_once"),
            models.CheckConstraint(
                condition=Q(step__in=["waiting", "last_day"]), name="pickup_reminder_step_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order_id}: {self.step}"


class IdempotencyRecord(models.Model):
    """The first answer to a request sent with an `Idempotency-Key`, replayed on retries."""

    scope = models.CharField(max_length=80, help_text="Who sent it: a user, or guests.")
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="idempotency_key_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.scope}:{self.key}"


class WebhookDelivery(OutboxMessage):
    """One message to a producer's webhook endpoint, retried until delivered or given up."""

    State = OutboxState

    producer = models.ForeignKey(
        "producers.Producer", on_delete=models.CASCADE, related_name="webhook_deliveries"
    )
    job = models.ForeignKey(
        Job, on_delete=models.CASCADE, null=True, blank=True, related_name="webhook_deliveries"
    )
    event = models.CharField(max_length=40, help_text="e.g. job.routed")
    # The `webhook-id` header: the same on every attempt, so receivers can de-duplicate.
    message_id = models.CharField(max_length=64, unique=True)
    payload = models.JSONField()
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta(OutboxMessage.Meta):
        indexes = [
            *OutboxMessage.Meta.indexes,
            models.Index(fields=["producer", "-created_at"], name="delivery_producer_newest"),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.producer} ({self.state})"


class WebhookAttempt(models.Model):
    """One try at a delivery: what the receiver answered or what went wrong, and how long."""

    delivery = models.ForeignKey(
        WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log"
    )
    number = models.PositiveIntegerField()
    url = models.URLField(max_length=500)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["delivery", "number"]
        constraints = [
            models.UniqueConstraint(fields=["delivery", "number"], name="attempt_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.delivery_id} #{self.number}: {self.status_code or self.error}"
