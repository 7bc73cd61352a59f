"""Order and job serializers: they parse input; the rules live in `orders.services`."""

from decimal import Decimal

from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from backend.fields import StrictDecimalField
from catalog.models import MAX_PERSONAL_TEXT, Product
from catalog.services.options import MAX_FIELDS, MAX_OPTIONS
from orders.exceptions import InvalidInput
from orders.models import (
    Allocation,
    CounterPayment,
    Job,
    JobTransition,
    Order,
    OrderLine,
    Payment,
    PickupPoint,
)
from orders.selectors import (
    PAYMENT_STATUSES,
    PaymentStatus,
    job_payment_status,
    order_payment_status,
)
from orders.services.counter import COUNTER_REASON_MAX
from orders.services.inputs import (
    ADDRESS_MAX,
    CANCEL_REASON_MAX,
    DECLINE_REASON_MAX,
    MAX_LINES,
    MAX_QUANTITY,
    NAME_MAX,
    NOTE_MAX,
    PHONE_MAX,
)


class OrderLineInputSerializer(serializers.Serializer):
    product = serializers.SlugRelatedField(
        slug_field="slug", queryset=Product.objects.published().select_related("producer")
    )
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY)
    options = serializers.DictField(
        child=serializers.CharField(max_length=40, allow_blank=True),
        required=False,
        default=dict,
        help_text="The value chosen for each of the product's options, by option name: "
        '`{"Size": "M"}`. The price difference comes from the product, never from here.',
    )
    personalisation = serializers.DictField(
        child=serializers.CharField(
            max_length=MAX_PERSONAL_TEXT, allow_blank=True, trim_whitespace=False
        ),
        required=False,
        default=dict,
        help_text="The text typed for each of the product's personal texts, by label: "
        '`{"Name to embroider": "Ada"}`. Plain text: no control characters.',
    )

    # A price is never read from the body: unknown fields are ignored, as everywhere.

    def validate_options(self, value: dict) -> dict:
        if len(value) > MAX_OPTIONS:
            raise serializers.ValidationError(f"At most {MAX_OPTIONS} options.")
        return value

    def validate_personalisation(self, value: dict) -> dict:
        if len(value) > MAX_FIELDS:
            raise serializers.ValidationError(f"At most {MAX_FIELDS} texts.")
        return value


class ChosenOptionSerializer(serializers.Serializer):
    option = serializers.CharField(read_only=True)
    value = serializers.CharField(read_only=True)
    price_delta = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)


class PersonalTextSerializer(serializers.Serializer):
    label = serializers.CharField(read_only=True)
    text = serializers.CharField(read_only=True)


class ContactSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=NAME_MAX)
    email = serializers.EmailField()
    phone = serializers.CharField(
        max_length=PHONE_MAX, required=False, allow_blank=True, default=""
    )


class OrderCreateSerializer(serializers.Serializer):
    lines = OrderLineInputSerializer(many=True, min_length=1, max_length=MAX_LINES)
    contact = ContactSerializer(required=False, help_text="Needed unless you are signed in.")
    fulfilment = serializers.ChoiceField(choices=Order.Fulfilment.choices)
    delivery_address = serializers.CharField(
        max_length=ADDRESS_MAX, required=False, allow_blank=True, default=""
    )
    delivery_latitude = StrictDecimalField(
        max_digits=9,
        decimal_places=6,
        min_value=Decimal("-90"),
        max_value=Decimal("90"),
        required=False,
        allow_null=True,
    )
    delivery_longitude = StrictDecimalField(
        max_digits=9,
        decimal_places=6,
        min_value=Decimal("-180"),
        max_value=Decimal("180"),
        required=False,
        allow_null=True,
    )
    payment_method = serializers.ChoiceField(choices=Order.PaymentMethod.choices)
    note = serializers.CharField(max_length=NOTE_MAX, required=False, allow_blank=True, default="")
    pickup_point = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=PickupPoint.objects.active(),
        required=False,
        allow_null=True,
        default=None,
        help_text="Collect every part in one place: a pickup point's slug (pickup orders only).",
        error_messages={"does_not_exist": "No open pickup point is called “{value}”."},
    )


