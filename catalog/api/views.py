import datetime

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.months import parse_month
from catalog import selectors
from catalog.api import filters
from catalog.api.serializers import (
    AdjustmentSerializer,
    DrawdownSerializer,
    LedgerMovementSerializer,
    MaterialMemberSerializer,
    MaterialPublicSerializer,
    MaterialWriteSerializer,
    ReceiptSerializer,
    StockBalanceSerializer,
    StockLocationSerializer,
    StockLocationWriteSerializer,
    StockOperationResultSerializer,
    TransferSerializer,
    UsageReportSerializer,
)
from catalog.models import StockBalance
from catalog.permissions import (
    is_network_member,
    may_draw_down,
    may_manage_location,
    may_transfer,
)
from catalog.services import materials as material_services
from catalog.services import stock
from catalog.services.stock_guards import require_keeper
from producers.models import Producer
from producers.permissions import can_act_for, can_keep_shared_store, producer_ids_for


class IsNetworkMember(permissions.BasePermission):
    """Signed in and a member of some producer (or platform staff)."""

    message = "Only members of the network's producers may see stock."

    def has_permission(self, request, view) -> bool:
        return is_network_member(request.user)


class MaterialViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Materials: anyone reads; Fab Lab staff add and edit."""

    lookup_field = "sku"
    filterset_class = filters.MaterialFilter

    def get_queryset(self):
        return selectors.material_list()

    def get_serializer_class(self):
        if is_network_member(self.request.user):
            return MaterialMemberSerializer
        return MaterialPublicSerializer

    def _require_fablab_staff(self):
        user = self.request.user
        if not can_keep_shared_store(user):
            self.permission_denied(self.request, message="Only Fab Lab staff edit materials.")

    def _output(self, material):
        fresh = self.get_queryset().get(pk=material.pk)
        return MaterialMemberSerializer(fresh, context=self.get_serializer_context()).data

    @extend_schema(request=MaterialWriteSerializer, responses={201: MaterialMemberSerializer})
    def create(self, request, *args, **kwargs):
        self._require_fablab_staff()
        serializer = MaterialWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        material = material_services.material_create(**serializer.validated_data)
        return Response(self._output(material), status=status.HTTP_201_CREATED)

    @extend_schema(request=MaterialWriteSerializer, responses=MaterialMemberSerializer)
    def partial_update(self, request, *args, **kwargs):
        self._require_fablab_staff()
        material = self.get_object()
        serializer = MaterialWriteSerializer(material, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        material_services.material_update(material=material, **serializer.validated_data)
        return Response(self._output(material))


class StockLocationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The shared store and the locations of your own producers."""

    lookup_field = "code"
    serializer_class = StockLocationSerializer
    permission_classes = [IsNetworkMember]
    filterset_fields = ["shared"]

    def get_queryset(self):
        return selectors.locations_visible_to(self.request.user)

    @extend_schema(request=StockLocationWriteSerializer, responses={201: StockLocationSerializer})
    def create(self, request, *args, **kwargs):
        serializer = StockLocationWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        producer = serializer.validated_data["producer"]
        if not can_act_for(request.user, producer):
            self.permission_denied(request, message="You may add locations to your own co-op only.")
        location = material_services.location_create(**serializer.validated_data)
        return Response(StockLocationSerializer(location).data, status=status.HTTP_201_CREATED)


class StockBalanceViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = StockBalanceSerializer
    permission_classes = [IsNetworkMember]
    filterset_class = filters.StockBalanceFilter

    def get_queryset(self):
        return selectors.balances_visible_to(self.request.user)


class StockMovementViewSet(viewsets.ReadOnlyModelViewSet):
    """The ledger: every change to every balance you may see. Read-only."""

    serializer_class = LedgerMovementSerializer
    permission_classes = [IsNetworkMember]
    filterset_class = filters.StockMovementFilter

    def get_queryset(self):
        return selectors.movements_visible_to(self.request.user)


def _result(movements) -> dict:
    balances = StockBalance.objects.filter(pk__in={m.balance_id for m in movements}).select_related(
        "material", "location"
    )
    return StockOperationResultSerializer({"movements": movements, "balances": balances}).data


class _StockOperationView(APIView):
    permission_classes = [IsNetworkMember]
    input_serializer: type[serializers.Serializer]

    def post(self, request):
        serializer = self.input_serializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        movements = self.perform(request.user, serializer.validated_data)
        return Response(_result(movements), status=status.HTTP_201_CREATED)

    def perform(self, user, data) -> list:
        raise NotImplementedError

    def require(self, allowed: bool, message: str) -> None:
        if not allowed:
            self.permission_denied(self.request, message=message)


