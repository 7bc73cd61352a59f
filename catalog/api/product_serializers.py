from decimal import Decimal

from django.conf import settings
from django.core.files.storage import default_storage
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from backend.fields import STRICT_MAPPING, StrictDecimalField
from catalog.api.serializers import ProducerRefSerializer
from catalog.design_selectors import current_design_files, files_are_public
from catalog.models import (
    QUANTITY,
    BillOfMaterialsLine,
    Category,
    Material,
    OptionValue,
    PersonalisationField,
    Product,
    ProductOption,
)
from catalog.services.products import PRODUCT_WRITE_FIELDS
from producers.models import Capability, Producer


class CategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["slug", "name", "description"]


class RenditionSerializer(serializers.Serializer):
    url = serializers.CharField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()


class ImageSummarySerializer(serializers.Serializer):
    url = serializers.CharField()
    alt_text = serializers.CharField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    renditions = RenditionSerializer(many=True)


class AvailabilitySerializer(serializers.Serializer):
    in_stock = serializers.BooleanField(help_text="Ready-made and on the shelf now.")
    quantity = serializers.DecimalField(
        **QUANTITY, allow_null=True, help_text="Units free to order (ready-made goods)."
    )
    can_make_now = serializers.BooleanField(
        allow_null=True,
        help_text="Made-to-order: some producer can take the materials now.",
    )
    lead_time_days = serializers.IntegerField(allow_null=True)


# Formats quantities exactly as `AvailabilitySerializer.quantity` does.
_QUANTITY = AvailabilitySerializer().fields["quantity"]


def first_image(product: Product) -> dict | None:
    cover = getattr(product, "cover", None)
    if not cover:
        return None
    return {
        "url": default_storage.url(cover["name"]),
        "alt_text": cover["alt_text"],
        "width": cover["width"],
        "height": cover["height"],
        "renditions": [
            {"url": default_storage.url(r["name"]), "width": r["width"], "height": r["height"]}
            for r in cover["renditions"] or []
        ],
    }


def availability(product: Product) -> dict:
    if product.made_to_order:
        return {
            "in_stock": False,
            "quantity": None,
            "can_make_now": getattr(product, "can_make_now", None),
            "lead_time_days": product.lead_time_days,
        }
    quantity = product.stock_available
    return {
        "in_stock": quantity > 0,
        "quantity": quantity,
        "can_make_now": None,
        "lead_time_days": None,
    }


class ProductSerializer(serializers.ModelSerializer):
    """A product as lists show it: producer, category, price, availability, first picture."""

    producer = ProducerRefSerializer(read_only=True)
    category = CategorySerializer(read_only=True, allow_null=True)
    availability = serializers.SerializerMethodField()
    image = serializers.SerializerMethodField()

    class Meta:
        model = Product
        fields = [
            "slug",
            "title",
            "description",
            "producer",
            "category",
            "price",
            "status",
            "fulfilment",
            "lead_time_days",
            "open_design",
            "availability",
            "image",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(AvailabilitySerializer)
    def get_availability(self, product: Product) -> dict:
        shown = availability(product)
        if shown["quantity"] is not None:
            shown["quantity"] = _QUANTITY.to_representation(shown["quantity"])
        return shown

    @extend_schema_field(ImageSummarySerializer(allow_null=True))
    def get_image(self, product: Product) -> dict | None:
        return first_image(product)

    def to_representation(self, product: Product) -> dict:
        # A list page renders up to 100 of these: build the dict directly instead
        # of walking DRF's per-field machinery. The fields above still describe
        # the shape (and the schema); a test holds the two outputs equal.
        fields = self.fields
        category = product.category and {
            "slug": product.category.slug,
            "name": product.category.name,
            "description": product.category.description,
        }
        return {
            "slug": product.slug,
            "title": product.title,
            "description": product.description,
            "producer": {"slug": product.producer.slug, "name": product.producer.name},
            "category": category,
            "price": fields["price"].to_representation(product.price),
            "status": product.status,
            "fulfilment": product.fulfilment,
            "lead_time_days": product.lead_time_days,
            "open_design": product.open_design,
            "availability": self.get_availability(product),
            "image": first_image(product),
            "created_at": fields["created_at"].to_representation(product.created_at),
        }


class BillOfMaterialsLineSerializer(serializers.ModelSerializer):
    material = serializers.SlugRelatedField(slug_field="sku", read_only=True)
    material_name = serializers.CharField(source="material.name", read_only=True)
    unit = serializers.CharField(source="material.unit", read_only=True)

    class Meta:
        model = BillOfMaterialsLine
        fields = [
            "material",
            "material_name",
            "unit",
            "quantity",
            "min_offcut_width_mm",
            "min_offcut_height_mm",
            "min_offcut_amount",
        ]
        read_only_fields = fields


class OptionValueSerializer(serializers.ModelSerializer):
    class Meta:
        model = OptionValue
        fields = ["label", "price_delta"]
        read_only_fields = fields


class ProductOptionSerializer(serializers.ModelSerializer):
    values = OptionValueSerializer(many=True, read_only=True)

    class Meta:
        model = ProductOption
        fields = ["name", "values"]
        read_only_fields = fields


class PersonalisationFieldSerializer(serializers.ModelSerializer):
    class Meta:
        model = PersonalisationField
        fields = ["label", "max_length", "required"]
        read_only_fields = fields


class DesignFileSerializer(serializers.Serializer):
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=["svg", "dxf", "stl", "3mf", "pdf"])
    version = serializers.IntegerField()
    size = serializers.IntegerField(help_text="Bytes.")
    sha256 = serializers.CharField()
    url = serializers.URLField(
        allow_null=True,
        help_text="Where anyone may download it; null when the licence keeps the files private "
        "(the co-op a job is routed to gets signed links with the job).",
    )


