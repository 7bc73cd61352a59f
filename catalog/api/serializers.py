from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from backend.fields import STRICT_MAPPING, StrictDecimalField
from catalog.models import QUANTITY, Material, StockBalance, StockLocation, StockMovement
from catalog.services.stock_guards import clean_quantity
from producers.models import Producer
from producers.permissions import can_keep_shared_store


class MaterialPublicSerializer(serializers.ModelSerializer):
    available = serializers.BooleanField(
        source="in_shared_store", read_only=True, help_text="Something is free in the shared store."
    )

    class Meta:
        model = Material
        fields = ["sku", "name", "description", "unit", "category", "active", "available"]
        read_only_fields = fields


# Sums over many shelves may exceed what one column holds: shown with any number of digits.
WIDE_QUANTITY = {"max_digits": None, "decimal_places": 3}
WIDE_MONEY = {"max_digits": None, "decimal_places": 2}


class MaterialMemberSerializer(MaterialPublicSerializer):
    """What network members see: costs and the shared store's numbers."""

    shared_on_hand = serializers.DecimalField(**WIDE_QUANTITY, read_only=True)
    shared_available = serializers.DecimalField(**WIDE_QUANTITY, read_only=True)
    max_on_hand = serializers.DecimalField(
        **QUANTITY,
        source="on_hand_ceiling",
        read_only=True,
        help_text="The most one shelf may hold (the unit's default unless set).",
    )
    below_reorder = serializers.SerializerMethodField()

    class Meta(MaterialPublicSerializer.Meta):
        fields = [
            *MaterialPublicSerializer.Meta.fields,
            "unit_cost",
            "reorder_point",
            "max_on_hand",
            "shared_on_hand",
            "shared_available",
            "below_reorder",
            "sheet_width_mm",
            "sheet_height_mm",
        ]
        read_only_fields = fields

    def get_below_reorder(self, material) -> bool:
        return material.reorder_point > 0 and material.shared_available < material.reorder_point


class MaterialWriteSerializer(serializers.ModelSerializer):
    serializer_field_mapping = STRICT_MAPPING

    class Meta:
        model = Material
        fields = [
            "sku",
            "name",
            "description",
            "unit",
            "category",
            "unit_cost",
            "reorder_point",
            "max_on_hand",
            "active",
            "sheet_width_mm",
            "sheet_height_mm",
        ]

    def validate_sku(self, value: str) -> str:
        if self.instance is not None and value != self.instance.sku:
            raise serializers.ValidationError("A material's SKU cannot change.")
        return value


class ProducerRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Producer
        fields = ["slug", "name"]


class StockLocationSerializer(serializers.ModelSerializer):
    producer = ProducerRefSerializer(read_only=True)

    class Meta:
        model = StockLocation
        fields = ["code", "name", "shared", "producer", "created_at"]
        read_only_fields = fields


class StockLocationWriteSerializer(serializers.ModelSerializer):
    producer = serializers.SlugRelatedField(slug_field="slug", queryset=Producer.objects.all())

    class Meta:
        model = StockLocation
        fields = ["code", "name", "shared", "producer"]

    def validate(self, attrs):
        producer = attrs.get("producer")
        if attrs.get("shared") and producer is not None and not producer.is_fablab:
            raise serializers.ValidationError(
                {"shared": "Only the Fab Lab's locations form the shared store."}
            )
        return attrs


class StockBalanceSerializer(serializers.ModelSerializer):
    material = serializers.SlugRelatedField(slug_field="sku", read_only=True)
    location = serializers.SlugRelatedField(slug_field="code", read_only=True)
    unit = serializers.CharField(source="material.unit", read_only=True)
    available = serializers.DecimalField(**QUANTITY, read_only=True)

    class Meta:
        model = StockBalance
        fields = ["material", "location", "unit", "on_hand", "reserved", "available", "updated_at"]
        read_only_fields = fields


class StockMovementSerializer(serializers.ModelSerializer):
    """A ledger row the caller just wrote, in full."""

    material = serializers.SlugRelatedField(slug_field="sku", read_only=True)
    location = serializers.SlugRelatedField(slug_field="code", read_only=True)
    producer = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    created_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = StockMovement
        fields = [
            "id",
            "kind",
            "material",
            "location",
            "quantity",
            "on_hand_after",
            "reserved_after",
            "unit_cost",
            "producer",
            "created_by",
            "reason",
            "reference",
            "created_at",
        ]
        read_only_fields = fields


