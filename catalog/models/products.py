"""The catalog of goods: categories, products, their pictures and bills of materials."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from catalog.models.designs import Licence
from catalog.models.stock import QUANTITY, Material
from producers import permissions


class Category(models.Model):
    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=80, unique=True)
    description = models.CharField(max_length=240, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


class ProductQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Product.Status.PUBLISHED)

    def visible_to(self, user):
        """Published goods for everyone; members also see their own producers' drafts."""
        if permissions.is_platform_staff(user):
            return self
        own = permissions.producer_ids_for(user)
        if not own:
            return self.published()
        return self.filter(Q(status=Product.Status.PUBLISHED) | Q(producer_id__in=own))


class Product(models.Model):
    """Something a producer makes and sells."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        # Off sale for now (the co-op is away, the machine is down); back on sale at a click.
        PAUSED = "paused", "Paused"
        ARCHIVED = "archived", "Archived"

    class Fulfilment(models.TextChoices):
        STOCK = "stock", "Ready-made, from stock"
        MADE_TO_ORDER = "made_to_order", "Made to order"

    producer = models.ForeignKey(
        "producers.Producer", on_delete=models.PROTECT, related_name="products"
    )
    title = models.CharField(max_length=160)
    slug = models.SlugField(max_length=180, unique=True)
    description = models.TextField(blank=True)
    category = models.ForeignKey(
        Category, on_delete=models.SET_NULL, null=True, blank=True, related_name="products"
    )
    price = models.DecimalField(
        max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    fulfilment = models.CharField(
        max_length=14, choices=Fulfilment.choices, default=Fulfilment.STOCK
    )
    lead_time_days = models.PositiveSmallIntegerField(
        default=0,
        validators=[MaxValueValidator(365)],
        help_text="Days to make one (made to order).",
    )
    open_design = models.BooleanField(
        default=False, help_text="Any active producer with the required capabilities may make it."
    )
    required_capabilities = models.ManyToManyField(
        "producers.Capability", blank=True, related_name="products"
    )
    # What a resident may do with the design; the files are public only under an open licence.
    licence = models.CharField(
        max_length=20, choices=Licence.choices, default=Licence.ALL_RIGHTS_RESERVED
    )
    # Machine time one item takes on a machine giving a required capability: routing
    # prefers co-ops that can get that much time before the job is due.
    machine_minutes = models.PositiveIntegerField(
        default=0,
        validators=[MaxValueValidator(24 * 60)],
        help_text="Minutes of machine time to make one (laser, CNC, printer …).",
    )
    # The finished-goods count of a `stock` product, kept in the stock ledger.
    stock_item = models.OneToOneField(
        Material,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="product",
    )
    # Free finished goods at or below this are flagged on the co-op's stock page.
    low_stock_level = models.PositiveIntegerField(
        default=2,
        validators=[MaxValueValidator(100_000)],
        help_text="Flag the product when this few or fewer are free to sell (ready-made goods).",
    )
    # Title, description, category and producer name, kept by the product
    # services for full-text search (a GIN index on PostgreSQL).
    search_text = models.TextField(blank=True, editable=False)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProductQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # Each sort of the list, ending in the id, so a page (or a cursor) is a
            # range read from one index.
            models.Index(fields=["status", "-created_at", "-id"], name="product_status_newest"),
            models.Index(fields=["status", "price", "id"], name="product_status_price"),
            models.Index(fields=["status", "title", "id"], name="product_status_title"),
            models.Index(fields=["producer", "status"], name="product_producer_status"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(price__gt=0), name="product_price_gt_0"),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "published", "paused", "archived"]),
                name="product_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(fulfilment__in=["stock", "made_to_order"]),
                name="product_fulfilment_valid",
            ),
            models.CheckConstraint(
                condition=Q(open_design=False) | Q(fulfilment="made_to_order"),
                name="product_open_design_made_to_order",
            ),
            models.CheckConstraint(
                condition=Q(lead_time_days__lte=365), name="product_lead_time_lte_365"
            ),
            models.CheckConstraint(
                condition=Q(licence__in=Licence.values), name="product_licence_valid"
            ),
            models.CheckConstraint(
                condition=Q(low_stock_level__lte=100_000), name="product_low_stock_level_lte_100000"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.open_design and self.fulfilment != self.Fulfilment.MADE_TO_ORDER:
            raise ValidationError({"open_design": "Only made-to-order goods can be open designs."})

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def made_to_order(self) -> bool:
        return self.fulfilment == self.Fulfilment.MADE_TO_ORDER


def product_image_path(image: "ProductImage", filename: str) -> str:
    return f"products/{image.product_id}/{filename}"


class ProductImage(models.Model):
    """A picture of a product, re-encoded without metadata, with WebP renditions."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images")
    position = models.PositiveSmallIntegerField(default=0)
    alt_text = models.CharField(
        max_length=200, help_text="What the picture shows, for screen readers."
    )
    image = models.ImageField(
        upload_to=product_image_path, width_field="width", height_field="height"
    )
    width = models.PositiveIntegerField(editable=False, default=0)
    height = models.PositiveIntegerField(editable=False, default=0)
    # [{"name": storage name, "width": px, "height": px, "format": "webp"}], smallest first.
    renditions = models.JSONField(default=list, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["product", "position"], name="image_product_position")]

    def __str__(self) -> str:
        return f"{self.product} — {self.alt_text}"


class BillOfMaterialsLine(models.Model):
    """How much of a material one unit of a made-to-order product takes."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="bom_lines")
    material = models.ForeignKey(Material, on_delete=models.PROTECT, related_name="bom_lines")
    quantity = models.DecimalField(
        **QUANTITY, validators=[MinValueValidator(Decimal("0.001"))], help_text="Per unit made."
    )
    # "May use an offcut at least this size": sheet goods by width × height, spools and
    # rolls by what is left on them (in the material's unit). Blank: whole stock only.
    min_offcut_width_mm = models.PositiveIntegerField(
        null=True, blank=True, help_text="May use an offcut at least this wide (mm)."
    )
    min_offcut_height_mm = models.PositiveIntegerField(
        null=True, blank=True, help_text="May use an offcut at least this high (mm)."
    )
    min_offcut_amount = models.DecimalField(
        **QUANTITY,
        null=True,
        blank=True,
        help_text="May use a spool or roll end with at least this much left.",
    )

    class Meta:
        ordering = ["material__name"]
        verbose_name = "bill of materials line"
        constraints = [
            models.UniqueConstraint(fields=["product", "material"], name="bom_line_unique"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="bom_quantity_gt_0"),
            models.CheckConstraint(
                condition=Q(min_offcut_width_mm__isnull=True, min_offcut_height_mm__isnull=True)
                | Q(min_offcut_width_mm__gt=0, min_offcut_height_mm__gt=0),
                name="bom_offcut_size_whole",
            ),
            models.CheckConstraint(
                condition=Q(min_offcut_amount__isnull=True) | Q(min_offcut_amount__gt=0),
                name="bom_offcut_amount_gt_0",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product}: {self.quantity} {self.material.unit} {self.material.name}"

    @property
    def may_use_offcut(self) -> bool:
        return bool(self.min_offcut_width_mm or self.min_offcut_amount)