# The services name fields by their own arguments; the API nests the contact.
API_FIELDS = {
    "contact_name": ("contact", "name"),
    "contact_email": ("contact", "email"),
    "contact_phone": ("contact", "phone"),
    "delivery_point": ("delivery_longitude",),
}


def api_errors(error: InvalidInput) -> serializers.ValidationError:
    """A service's field errors under the names this API's clients sent."""
    errors: dict = {}
    for field, messages in error.message_dict.items():
        path = API_FIELDS.get(field, (field,))
        if len(path) == 2:
            errors.setdefault(path[0], {})[path[1]] = messages
        else:
            errors.setdefault(path[0], []).extend(messages)
    return serializers.ValidationError(errors)


AMOUNT = serializers.DecimalField(max_digits=12, decimal_places=2)
PAYMENT_FIELDS = [
    "payment_status",
    "payment_status_display",
    "amount_due",
    "amount_paid",
    "amount_refunded",
]


class PaymentStatusFields(serializers.Serializer):
    """How the money stands, in words a client can show. Never `paid` for money not taken:
    a pay-at-pickup order is `to_pay_at_pickup` until its co-op records the payment."""

    payment_status = serializers.SerializerMethodField(
        help_text=(
            "paid (by card), awaiting_payment (card, not paid yet), refunded, partly_refunded, "
            "to_pay_at_pickup (see amount_due), paid_at_pickup, waived (handed over, nothing "
            "charged), not_charged (cancelled before any money was taken)."
        )
    )
    payment_status_display = serializers.SerializerMethodField(
        help_text="The payment status in plain words."
    )
    amount_due = serializers.SerializerMethodField(
        help_text="Still to be paid (at pickup, or by card); 0.00 when nothing is."
    )
    amount_paid = serializers.SerializerMethodField(
        help_text="Taken so far, by card or at the counter."
    )
    amount_refunded = serializers.SerializerMethodField(
        help_text="Given back, or being given back, to the card."
    )

    def payment_of(self, obj) -> PaymentStatus:
        raise NotImplementedError

    @extend_schema_field(serializers.ChoiceField(choices=list(PAYMENT_STATUSES)))
    def get_payment_status(self, obj) -> str:
        return self.payment_of(obj).code

    def get_payment_status_display(self, obj) -> str:
        return self.payment_of(obj).label

    @extend_schema_field(AMOUNT)
    def get_amount_due(self, obj) -> str:
        return AMOUNT.to_representation(self.payment_of(obj).amount_due)

    @extend_schema_field(AMOUNT)
    def get_amount_paid(self, obj) -> str:
        return AMOUNT.to_representation(self.payment_of(obj).amount_paid)

    @extend_schema_field(AMOUNT)
    def get_amount_refunded(self, obj) -> str:
        return AMOUNT.to_representation(self.payment_of(obj).amount_refunded)


# An order the customer pays for at pickup is "confirmed", never "paid", until it is.
ORDER_STATUSES = [("confirmed", "Confirmed"), *Order.Status.choices]


class TransitionSerializer(serializers.ModelSerializer):
    by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = JobTransition
        fields = ["from_status", "to_status", "note", "by", "created_at"]
        read_only_fields = fields


class CustomerTransitionSerializer(serializers.ModelSerializer):
    """What a customer sees of a job's history: the steps, not who clicked."""

    class Meta:
        model = JobTransition
        fields = ["to_status", "created_at"]
        read_only_fields = fields


class OrderLineSerializer(serializers.ModelSerializer):
    product = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    producer = serializers.CharField(source="job.producer.slug", read_only=True)
    job = serializers.IntegerField(source="job_id", read_only=True)
    options = ChosenOptionSerializer(many=True, read_only=True)
    personalisation = PersonalTextSerializer(many=True, read_only=True)

    class Meta:
        model = OrderLine
        fields = [
            "product",
            "title",
            "options",
            "personalisation",
            "unit_price",
            "quantity",
            "line_total",
            "producer",
            "job",
            "cancelled",
            "expected_date",
        ]
        read_only_fields = fields


class PickupPointSerializer(serializers.ModelSerializer):
    class Meta:
        model = PickupPoint
        fields = ["slug", "name", "address", "opening_hours", "active"]
        read_only_fields = fields


