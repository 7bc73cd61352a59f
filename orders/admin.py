from django.contrib import admin

from backend.admin import ReadOnlyAdmin
from orders.models import (
    Allocation,
    CounterPayment,
    Email,
    IdempotencyRecord,
    Job,
    JobTransition,
    Order,
    OrderLine,
    OutboxAttempt,
    Payment,
    Payout,
    PickupPoint,
    PickupReminder,
    Refund,
    StripeEvent,
    WebhookAttempt,
    WebhookDelivery,
)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class OrderLineInline(ReadOnlyInline):
    model = OrderLine
    fields = ["title", "quantity", "unit_price", "line_total", "job", "cancelled"]
    readonly_fields = fields


class JobInline(ReadOnlyInline):
    model = Job
    fields = ["producer", "status", "due_date", "total", "dispatched"]
    readonly_fields = fields
    show_change_link = True


class PaymentInline(ReadOnlyInline):
    model = Payment
    fields = ["status", "amount", "checkout_session_id", "payment_intent_id", "paid_at", "error"]
    readonly_fields = fields


class RefundInline(ReadOnlyInline):
    model = Refund
    fields = ["amount", "job", "status", "state", "stripe_refund_id", "attempts", "last_error"]
    readonly_fields = fields


@admin.register(Order)
class OrderAdmin(ReadOnlyAdmin):
    list_display = [
        "number",
        "status",
        "contact_name",
        "fulfilment",
        "payment_method",
        "total",
        "created_at",
    ]
    list_filter = ["status", "fulfilment", "payment_method"]
    search_fields = ["number", "contact_name", "contact_email", "customer__username"]
    date_hierarchy = "created_at"
    exclude = ["access_token"]
    inlines = [OrderLineInline, JobInline]

    def get_inlines(self, request, obj):
        if obj is not None and obj.payment_method == Order.PaymentMethod.STRIPE:
            return [*self.inlines, PaymentInline, RefundInline]
        return self.inlines


class TransitionInline(ReadOnlyInline):
    model = JobTransition
    fields = ["from_status", "to_status", "by", "note", "created_at"]
    readonly_fields = fields


class AllocationInline(ReadOnlyInline):
    model = Allocation
    fields = ["material", "location", "quantity", "state"]
    readonly_fields = fields


@admin.register(Job)
class JobAdmin(ReadOnlyAdmin):
    list_display = ["id", "order", "producer", "status", "due_date", "total", "dispatched"]
    list_filter = ["status", "producer", "dispatched"]
    search_fields = ["order__number", "producer__name"]
    list_select_related = ["order", "producer"]
    inlines = [TransitionInline, AllocationInline]


class AttemptInline(ReadOnlyInline):
    model = WebhookAttempt
    fields = ["number", "url", "status_code", "error", "duration_ms", "created_at"]
    readonly_fields = fields


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = [
        "message_id",
        "producer",
        "event",
        "state",
        "attempts",
        "next_attempt_at",
        "created_at",
    ]
    list_filter = ["state", "event", "producer"]
    search_fields = ["message_id", "producer__name"]
    inlines = [AttemptInline]


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(ReadOnlyAdmin):
    list_display = ["scope", "key", "response_status", "created_at"]
    search_fields = ["key", "scope"]


@admin.register(OrderLine)
class OrderLineAdmin(ReadOnlyAdmin):
    list_display = ["order", "title", "quantity", "unit_price", "line_total", "job", "cancelled"]
    list_filter = ["cancelled"]
    search_fields = ["order__number", "title"]
    list_select_related = ["order", "job"]


@admin.register(PickupReminder)
class PickupReminderAdmin(ReadOnlyAdmin):
    list_display = ["order", "step", "created_at"]
    list_filter = ["step"]
    search_fields = ["order__number"]
    list_select_related = ["order"]


@admin.register(JobTransition)
class JobTransitionAdmin(ReadOnlyAdmin):
    list_display = ["job", "from_status", "to_status", "by", "note", "created_at"]
    list_filter = ["to_status"]
    search_fields = ["job__order__number", "note"]


@admin.register(Allocation)
class AllocationAdmin(ReadOnlyAdmin):
    list_display = ["job", "material", "location", "quantity", "state"]
    list_filter = ["state", "location"]
    search_fields = ["job__order__number", "material__sku"]


@admin.register(WebhookAttempt)
class WebhookAttemptAdmin(ReadOnlyAdmin):
    list_display = ["delivery", "number", "status_code", "error", "duration_ms", "created_at"]
    search_fields = ["delivery__message_id", "error"]


# --- Payments: changed only through Stripe and the payment services --------------------


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["order", "status", "amount", "checkout_session_id", "paid_at", "created_at"]
    list_filter = ["status"]
    search_fields = ["order__number", "checkout_session_id", "payment_intent_id", "charge_id"]
    list_select_related = ["order"]


@admin.register(StripeEvent)
class StripeEventAdmin(ReadOnlyAdmin):
    list_display = ["event_id", "type", "received_at", "processed_at", "error"]
    list_filter = ["type", ("processed_at", admin.EmptyFieldListFilter)]
    search_fields = ["event_id"]


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    list_display = ["order", "job", "amount", "status", "state", "attempts", "last_error"]
    list_filter = ["status", "state"]
    search_fields = ["order__number", "stripe_refund_id", "idempotency_key"]
    list_select_related = ["order"]


@admin.register(Payout)
class PayoutAdmin(ReadOnlyAdmin):
    """`Owed` lists co-ops to pay by hand or to help connect a Stripe account."""

    list_display = [
        "job",
        "producer",
        "amount",
        "community_share",
        "status",
        "state",
        "attempts",
        "last_error",
        "created_at",
    ]
    list_filter = ["status", "state", "producer"]
    search_fields = ["job__order__number", "producer__name", "stripe_transfer_id"]
    list_select_related = ["job__order", "job__producer", "producer"]


@admin.register(CounterPayment)
class CounterPaymentAdmin(ReadOnlyAdmin):
    """What co-ops took at the counter for pay-at-pickup orders: a ledger, never edited."""

    list_display = [
        "job",
        "producer",
        "method",
        "amount",
        "due",
        "community_share",
        "reason",
        "recorded_by",
        "created_at",
    ]
    list_filter = ["method", "producer"]
    search_fields = ["job__order__number", "producer__name", "reason"]
    list_select_related = ["job__order", "job__producer", "producer", "recorded_by"]
    date_hierarchy = "created_at"


# --- The outbox's own rows: emails and the attempts of refunds, payouts and emails -----


@admin.register(Email)
class EmailAdmin(ReadOnlyAdmin):
    list_display = ["subject", "kind", "state", "attempts", "last_error", "created_at"]
    list_filter = ["state", "kind"]
    search_fields = ["subject", "order__number"]


@admin.register(OutboxAttempt)
class OutboxAttemptAdmin(ReadOnlyAdmin):
    list_display = ["kind", "object_id", "number", "error", "duration_ms", "created_at"]
    list_filter = ["kind"]
    search_fields = ["error"]


@admin.register(PickupPoint)
class PickupPointAdmin(admin.ModelAdmin):
    """Staff open, move and close pickup points; closing one keeps its orders going."""

    list_display = ["name", "address", "opening_hours", "keeper", "active"]
    list_filter = ["active"]
    search_fields = ["name", "address"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["keeper"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # orders name it: close it instead