@extend_schema(request=ReceiptSerializer, responses={201: StockOperationResultSerializer})
class ReceiptView(_StockOperationView):
    """Record stock arriving on a shelf."""

    input_serializer = ReceiptSerializer

    def perform(self, user, data):
        require_keeper(user, data["location"])
        self.require(
            may_manage_location(user, data["location"]),
            "Only the location's own producer records receipts there.",
        )
        return [
            stock.stock_receive(
                material=data["material"],
                location=data["location"],
                quantity=data["quantity"],
                by=user,
                reason=data["reason"],
            )
        ]


@extend_schema(request=DrawdownSerializer, responses={201: StockOperationResultSerializer})
class DrawdownView(_StockOperationView):
    """Take material off a shelf for a producer. `409 insufficient_stock` beyond what is free."""

    input_serializer = DrawdownSerializer

    def perform(self, user, data):
        location = data["location"]
        producer = data.get("producer") or self._default_producer(user, location)
        self.require(
            may_draw_down(user, location, producer),
            "You may draw down for your own co-op only.",
        )
        return [
            stock.stock_draw_down(
                material=data["material"],
                location=location,
                quantity=data["quantity"],
                by=user,
                reason=data["reason"],
                producer=producer,
            )
        ]

    @staticmethod
    def _default_producer(user, location) -> Producer:
        if not location.shared:
            return location.producer
        own = producer_ids_for(user)
        if len(own) == 1:
            return Producer.objects.get(pk=next(iter(own)))
        raise serializers.ValidationError({"producer": "Say which producer this drawdown is for."})


@extend_schema(request=AdjustmentSerializer, responses={201: StockOperationResultSerializer})
class AdjustmentView(_StockOperationView):
    """Record a count: on-hand becomes what was counted, and the difference is logged."""

    input_serializer = AdjustmentSerializer

    def perform(self, user, data):
        require_keeper(user, data["location"])
        self.require(
            may_manage_location(user, data["location"]),
            "Only the location's own producer counts its stock.",
        )
        movement = stock.stock_adjust_to_count(
            material=data["material"],
            location=data["location"],
            counted=data["counted"],
            by=user,
            reason=data["reason"],
        )
        return [movement] if movement else []

    def post(self, request):
        serializer = self.input_serializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        movements = self.perform(request.user, serializer.validated_data)
        if not movements:
            # The count matched the books: nothing to record, show the balance.
            balance = StockBalance.objects.filter(
                material=serializer.validated_data["material"],
                location=serializer.validated_data["location"],
            )
            body = StockOperationResultSerializer({"movements": [], "balances": balance}).data
            return Response(body, status=status.HTTP_200_OK)
        return Response(_result(movements), status=status.HTTP_201_CREATED)


@extend_schema(request=TransferSerializer, responses={201: StockOperationResultSerializer})
class TransferView(_StockOperationView):
    """Move stock from one shelf to another."""

    input_serializer = TransferSerializer

    def perform(self, user, data):
        source, destination = data["source"], data["destination"]
        # The shared store's stock moves only through its keepers (the service holds the
        # same rule); co-ops take from it by drawing down, which the usage report counts.
        require_keeper(user, source, destination)
        if not (source.shared or destination.shared):
            self.require(
                may_transfer(user, source, destination),
                "You may move stock only between your own shelves.",
            )
        producer = destination.producer if not destination.shared else source.producer
        return list(
            stock.stock_transfer(
                material=data["material"],
                source=source,
                destination=destination,
                quantity=data["quantity"],
                by=user,
                reason=data["reason"],
                producer=producer,
            )
        )


class MaterialsUsageReportView(APIView):
    """What left each producer's hands or the shared store in a month, at its cost then."""

    permission_classes = [IsNetworkMember]

    @extend_schema(
        parameters=[OpenApiParameter("month", str, description="YYYY-MM; this month if absent")],
        responses=UsageReportSerializer,
    )
    def get(self, request):
        month = self._month(request.query_params.get("month"))
        rows = selectors.materials_usage(month=month, user=request.user)
        total = sum((row["cost"] for row in rows), start=0)
        saved = sum((row["saved"] for row in rows), start=0)
        body = {
            "month": month.strftime("%Y-%m"),
            "rows": rows,
            "total_cost": total,
            "total_saved": saved,
        }
        return Response(UsageReportSerializer(body).data)

    @staticmethod
    def _month(value: str | None) -> datetime.date:
        if not value:
            return timezone.localdate().replace(day=1)
        try:
            return parse_month(value)
        except ValueError as error:
            raise serializers.ValidationError({"month": str(error)}) from None
