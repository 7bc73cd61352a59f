"""The community fund over the API: public figures and ledger; staff record what it pays.

Reads are public and name no person. Disbursements and adjustments go through the
fund's services: a field error answers 400, a fund that does not hold enough 409
`fund_too_low`, and anyone but platform staff 403.
"""

from django.urls import path
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.fields import StrictDecimalField
from backend.pagination import KeysetPagination
from community.models import Disbursement, FundEntry
from community.reports import community_figures
from community.selectors import fund_entries
from community.services.fund import adjustment_record, disbursement_record
from producers.permissions import is_platform_staff

MONEY = {"max_digits": 14, "decimal_places": 2}


class StaffWrites(permissions.BasePermission):
    """Anyone reads; only platform staff write. Paired with `IsAuthenticatedOrReadOnly`,
    which answers 401 to an anonymous write and tells the schema that reads are open."""

    message = "Only platform staff record what the community fund pays or corrects."

    def has_permission(self, request, view) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        return is_platform_staff(request.user)


# --- Figures ----------------------------------------------------------------------------


class FundTotalsSerializer(serializers.Serializer):
    balance = serializers.DecimalField(**MONEY, help_text="The sum of the whole ledger.")
    from_sales = serializers.DecimalField(**MONEY, help_text="Every sale's community share.")
    disbursed = serializers.DecimalField(**MONEY, help_text="Paid out of the fund.")
    adjustments = serializers.DecimalField(**MONEY, help_text="Staff corrections, net.")


class MoneySplitSerializer(serializers.Serializer):
    jobs = serializers.IntegerField(help_text="Jobs handed over.")
    sales = serializers.DecimalField(**MONEY)
    to_coops = serializers.DecimalField(**MONEY, help_text="The co-ops' part of the sales.")
    to_fund = serializers.DecimalField(**MONEY, help_text="The community fund's share.")


@extend_schema_field({"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$", "example": "2026-11"})
class MonthField(serializers.Field):
    """A month as `YYYY-MM` (not a date: it names no day)."""

    def to_representation(self, value) -> str:
        return f"{value:%Y-%m}"


class MonthSplitSerializer(MoneySplitSerializer):
    month = MonthField(read_only=True, help_text="The month, `YYYY-MM`.")


class ProducerSplitSerializer(MoneySplitSerializer):
    producer = serializers.CharField(source="producer_slug")
    name = serializers.CharField(source="producer_name")


class CommunityFundSerializer(serializers.Serializer):
    community_fund_percent = serializers.DecimalField(
        max_digits=5, decimal_places=2, source="fund_percent"
    )
    fund = FundTotalsSerializer()
    months = MonthSplitSerializer(many=True, help_text="The last 12 months, oldest first.")
    producers = ProducerSplitSerializer(many=True, help_text="Every co-op that sold, all time.")
    totals = MoneySplitSerializer(help_text="All co-ops, all time.")


class CommunityFundView(APIView):
    """The community fund's balance and totals, and the money kept local by month and by
    co-op: the figures of the public page `/community/`, to the cent."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(responses=CommunityFundSerializer)
    def get(self, request):
        figures = community_figures(today=timezone.localdate())
        return Response(CommunityFundSerializer(figures).data)


# --- The ledger -------------------------------------------------------------------------


class FundEntrySerializer(serializers.ModelSerializer):
    producer = serializers.SlugRelatedField(
        slug_field="slug",
        read_only=True,
        allow_null=True,
        help_text="Whose sale, for a sale's share; null otherwise.",
    )

    class Meta:
        model = FundEntry
        fields = ["id", "kind", "amount", "sale", "reason", "source", "producer", "created_at"]
        read_only_fields = fields


class LedgerPagination(KeysetPagination):
    pass


class FundEntryList(generics.ListAPIView):
    """The fund's ledger, newest first: credits positive, debits negative."""

    serializer_class = FundEntrySerializer
    permission_classes = [permissions.AllowAny]
    pagination_class = LedgerPagination
    filter_backends: list = []

    def get_queryset(self):
        return fund_entries()


# --- Disbursements and adjustments ------------------------------------------------------


class DisbursementSerializer(serializers.ModelSerializer):
    class Meta:
        model = Disbursement
        fields = ["id", "amount", "paid_to", "purpose", "created_at"]
        read_only_fields = fields


class DisbursementInputSerializer(serializers.Serializer):
    amount = StrictDecimalField(max_digits=12, decimal_places=2, help_text="Above zero.")
    paid_to = serializers.CharField(max_length=200)
    purpose = serializers.CharField(max_length=500, help_text="What it paid for.")


class DisbursementListCreate(generics.ListAPIView):
    """Every disbursement, newest first. Staff record a new one: never more than the fund
    holds (409 `fund_too_low`, with the `balance`)."""

    serializer_class = DisbursementSerializer
    permission_classes = [permissions.IsAuthenticatedOrReadOnly, StaffWrites]
    filter_backends: list = []

    def get_queryset(self):
        return Disbursement.objects.order_by("-created_at", "-id")

    @extend_schema(request=DisbursementInputSerializer, responses={201: DisbursementSerializer})
    def post(self, request):
        data = DisbursementInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        disbursement = disbursement_record(**data.validated_data, by=request.user)
        return Response(DisbursementSerializer(disbursement).data, status=201)


class AdjustmentInputSerializer(serializers.Serializer):
    amount = StrictDecimalField(
        max_digits=12,
        decimal_places=2,
        help_text="Up (positive) or down (negative); never zero, never below an empty fund.",
    )
    reason = serializers.CharField(max_length=500)


class AdjustmentCreate(APIView):
    """A correction to the fund by staff, with its reason (409 `fund_too_low` when a
    correction down would take the fund below zero)."""

    permission_classes = [permissions.IsAuthenticated, StaffWrites]

    @extend_schema(request=AdjustmentInputSerializer, responses={201: FundEntrySerializer})
    def post(self, request):
        data = AdjustmentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        entry = adjustment_record(**data.validated_data, by=request.user)
        return Response(FundEntrySerializer(entry).data, status=201)


urlpatterns = [
    path("community/fund/", CommunityFundView.as_view(), name="community-fund"),
    path("community/fund/entries/", FundEntryList.as_view(), name="community-fund-entries"),
    path(
        "community/fund/adjustments/", AdjustmentCreate.as_view(), name="community-fund-adjustments"
    ),
    path(
        "community/disbursements/",
        DisbursementListCreate.as_view(),
        name="community-disbursements",
    ),
]
