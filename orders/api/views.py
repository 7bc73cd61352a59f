import django_filters
from django.db import transaction
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle

from catalog.services.options import Chosen
from orders import selectors, services
from orders.api.idempotency import Idempotency, checkout_owed
from orders.api.serializers import (
    CheckoutUnavailableSerializer,
    JobDeclineSerializer,
    JobHandOverSerializer,
    JobSerializer,
    OrderCancelSerializer,
    OrderCreateSerializer,
    OrderSerializer,
    PlacedOrderSerializer,
    api_errors,
)
from orders.exceptions import InvalidInput, PaymentProviderUnavailable
from orders.models import Job, Order
from orders.payments.checkout import checkout_start
from producers.permissions import can_act_for

TOKEN_PARAMETER = OpenApiParameter(
    "token", str, description="The order's access token, for guests following their order."
)
IDEMPOTENCY_PARAMETER = OpenApiParameter(
    "Idempotency-Key",
    str,
    location=OpenApiParameter.HEADER,
    description=(
        "Send the same key to retry safely: the first answer is replayed. Keys are the "
        "caller's: a signed-in user's own; a guest's replay carries the access token only "
        "when it sends back the cookie the first answer set."
    ),
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
        # A card order is committed first and its Stripe session made after, outside the
        # transaction (Stripe is never waited on while stock is locked). Until Stripe
        # answers, the key's stored answer is "placed, payment page still owed" (503); a
        # retry that finds it places nothing and asks Stripe again under the same Stripe
        # idempotency key, so there is one session at most.
        idem = Idempotency(request)
        with transaction.atomic():
            # The key first: a retry is answered as the first time was, whatever changed since.
            record = idem.claim()
            order = checkout_owed(record) if record else self._place(request)
            if order is None:
                return idem.replay(record)
            if order.payment_method != Order.PaymentMethod.STRIPE:
                return idem.answer(status=201, body=self._placed_body(order), replayed=bool(record))
            owed = PaymentProviderUnavailable()
            idem.store(status=owed.status_code, body=self._owed_body(order, owed))
        code, body = self._open_checkout(order)
        return idem.answer(status=code, body=body, replayed=bool(record))

    def _place(self, request) -> Order:
        """Parse the body and make the one service call; its field errors in the API's names."""
        serializer = OrderCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            return services.order_place(
                customer=request.user,
                contact=self._contact(request, data),
                lines=[
                    (
                        line["product"],
                        line["quantity"],
                        Chosen(options=line["options"], personalisation=line["personalisation"]),
                    )
                    for line in data["lines"]
                ],
                fulfilment=data["fulfilment"],
                payment_method=data["payment_method"],
                delivery_address=data["delivery_address"],
                delivery_point=self._point(data),
                note=data["note"],
                pickup_point=data["pickup_point"],
            )
        except InvalidInput as error:
            raise api_errors(error) from error

    @staticmethod
    def _point(data):
        latitude, longitude = data.get("delivery_latitude"), data.get("delivery_longitude")
        return None if latitude is None and longitude is None else (latitude, longitude)

    @staticmethod
    def _placed_body(order: Order) -> dict:
        placed = selectors.with_details(Order.objects.filter(pk=order.pk)).get()
        return PlacedOrderSerializer(placed).data

    def _owed_body(self, order: Order, exc: PaymentProviderUnavailable) -> dict:
        return {**exc.as_dict(), "order": self._placed_body(order)}

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
        if not user.is_authenticated:
            return services.Contact(name="", email="")
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
        services.order_cancel(
            order=order, by=request.user, reason=serializer.validated_data["reason"]
        )
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
        if not can_act_for(request.user, job.producer_id):
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

    @extend_schema(request=JobHandOverSerializer, responses=JobSerializer)
    @action(detail=True, methods=["post"], url_path="hand-over")
    def hand_over(self, request, pk=None):
        """Hand the goods over. For a pay-at-pickup job, say what was taken at the counter:
        `payment: {method, amount, reason}`; its community-fund share is recorded with it.
        A part of an order gathered at a pickup point is handed over there, with the rest
        of the order (409 collected_at_pickup_point)."""
        serializer = JobHandOverSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data["payment"]
        payment = None if data is None else services.CounterPaymentInput(**data)
        try:
            return self._move(request, services.job_hand_over, payment=payment)
        except InvalidInput as error:
            # The service names the payment's own fields; the API nests them under `payment`.
            raise serializers.ValidationError(_nested_payment_errors(error)) from error

    @extend_schema(request=None, responses=JobSerializer)
    @action(detail=True, methods=["post"], url_path="no-show")
    def no_show(self, request, pk=None):
        """Nobody came for a ready part: ready-made goods go back on sale, a card payment
        for the part is refunded, the resident is told. `409 invalid_transition` unless ready."""
        return self._move(request, services.job_no_show)


def _nested_payment_errors(error: InvalidInput) -> dict:
    errors: dict = {}
    for field, messages in error.message_dict.items():
        if field == "payment":
            errors["payment"] = messages
        else:
            errors.setdefault("payment", {})[field] = messages
    return errors