class ProductDetailSerializer(ProductSerializer):
    required_capabilities = serializers.SlugRelatedField(
        slug_field="slug", many=True, read_only=True
    )
    images = serializers.SerializerMethodField()
    bill_of_materials = BillOfMaterialsLineSerializer(source="bom_lines", many=True, read_only=True)
    options = ProductOptionSerializer(
        many=True,
        read_only=True,
        help_text="What to choose when ordering: send `options` as `{name: label}` on the line.",
    )
    personalisation = PersonalisationFieldSerializer(
        source="personal_fields",
        many=True,
        read_only=True,
        help_text="Text to type when ordering: send `personalisation` as `{label: text}`.",
    )

    design_files = serializers.SerializerMethodField(
        help_text="The newest version of each design file: everyone sees them when the licence "
        "shares them, the producer's members always."
    )

    def to_representation(self, product: Product) -> dict:
        return serializers.ModelSerializer.to_representation(self, product)

    class Meta(ProductSerializer.Meta):
        fields = [
            *ProductSerializer.Meta.fields,
            "required_capabilities",
            "machine_minutes",
            "licence",
            "design_files",
            "images",
            "bill_of_materials",
            "options",
            "personalisation",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(DesignFileSerializer(many=True))
    def get_design_files(self, product: Product) -> list[dict]:
        public = files_are_public(product)
        if not public and not self.context.get("member"):
            return []
        return [
            {
                "name": design.name,
                "kind": design.kind,
                "version": design.version,
                "size": design.size,
                "sha256": design.sha256,
                "url": settings.SITE_URL
                + reverse("frontend:product_design", args=[product.slug, design.pk])
                if public
                else None,
            }
            for design in current_design_files([product.pk]).get(product.pk, [])
        ]

    @extend_schema_field(ImageSummarySerializer(many=True))
    def get_images(self, product: Product) -> list[dict]:
        return [
            {
                "url": image.image.url,
                "alt_text": image.alt_text,
                "width": image.width,
                "height": image.height,
                "renditions": [
                    {
                        "url": default_storage.url(r["name"]),
                        "width": r["width"],
                        "height": r["height"],
                    }
                    for r in image.renditions
                ],
            }
            for image in product.images.all()
        ]


class ProductWriteSerializer(serializers.ModelSerializer):
    """What a producer's members set. The producer comes from who is asking, never the body."""

    serializer_field_mapping = STRICT_MAPPING

    category = serializers.SlugRelatedField(
        slug_field="slug", queryset=Category.objects.all(), required=False, allow_null=True
    )
    required_capabilities = serializers.SlugRelatedField(
        slug_field="slug", many=True, queryset=Capability.objects.all(), required=False
    )
    producer = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Producer.objects.all(),
        required=False,
        help_text="Only needed by someone who belongs to several producers (or staff).",
    )

    class Meta:
        model = Product
        fields = [*PRODUCT_WRITE_FIELDS, "required_capabilities", "producer"]
        extra_kwargs = {"slug": {"required": False}, "price": {"min_value": Decimal("0.01")}}

    def validate(self, attrs):
        fulfilment = attrs.get("fulfilment", getattr(self.instance, "fulfilment", "stock"))
        open_design = attrs.get("open_design", getattr(self.instance, "open_design", False))
        if open_design and fulfilment != Product.Fulfilment.MADE_TO_ORDER:
            raise serializers.ValidationError(
                {"open_design": "Only made-to-order goods can be open designs."}
            )
        return attrs


class BillOfMaterialsInputLineSerializer(serializers.Serializer):
    material = serializers.SlugRelatedField(
        slug_field="sku", queryset=Material.objects.raw_materials()
    )
    quantity = StrictDecimalField(**QUANTITY, min_value=Decimal("0.001"))
    # "May use an offcut at least this size": sheet goods by width × height in mm, spools
    # and rolls by what is left. Absent: whole stock only.
    min_offcut_width_mm = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=100_000
    )
    min_offcut_height_mm = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=100_000
    )
    min_offcut_amount = StrictDecimalField(
        **QUANTITY, required=False, allow_null=True, min_value=Decimal("0.001")
    )


class BillOfMaterialsInputSerializer(serializers.Serializer):
    lines = BillOfMaterialsInputLineSerializer(many=True, allow_empty=True)


class ProductStockInputSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=["receipt", "count"])
    quantity = StrictDecimalField(
        **QUANTITY, min_value=Decimal("0"), help_text="Units made (receipt) or counted (count)."
    )
    reason = serializers.CharField(max_length=240)
