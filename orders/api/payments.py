"""Payments over the API: Stripe's webhook, a card order's payment page, the community report."""

import datetime

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from orders.api.views import TOKEN_PARAMETER, order_for_request
from orders.payments.checkout import checkout_start
from orders.payments.events import stripe_event_receive
from orders.payments.payouts import fund_percent
from orders.payments.reports import community_wealth

# --- Stripe's webhook ------------------------------------------------------------------


class StripeEventReceivedSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="Stripe's event id.")
    type = serializers.CharField()
    processed = serializers.BooleanField()


class StripeWebhookView(APIView):
    """Stripe's events. Signed with the webhook secret; each event is acted on once."""

    # Stripe authenticates with the signature over the raw body, not with a session
    # (so no CSRF token) or a user.
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        request={"application/json": OpenApiTypes.OBJECT},
        parameters=[
            OpenApiParameter(
                "Stripe-Signature",
                str,
                location=OpenApiParameter.HEADER,
                required=True,
                description="Stripe's signature of the raw body.",
            )
        ],
        responses={200: StripeEventReceivedSerializer},
    )
    def post(self, request):
        # The signature covers the body byte for byte: it is read raw, never parsed by DRF.
        event = stripe_event_receive(
            payload=request.body, signature=request.headers.get("Stripe-Signature")
        )
        body = {"id": event.event_id, "type": event.type, "processed": bool(event.processed_at)}
        return Response(StripeEventReceivedSerializer(body).data)


# --- A card order's payment page -------------------------------------------------------


class CheckoutSerializer(serializers.Serializer):
    number = serializers.CharField(source="order.number")
    checkout_url = serializers.URLField()
    expires_at = serializers.DateTimeField(
        source="session_expires_at", help_text="The payment page closes then."
    )


class CheckoutView(APIView):
    """Open (or reopen) Stripe's payment page for a card order waiting for payment.

    The same page every time: calling this again, or after a failed attempt,
    makes no second one.
    """

    permission_classes = [AllowAny]

    @extend_schema(request=None, parameters=[TOKEN_PARAMETER], responses=CheckoutSerializer)
    def post(self, request, number: str):
        order = order_for_request(request, number)
        payment = checkout_start(order=order)
        return Response(CheckoutSerializer(payment).data)


# --- The community-wealth report -------------------------------------------------------


class PeriodSerializer(serializers.Serializer):
    # `from` is a Python keyword: the fields are named here rather than as attributes.
    def get_fields(self):
        return {
            "from": serializers.DateField(
                source="date_from", required=False, allow_null=True, default=None
            ),
            "to": serializers.DateField(
                source="date_to", required=False, allow_null=True, default=None
            ),
        }

    def validate(self, attrs):
        start, end = attrs.get("date_from"), attrs.get("date_to")
        if start and end and start > end:
            raise serializers.ValidationError({"to": "Give a date on or after `from`."})
        return attrs


class WealthFiguresSerializer(serializers.Serializer):
    jobs = serializers.IntegerField()
    sales = serializers.DecimalField(max_digits=14, decimal_places=2)
    paid_out = serializers.DecimalField(max_digits=14, decimal_places=2)
    owed = serializers.DecimalField(
        max_digits=14, decimal_places=2, help_text="Not paid out yet: being sent, or owed."
    )
    taken_at_counter = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        help_text="Taken by the co-ops at the counter for pay-at-pickup orders.",
    )
    community_fund = serializers.DecimalField(max_digits=14, decimal_places=2)


class ProducerWealthSerializer(WealthFiguresSerializer):
    producer = serializers.CharField(source="producer_slug")
    name = serializers.CharField(source="producer_name")


class CommunityWealthSerializer(serializers.Serializer):
    period = PeriodSerializer(source="*")
    community_fund_percent = serializers.DecimalField(max_digits=5, decimal_places=2)
    producers = ProducerWealthSerializer(many=True)
    totals = WealthFiguresSerializer()


class CommunityWealthReportView(APIView):
    """Where the money from every sale went: to each co-op, and to the community fund.

    Jobs handed over between `from` and `to` (both included), paid by card or at
    the counter. A public summary: no customer and no order appears in it.
    """

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[
            OpenApiParameter("from", OpenApiTypes.DATE, description="First day (YYYY-MM-DD)."),
            OpenApiParameter("to", OpenApiTypes.DATE, description="Last day (YYYY-MM-DD)."),
        ],
        responses=CommunityWealthSerializer,
    )
    def get(self, request):
        period = PeriodSerializer(data=request.query_params)
        period.is_valid(raise_exception=True)
        start: datetime.date | None = period.validated_data["date_from"]
        end: datetime.date | None = period.validated_data["date_to"]
        report = community_wealth(date_from=start, date_to=end)
        report["community_fund_percent"] = fund_percent()
        return Response(CommunityWealthSerializer(report).data)


urlpatterns = [
    path("payments/stripe/webhook/", StripeWebhookView.as_view(), name="stripe-webhook"),
    path("orders/<str:number>/checkout/", CheckoutView.as_view(), name="order-checkout"),
    path(
        "reports/community-wealth/",
        CommunityWealthReportView.as_view(),
        name="report-community-wealth",
    ),
]
