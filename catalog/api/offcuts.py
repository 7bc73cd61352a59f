"""Offcuts: search the racks, record a leftover piece, draw one down, throw one away."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.fields import StrictDecimalField
from catalog import offcut_selectors as selectors
from catalog.api.serializers import VisibleLocationField
from catalog.api.views import IsNetworkMember
from catalog.models import QUANTITY, Material, Offcut, StockLocation
from catalog.permissions import may_draw_down, may_manage_location
from catalog.services import offcuts as services
from producers.models import Producer
from producers.permissions import producer_ids_for

MM = {"min_value": 1, "max_value": services.MOST_MM}


class OffcutSerializer(serializers.ModelSerializer):
    material = serializers.SlugRelatedField(slug_field="sku", read_only=True)
    material_name = serializers.CharField(source="material.name", read_only=True)
    unit = serializers.CharField(source="material.unit", read_only=True)
    location = serializers.SlugRelatedField(slug_field="code", read_only=True)
    size = serializers.CharField(source="size_label", read_only=True)
    value = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)
    created_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = Offcut
        fields = [
            "id",
            "material",
            "material_name",
            "unit",
            "location",
            "width_mm",
            "height_mm",
            "quantity",
            "size",
            "value",
            "status",
            "source",
            "kept_at",
            "discard_reason",
            "created_by",
            "created_at",
        ]
        read_only_fields = fields


def _field_errors(error: DjangoValidationError) -> serializers.ValidationError:
    return serializers.ValidationError(error.message_dict)


class OffcutRecordSerializer(serializers.Serializer):
    material = serializers.SlugRelatedField(slug_field="sku", queryset=Material.objects.all())
    location = VisibleLocationField(queryset=StockLocation.objects.none())
    width_mm = serializers.IntegerField(required=False, allow_null=True, **MM)
    height_mm = serializers.IntegerField(required=False, allow_null=True, **MM)
    amount = StrictDecimalField(
        **QUANTITY, required=False, allow_null=True, help_text="Spools and rolls: what is left."
    )
    kept_at = serializers.CharField(max_length=120, help_text="Where on the rack it is kept.")
    source = serializers.CharField(max_length=120, help_text="The job or drawdown that left it.")

    def validate(self, attrs):
        try:
            services.offcut_measure(
                attrs["material"],
                width_mm=attrs.get("width_mm"),
                height_mm=attrs.get("height_mm"),
                amount=attrs.get("amount"),
            )
        except DjangoValidationError as error:
            raise _field_errors(error) from None
        return attrs


class OffcutDrawDownSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200)
    quantity = StrictDecimalField(
        **QUANTITY, required=False, min_value=0, help_text="What is used; all of it if absent."
    )
    producer = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Producer.objects.all(),
        required=False,
        help_text="Whom it is for; defaults to your only producer.",
    )


class OffcutDiscardSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200)


def _as_400(call):
    try:
        return call()
    except DjangoValidationError as error:
        raise _field_errors(error) from None


@extend_schema(
    parameters=[
        OpenApiParameter("material", str, description="A material's SKU"),
        OpenApiParameter("min_width_mm", int, description="At least this wide (either way)"),
        OpenApiParameter("min_height_mm", int, description="At least this high (either way)"),
        OpenApiParameter("min_amount", str, description="Spools and rolls: at least this left"),
        OpenApiParameter(
            "status", str, description="available (default), reserved, used, discarded, all"
        ),
    ]
)
class OffcutListView(ListAPIView):
    """Pieces on the shared racks and your own shelves, smallest first; `POST` records one."""

    serializer_class = OffcutSerializer
    permission_classes = [IsNetworkMember]

    def get_queryset(self):
        query = Filters(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return selectors.offcut_search(user=self.request.user, **query.validated_data)

    @extend_schema(request=OffcutRecordSerializer, responses={201: OffcutSerializer})
    def post(self, request):
        serializer = OffcutRecordSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        location = data["location"]
        if not (location.shared or may_manage_location(request.user, location)):
            self.permission_denied(request, message="Record offcuts on your own shelves only.")
        offcut = _as_400(lambda: services.offcut_record(by=request.user, **data))
        return Response(OffcutSerializer(offcut).data, status=status.HTTP_201_CREATED)


class Filters(serializers.Serializer):
    material = serializers.SlugRelatedField(
        slug_field="sku", queryset=Material.objects.all(), required=False
    )
    min_width_mm = serializers.IntegerField(required=False, **MM)
    min_height_mm = serializers.IntegerField(required=False, **MM)
    min_amount = StrictDecimalField(**QUANTITY, required=False, min_value=0)
    status = serializers.ChoiceField(
        choices=[*Offcut.Status.values, "all"], default=Offcut.Status.AVAILABLE
    )

    def validate_status(self, value):
        return None if value == "all" else value


class _OffcutView(APIView):
    permission_classes = [IsNetworkMember]

    def get_offcut(self, pk: int) -> Offcut:
        visible = Offcut.objects.visible_to(self.request.user).select_related(
            "material", "location__producer"
        )
        return get_object_or_404(visible, pk=pk)


class OffcutDetailView(_OffcutView):
    @extend_schema(responses=OffcutSerializer)
    def get(self, request, pk: int):
        return Response(OffcutSerializer(self.get_offcut(pk)).data)


class OffcutDrawDownView(_OffcutView):
    """Use a piece (or part of a spool) for a producer: `409 offcut_unavailable` if gone."""

    @extend_schema(request=OffcutDrawDownSerializer, responses=OffcutSerializer)
    def post(self, request, pk: int):
        offcut = self.get_offcut(pk)
        serializer = OffcutDrawDownSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        producer = data.get("producer") or self._default_producer(offcut)
        if not may_draw_down(request.user, offcut.location, producer):
            self.permission_denied(request, message="You may draw down for your own co-op only.")
        used = _as_400(
            lambda: services.offcut_draw_down(
                offcut=offcut,
                by=request.user,
                reason=data["reason"],
                producer=producer,
                quantity=data.get("quantity"),
            )
        )
        return Response(OffcutSerializer(used).data)

    def _default_producer(self, offcut: Offcut) -> Producer:
        if not offcut.location.shared:
            return offcut.location.producer
        own = producer_ids_for(self.request.user)
        if len(own) == 1:
            return Producer.objects.get(pk=next(iter(own)))
        raise serializers.ValidationError({"producer": "Say which producer this is for."})


class OffcutDiscardView(_OffcutView):
    """Throw a piece away with a reason. Only the shelf's keepers do."""

    @extend_schema(request=OffcutDiscardSerializer, responses=OffcutSerializer)
    def post(self, request, pk: int):
        offcut = self.get_offcut(pk)
        serializer = OffcutDiscardSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if not may_manage_location(request.user, offcut.location):
            self.permission_denied(request, message="Only the shelf's keepers discard offcuts.")
        gone = _as_400(
            lambda: services.offcut_discard(
                offcut=offcut, reason=serializer.validated_data["reason"], by=request.user
            )
        )
        return Response(OffcutSerializer(gone).data)


urlpatterns = [
    path("offcuts/", OffcutListView.as_view(), name="offcut-list"),
    path("offcuts/<int:pk>/", OffcutDetailView.as_view(), name="offcut-detail"),
    path("offcuts/<int:pk>/draw-down/", OffcutDrawDownView.as_view(), name="offcut-draw-down"),
    path("offcuts/<int:pk>/discard/", OffcutDiscardView.as_view(), name="offcut-discard"),
]