class OrderJobSerializer(PaymentStatusFields, serializers.ModelSerializer):
    producer = serializers.SerializerMethodField()
    timeline = CustomerTransitionSerializer(source="transitions", many=True, read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Job
        fields = [
            "id",
            "producer",
            "status",
            "status_display",
            "due_date",
            "total",
            *PAYMENT_FIELDS,
            "arrived_at_point_at",
            "timeline",
        ]
        read_only_fields = fields

    def payment_of(self, obj: Job) -> PaymentStatus:
        return job_payment_status(obj)

    def get_producer(self, job: Job) -> dict:
        return {"slug": job.producer.slug, "name": job.producer.name}


class OrderSerializer(PaymentStatusFields, serializers.ModelSerializer):
    lines = OrderLineSerializer(many=True, read_only=True)
    jobs = OrderJobSerializer(many=True, read_only=True)
    status = serializers.SerializerMethodField(
        help_text=(
            "Where the order is: pending_payment, confirmed (to pay at pickup), paid (by "
            "card), in_production, ready, completed, cancelled, refunded. How its money "
            "stands is `payment_status`."
        )
    )
    status_display = serializers.SerializerMethodField()

    def payment_of(self, obj: Order) -> PaymentStatus:
        return order_payment_status(obj)

    @staticmethod
    def _confirmed(order: Order) -> bool:
        return (
            order.status == Order.Status.PAID
            and order.payment_method == Order.PaymentMethod.PAY_AT_PICKUP
        )

    @extend_schema_field(serializers.ChoiceField(choices=ORDER_STATUSES))
    def get_status(self, order: Order) -> str:
        return "confirmed" if self._confirmed(order) else order.status

    def get_status_display(self, order: Order) -> str:
        return "Confirmed" if self._confirmed(order) else order.get_status_display()

    pickup_point = PickupPointSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Order
        fields = [
            "number",
            "status",
            "status_display",
            "contact_name",
            "contact_email",
            "contact_phone",
            "fulfilment",
            "delivery_address",
            "pickup_point",
            "payment_method",
            *PAYMENT_FIELDS,
            "subtotal",
            "total",
            "currency",
            "note",
            "expires_at",
            "collect_by",
            "confirmed_at",
            "cancelled_at",
            "cancel_reason",
            "completed_at",
            "created_at",
            "lines",
            "jobs",
        ]
        read_only_fields = fields


class PlacedOrderSerializer(OrderSerializer):
    """The answer to placing an order: the only time the access token is shown."""

    access_token = serializers.CharField(read_only=True)
    status_url = serializers.SerializerMethodField()
    checkout_url = serializers.SerializerMethodField(
        help_text="Card orders: Stripe's payment page. Send the customer there to pay."
    )

    class Meta(OrderSerializer.Meta):
        fields = [*OrderSerializer.Meta.fields, "access_token", "status_url", "checkout_url"]
        read_only_fields = fields

    def get_status_url(self, order: Order) -> str:
        return f"{settings.SITE_URL}/orders/{order.number}/?token={order.access_token}"

    def get_checkout_url(self, order: Order) -> str | None:
        if order.payment_method != Order.PaymentMethod.STRIPE:
            return None
        url = Payment.objects.filter(order=order).values_list("checkout_url", flat=True).first()
        return url or None


class CheckoutUnavailableSerializer(serializers.Serializer):
    """The order is placed and its goods held, but Stripe's payment page could not be made.

    Retry the same request with the same Idempotency-Key, or POST to
    `orders/{number}/checkout/` with the order's token: no second order and no
    second payment page are made.
    """

    code = serializers.CharField()
    detail = serializers.CharField()
    order = PlacedOrderSerializer()


class OrderCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=CANCEL_REASON_MAX, required=False, allow_blank=True, default=""
    )


class AllocationSerializer(serializers.ModelSerializer):
    material = serializers.SlugRelatedField(slug_field="sku", read_only=True)
    location = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Allocation
        fields = ["material", "location", "quantity", "state"]
        read_only_fields = fields


class JobLineSerializer(serializers.ModelSerializer):
    product = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    options = ChosenOptionSerializer(many=True, read_only=True)
    personalisation = PersonalTextSerializer(many=True, read_only=True)

    class Meta:
        model = OrderLine
        fields = [
            "product",
            "title",
            "options",
            "personalisation",
            "unit_price",
            "quantity",
            "line_total",
            "cancelled",
            "expected_date",
        ]
        read_only_fields = fields


