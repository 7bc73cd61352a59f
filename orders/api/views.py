import django_filters
from django.db import transaction
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle

from orders import selectors, services
from orders.api.serializers import (
    CheckoutUnavailableSerializer,
    JobDeclineSerializer,
    JobSerializer,
    OrderCancelSerializer,
    OrderCreateSerializer,
    OrderSerializer,
    PlacedOrderSerializer,
)
from orders.exceptions import PaymentProviderUnavailable
from orders.models import Job, Order
from orders.payments.checkout import checkout_start
from producers.permissions import is_member, is_platform_staff

TOKEN_PARAMETER = OpenApiParameter(
    "token", str, description="The order's access token, for guests following their order."
)
IDEMPOTENCY_PARAMETER = OpenApiParameter(
    "Idempotency-Key",
    str,
    location=OpenApiParameter.HEADER,
    description="Send the same key to retry safely: the first answer is replayed.",
)


def order_for_request(request, number: str) -> Order:
    """The owner, staff, or anyone holding the token; everyone else gets a 404."""
    order = selectors.order_for(
        number=number, user=request.user, token=request.query_params.get("token")
    )
    if order is None:
        raise NotFound()
    return order


class OrderViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Orders: anyone places one; customers list theirs; guests follow one with its token."""

    lookup_field = "number"
    serializer_class = OrderSerializer
    throttle_scope = "orders"

    def get_permissions(self):
        if self.action in ("create", "retrieve", "cancel"):
            return [AllowAny()]
        return [IsAuthenticated()]

    def get_throttles(self):
        # Placing an order reserves stock: one client may place only so many a minute.
        if self.action == "create":
            return [ScopedRateThrottle()]
        return super().get_throttles()

    def get_queryset(self):
        return selectors.orders_of(self.request.user)

    def _order_for(self, request, number: str) -> Order:
        return order_for_request(request, number)

    @extend_schema(parameters=[TOKEN_PARAMETER], responses=OrderSerializer)
    def retrieve(self, request, number=None):
        return Response(OrderSerializer(self._order_for(request, number)).data)

    @extend_schema(
        request=OrderCreateSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={
            201: PlacedOrderSerializer,
            502: CheckoutUnavailableSerializer,
            503: CheckoutUnavailableSerializer,
        },
    )
    def create(self, request):
        """Place an order. A card order comes back with `checkout_url`, Stripe's payment page.

        If the payment page cannot be opened, the order is placed all the same
        and the answer is 502/503 `payment_provider_unavailable`, naming it:
        retry with the same Idempotency-Key, or POST `orders/{number}/checkout/`.
        """
        # A card order is placed (and committed) first and its Stripe Checkout Session
        # made afterwards, outside the transaction: Stripe is never waited on while
        # stock rows are locked. With an Idempotency-Key, the answer stored with a card
        # order is at first "placed, payment page still owed" (503, naming the order);
        # it becomes the 201 with `checkout_url` once Stripe answers. A retry with the
        # same key that finds the owed answer places nothing: it asks Stripe for the
        # session again under the same Stripe idempotency key, so there is one session
        # at most. A crash between the two steps leaves the same resumable answer, and
        # a 201 without the payment page is never stored for a card order.
        key = request.headers.get("Idempotency-Key", "").strip()
        if len(key) > 255:
            raise serializers.ValidationError({"Idempotency-Key": "Use at most 255 characters."})
        scope = f"user:{request.user.pk}" if request.user.is_authenticated else "guest"
        with transaction.atomic():
            # Claim the key first: a retry is answered as the first time was, even if
            # the catalog changed in between.
            record = (
                services.idempotency_claim(scope=scope, key=key, body=request.data) if key else None
            )
            if record is not None:
                order = self._checkout_owed(record)
                if order is None:
                    return Response(
                        record.response_body,
                        status=record.response_status,
                        headers={"Idempotent-Replayed": "true"},
                    )
            else:
                order = self._place(request)
                if order.payment_method != Order.PaymentMethod.STRIPE:
                    body = self._placed_body(order)
                    if key:
                        services.idempotency_store(scope=scope, key=key, status=201, body=body)
                    return Response(body, status=status.HTTP_201_CREATED)
                if key:
                    owed = PaymentProviderUnavailable()
                    body = self._owed_body(order, owed)
                    services.idempotency_store(
                        scope=scope, key=key, status=owed.status_code, body=body
                    )
        code, body = self._open_checkout(order)
        if key:
            services.idempotency_store(scope=scope, key=key, status=code, body=body)
        return Response(body, status=code)

    def _place(self, request) -> Order:
        serializer = OrderCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        return services.order_place(
            customer=request.user,
            contact=self._contact(request, data),
            lines=[(line["product"], line["quantity"]) for line in data["lines"]],
            fulfilment=data["fulfilment"],
            payment_method=data["payment_method"],
            delivery_address=data["delivery_address"],
            delivery_point=(
                (data["delivery_latitude"], data["delivery_longitude"])
                if data.get("delivery_latitude") is not None
                else None
            ),
            note=data["note"],
        )

    @staticmethod
    def _placed_body(order: Order) -> dict:
        placed = selectors.with_details(Order.objects.filter(pk=order.pk)).get()
        return PlacedOrderSerializer(placed).data

    def _owed_body(self, order: Order, exc: PaymentProviderUnavailable) -> dict:
        return {**exc.as_dict(), "order": self._placed_body(order)}

    @staticmethod
    def _checkout_owed(record) -> Order | None:
        """The card order a stored answer still owes a payment page to, if any."""
        body = record.response_body or {}
        if record.response_status == 201 or body.get("code") != PaymentProviderUnavailable.code:
            return None
        number = (body.get("order") or {}).get("number")
        return Order.objects.filter(number=number).first() if number else None

    def _open_checkout(self, order: Order) -> tuple[int, dict]:
        if order.status == Order.Status.PENDING_PAYMENT:
            try:
                checkout_start(order=order)
            except PaymentProviderUnavailable as exc:
                return exc.status_code, self._owed_body(order, exc)
        return status.HTTP_201_CREATED, self._placed_body(order)

    @staticmethod
    def _contact(request, data) -> services.Contact:
        if "contact" in data:
            return services.Contact(**data["contact"])
        user = request.user
        return services.Contact(name=user.get_full_name() or user.get_username(), email=user.email)

    @extend_schema(
        request=OrderCancelSerializer, parameters=[TOKEN_PARAMETER], responses=OrderSerializer
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, number=None):
        """Cancel before production starts: everything reserved is given back."""
        order = self._order_for(request, number)
        serializer = OrderCancelSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        reason = serializer.validated_data["reason"] or "Cancelled by the customer"
        services.order_cancel(order=order, by=request.user, reason=reason)
        fresh = selectors.with_details(Order.objects.filter(pk=order.pk)).get()
        return Response(OrderSerializer(fresh).data)


class JobFilter(django_filters.FilterSet):
    producer = django_filters.CharFilter(field_name="producer__slug")
    order = django_filters.CharFilter(field_name="order__number")
    status = django_filters.MultipleChoiceFilter(choices=Job.Status.choices)
    due_before = django_filters.DateFilter(field_name="due_date", lookup_expr="lte")
    due_after = django_filters.DateFilter(field_name="due_date", lookup_expr="gte")

    class Meta:
        model = Job
        fields = ["producer", "order", "status"]


class JobViewSet(viewsets.ReadOnlyModelViewSet):
    """The job board: work routed to your producers, and its moves from routed to handed over."""

    serializer_class = JobSerializer
    permission_classes = [IsAuthenticated]
    filterset_class = JobFilter

    def get_queryset(self):
        return selectors.jobs_visible_to(self.request.user)

    def _move(self, request, service, **kwargs):
        job = self.get_object()
        if not (is_platform_staff(request.user) or is_member(request.user, job.producer_id)):
            self.permission_denied(request, message="Only the co-op's members move its jobs.")
        service(job=job, by=request.user, **kwargs)
        return Response(JobSerializer(self.get_queryset().get(pk=job.pk)).data)

    @extend_schema(request=None, responses=JobSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self._move(request, services.job_accept)

    @extend_schema(request=JobDeclineSerializer, responses=JobSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        """Decline with a reason: stock goes back, an open design goes to the next co-op."""
        serializer = JobDeclineSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._move(request, services.job_decline, reason=serializer.validated_data["reason"])

    @extend_schema(request=None, responses=JobSerializer)
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        """Start making: reserved materials are consumed."""
        return self._move(request, services.job_start)

    @extend_schema(request=None, responses=JobSerializer)
    @action(detail=True, methods=["post"])
    def ready(self, request, pk=None):
        return self._move(request, services.job_ready)

    @extend_schema(request=None, responses=JobSerializer)
    @action(detail=True, methods=["post"], url_path="hand-over")
    def hand_over(self, request, pk=None):
        return self._move(request, services.job_hand_over)