class LedgerMovementSerializer(StockMovementSerializer):
    """A ledger row as `selectors.movements_visible_to` shows it: who, why and for whom
    are blank on other co-ops' rows, and customers never appear."""

    producer = serializers.CharField(source="shown_producer", read_only=True, allow_null=True)
    created_by = serializers.CharField(source="shown_by", read_only=True, allow_null=True)
    reason = serializers.CharField(source="shown_reason", read_only=True)
    reference = serializers.CharField(source="shown_reference", read_only=True)


# --- Operation inputs ---------------------------------------------------------


class VisibleLocationField(serializers.SlugRelatedField):
    """A location code among those the user may see; others read as unknown."""

    def __init__(self, **kwargs):
        super().__init__(slug_field="code", **kwargs)

    def get_queryset(self):
        return StockLocation.objects.visible_to(self.context["request"].user).select_related(
            "producer"
        )


class DestinationField(VisibleLocationField):
    """Where a transfer goes: the Fab Lab's staff hand shared stock to any co-op's shelf."""

    def get_queryset(self):
        user = self.context["request"].user
        if can_keep_shared_store(user):
            return StockLocation.objects.select_related("producer")
        return super().get_queryset()


class QuantityField(StrictDecimalField):
    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 0)
        super().__init__(**QUANTITY, **kwargs)


class _StockOperationSerializer(serializers.Serializer):
    material = serializers.SlugRelatedField(slug_field="sku", queryset=Material.objects.all())
    reason = serializers.CharField(max_length=240)

    quantity_field = "quantity"

    def validate(self, attrs):
        material = attrs.get("material")
        field = self.quantity_field
        if material is not None and field in attrs:
            allow_zero = field == "counted"
            try:
                attrs[field] = clean_quantity(material, attrs[field], allow_zero=allow_zero)
            except DjangoValidationError as error:
                raise serializers.ValidationError({field: error.message_dict["quantity"]}) from None
        return attrs


class ReceiptSerializer(_StockOperationSerializer):
    location = VisibleLocationField(queryset=StockLocation.objects.none())
    quantity = QuantityField()


class DrawdownSerializer(_StockOperationSerializer):
    location = VisibleLocationField(queryset=StockLocation.objects.none())
    quantity = QuantityField()
    producer = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Producer.objects.all(),
        required=False,
        help_text="Whom the material is for; defaults to your only producer.",
    )


class AdjustmentSerializer(_StockOperationSerializer):
    location = VisibleLocationField(queryset=StockLocation.objects.none())
    counted = QuantityField(help_text="What the count found on the shelf.")

    quantity_field = "counted"


class TransferSerializer(_StockOperationSerializer):
    source = VisibleLocationField(queryset=StockLocation.objects.none())
    destination = DestinationField(queryset=StockLocation.objects.none())
    quantity = QuantityField()

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if attrs.get("source") is not None and attrs.get("source") == attrs.get("destination"):
            raise serializers.ValidationError(
                {"destination": "Choose a different location from the source."}
            )
        return attrs


class StockOperationResultSerializer(serializers.Serializer):
    movements = StockMovementSerializer(many=True)
    balances = StockBalanceSerializer(many=True)


class UsageRowSerializer(serializers.Serializer):
    producer = serializers.CharField(source="producer__slug")
    producer_name = serializers.CharField(source="producer__name")
    material = serializers.CharField(source="material__sku")
    material_name = serializers.CharField(source="material__name")
    unit = serializers.CharField(source="material__unit")
    drawn_down = serializers.DecimalField(**WIDE_QUANTITY)
    consumed = serializers.DecimalField(**WIDE_QUANTITY)
    transferred_out = serializers.DecimalField(
        **WIDE_QUANTITY, help_text="Moved from the shared store to the producer's shelves."
    )
    written_off = serializers.DecimalField(
        **WIDE_QUANTITY, help_text="Counted missing in the shared store (the Fab Lab's rows)."
    )
    cost = serializers.DecimalField(**WIDE_MONEY)
    from_offcuts = serializers.DecimalField(
        **WIDE_QUANTITY, help_text="Offcuts put to use: leftovers instead of whole stock."
    )
    saved = serializers.DecimalField(
        **WIDE_MONEY, help_text="What those offcuts are worth at the unit cost then."
    )


class UsageReportSerializer(serializers.Serializer):
    month = serializers.CharField()
    rows = UsageRowSerializer(many=True)
    total_cost = serializers.DecimalField(**WIDE_MONEY)
    total_saved = serializers.DecimalField(
        **WIDE_MONEY, help_text="Material saved through offcuts, at its cost."
    )