class CounterPaymentSerializer(serializers.ModelSerializer):
    """What was taken at the counter, and its split with the community fund."""

    recorded_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = CounterPayment
        fields = [
            "method",
            "amount",
            "due",
            "reason",
            "coop_share",
            "community_share",
            "community_percent",
            "recorded_by",
            "created_at",
        ]
        read_only_fields = fields


class JobCustomerSerializer(serializers.Serializer):
    """Only what a producer needs to hand the goods over."""

    name = serializers.CharField(source="contact_name")
    phone = serializers.CharField(source="contact_phone")
    fulfilment = serializers.CharField()
    delivery_address = serializers.SerializerMethodField()

    def get_delivery_address(self, order: Order) -> str | None:
        return order.delivery_address if order.fulfilment == Order.Fulfilment.DELIVERY else None


class JobSerializer(PaymentStatusFields, serializers.ModelSerializer):
    order = serializers.CharField(source="order.number", read_only=True)
    drop_off = PickupPointSerializer(
        source="order.pickup_point",
        read_only=True,
        allow_null=True,
        help_text="Where to bring the part by its due date; null: the resident collects it here.",
    )
    producer = serializers.CharField(source="producer.slug", read_only=True)
    lines = serializers.SerializerMethodField()
    customer = JobCustomerSerializer(source="order", read_only=True)
    transitions = TransitionSerializer(many=True, read_only=True)
    allocations = AllocationSerializer(many=True, read_only=True)
    counter_payment = serializers.SerializerMethodField()

    class Meta:
        model = Job
        fields = [
            "id",
            "order",
            "producer",
            "status",
            "due_date",
            "routing_reason",
            "total",
            *PAYMENT_FIELDS,
            "counter_payment",
            "decline_reason",
            "lines",
            "customer",
            "drop_off",
            "arrived_at_point_at",
            "allocations",
            "transitions",
            "created_at",
        ]
        read_only_fields = fields

    def get_lines(self, job: Job) -> list[dict]:
        return JobLineSerializer(job.lines.all(), many=True).data

    def payment_of(self, obj: Job) -> PaymentStatus:
        return job_payment_status(obj)

    @extend_schema_field(CounterPaymentSerializer(allow_null=True))
    def get_counter_payment(self, job: Job) -> dict | None:
        try:
            row = job.counter_payment
        except CounterPayment.DoesNotExist:
            return None
        return CounterPaymentSerializer(row).data


class CounterPaymentInputSerializer(serializers.Serializer):
    """What the co-op took at the counter for a pay-at-pickup job."""

    method = serializers.ChoiceField(choices=CounterPayment.Method.choices)
    amount = StrictDecimalField(
        max_digits=12,
        decimal_places=2,
        help_text="What was taken, from 0.00 up to the job's total.",
    )
    reason = serializers.CharField(
        max_length=COUNTER_REASON_MAX,
        required=False,
        allow_blank=True,
        default="",
        help_text="Needed when less than the total was taken, or nothing (a waiver).",
    )


class JobHandOverSerializer(serializers.Serializer):
    payment = CounterPaymentInputSerializer(
        required=False,
        allow_null=True,
        default=None,
        help_text=(
            "Required for a pay-at-pickup job: what was taken at the counter. Refused "
            "(409 paid_by_card) for a job paid by card."
        ),
    )


class JobDeclineSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=DECLINE_REASON_MAX)


class PointJobSerializer(serializers.ModelSerializer):
    """A part due in at a pickup point, as its keepers see it."""

    order = serializers.CharField(source="order.number", read_only=True)
    producer = serializers.SerializerMethodField()
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    lines = serializers.SerializerMethodField()

    class Meta:
        model = Job
        fields = [
            "id",
            "order",
            "producer",
            "status",
            "status_display",
            "due_date",
            "arrived_at_point_at",
            "lines",
        ]
        read_only_fields = fields

    def get_producer(self, job: Job) -> dict:
        return {"slug": job.producer.slug, "name": job.producer.name}

    def get_lines(self, job: Job) -> list[dict]:
        return [
            {"title": line.title, "quantity": line.quantity}
            for line in job.lines.all()
            if not line.cancelled
        ]
