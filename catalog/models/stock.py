"""Materials, shelves, balances and the stock ledger."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q

from backend.ledgers import AppendOnlyModel
from producers import permissions

QUANTITY = {"max_digits": 14, "decimal_places": 3}
# The most one shelf may ever be set to hold, whatever the material: sums of many
# shelves and their costs stay far inside what reads can show.
MOST_ON_A_SHELF = Decimal("1000000000")
# The output field of sums over many shelves and months: wide enough for any of them.
WIDE_QTY = models.DecimalField(max_digits=40, decimal_places=3)


class Unit(models.TextChoices):
    EACH = "each", "each"
    SHEET = "sheet", "sheet"
    KG = "kg", "kg"
    G = "g", "g"
    M = "m", "m"
    M2 = "m2", "m²"


# What one shelf plausibly holds when a material does not say: a count beyond it is
# a typo or an attack, not a delivery.
DEFAULT_MAX_ON_HAND = {
    Unit.EACH: Decimal("100000"),
    Unit.SHEET: Decimal("10000"),
    Unit.KG: Decimal("100000"),
    Unit.G: Decimal("100000000"),
    Unit.M: Decimal("100000"),
    Unit.M2: Decimal("100000"),
}


class MaterialQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)

    def raw_materials(self):
        """Materials proper: not the finished-goods counts of stock products."""
        return self.exclude(category=Material.Category.FINISHED_GOODS)


class Material(models.Model):
    """Something the network stocks and draws down: a plywood sheet, a filament spool."""

    class Category(models.TextChoices):
        SHEET_GOODS = "sheet_goods", "Sheet goods"
        FILAMENT = "filament", "Filament"
        FABRIC = "fabric", "Fabric"
        HARDWARE = "hardware", "Hardware"
        FINISHES = "finishes", "Finishes and glue"
        GARDEN = "garden", "Garden supplies"
        OTHER = "other", "Other"
        # A product's own finished-goods count: kept in the same ledger.
        FINISHED_GOODS = "finished_goods", "Finished goods"

    sku = models.CharField(
        max_length=40,
        unique=True,
        validators=[
            RegexValidator(
                r"^[A-Z0-9][A-Z0-9-]*$",
                "Use capital letters, digits and dashes, e.g. PLY-BIRCH-3MM.",
            )
        ],
    )
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    unit = models.CharField(max_length=8, choices=Unit.choices)
    category = models.CharField(max_length=20, choices=Category.choices, default=Category.OTHER)
    unit_cost = models.DecimalField(
        max_digits=12,
        decimal_places=4,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text="What one unit costs the network, in USD.",
    )
    reorder_point = models.DecimalField(
        **QUANTITY,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text="Alert the Fab Lab when the shared store's available quantity falls below this.",
    )
    max_on_hand = models.DecimalField(
        **QUANTITY,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.001")), MaxValueValidator(MOST_ON_A_SHELF)],
        help_text="The most one shelf may plausibly hold; blank for the unit's default.",
    )
    active = models.BooleanField(default=True)
    # Sheet goods only: the size of one whole sheet, so that an offcut's size says what
    # part of a sheet it is.
    sheet_width_mm = models.PositiveIntegerField(
        null=True, blank=True, help_text="Sheet goods: the width of one whole sheet, in mm."
    )
    sheet_height_mm = models.PositiveIntegerField(
        null=True, blank=True, help_text="Sheet goods: the height of one whole sheet, in mm."
    )
    # Set when the shared store's available quantity crossed below the reorder
    # point, cleared when it is back: one alert per crossing, not per movement.
    low_stock_since = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MaterialQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(unit__in=Unit.values), name="material_unit_valid"),
            models.CheckConstraint(condition=Q(unit_cost__gte=0), name="material_unit_cost_gte_0"),
            models.CheckConstraint(
                condition=Q(reorder_point__gte=0), name="material_reorder_point_gte_0"
            ),
            models.CheckConstraint(
                condition=Q(max_on_hand__isnull=True)
                | Q(max_on_hand__gt=0, max_on_hand__lte=MOST_ON_A_SHELF),
                name="material_max_on_hand_plausible",
            ),
            models.CheckConstraint(
                condition=Q(sheet_width_mm__isnull=True, sheet_height_mm__isnull=True)
                | Q(sheet_width_mm__gt=0, sheet_height_mm__gt=0),
                name="material_sheet_size_whole",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.sku})"

    @property
    def on_hand_ceiling(self) -> Decimal:
        """The most one shelf of this material may hold."""
        if self.max_on_hand is not None:
            return self.max_on_hand
        return DEFAULT_MAX_ON_HAND.get(self.unit, DEFAULT_MAX_ON_HAND[Unit.EACH])

    @property
    def whole_units_only(self) -> bool:
        return self.unit == Unit.EACH

    @property
    def has_sheet_size(self) -> bool:
        return bool(self.sheet_width_mm and self.sheet_height_mm)

    @property
    def offcut_shape(self) -> str:
        """How an offcut of it is measured: "sheet" (width × height in mm), "amount" (what is
        left of a spool or roll, in the material's unit) or "" (no offcuts: counted goods)."""
        if self.has_sheet_size and self.unit in (Unit.SHEET, Unit.M2):
            return "sheet"
        if self.unit in (Unit.KG, Unit.G, Unit.M):
            return "amount"
        return ""

    def clean(self) -> None:
        if (self.sheet_width_mm is None) != (self.sheet_height_mm is None):
            raise ValidationError(
                {"sheet_height_mm": "Give both the width and the height of a sheet, or neither."}
            )


class StockLocationQuerySet(models.QuerySet):
    def shared(self):
        return self.filter(shared=True)

    def visible_to(self, user):
        """The shared store plus the locations of the user's own producers."""
        if permissions.is_platform_staff(user):
            return self
        return self.filter(Q(shared=True) | Q(producer_id__in=permissions.producer_ids_for(user)))


class StockLocation(models.Model):
    """A shelf, room or store owned by a producer. The Fab Lab's store is `shared`."""

    producer = models.ForeignKey(
        "producers.Producer", on_delete=models.PROTECT, related_name="stock_locations"
    )
    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=120)
    shared = models.BooleanField(
        default=False, help_text="Part of the Fab Lab's shared store, open to every co-op."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = StockLocationQuerySet.as_manager()

    class Meta:
        ordering = ["-shared", "producer__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["producer", "name"], name="location_name_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.name} — {self.producer}"

    def clean(self) -> None:
        if self.shared and self.producer_id and not self.producer.is_fablab:
            raise ValidationError({"shared": "Only the Fab Lab's locations form the shared store."})


class StockBalance(models.Model):
    """What is on one shelf of one material. Changed only by `catalog.stock` services."""

    material = models.ForeignKey(Material, on_delete=models.PROTECT, related_name="balances")
    location = models.ForeignKey(StockLocation, on_delete=models.PROTECT, related_name="balances")
    on_hand = models.DecimalField(**QUANTITY, default=Decimal("0"))
    reserved = models.DecimalField(**QUANTITY, default=Decimal("0"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["material__name", "location__name"]
        constraints = [
            models.UniqueConstraint(fields=["material", "location"], name="balance_unique"),
            models.CheckConstraint(condition=Q(on_hand__gte=0), name="balance_on_hand_gte_0"),
            models.CheckConstraint(condition=Q(reserved__gte=0), name="balance_reserved_gte_0"),
            models.CheckConstraint(
                condition=Q(reserved__lte=F("on_hand")), name="balance_reserved_lte_on_hand"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.material.sku} @ {self.location.code}: {self.on_hand} ({self.reserved} held)"

    @property
    def available(self) -> Decimal:
        return self.on_hand - self.reserved


class MovementKind(models.TextChoices):
    RECEIPT = "receipt", "Receipt"
    DRAWDOWN = "drawdown", "Drawdown"
    ADJUSTMENT = "adjustment", "Count adjustment"
    TRANSFER_OUT = "transfer_out", "Transfer out"
    TRANSFER_IN = "transfer_in", "Transfer in"
    RESERVE = "reserve", "Reservation"
    RELEASE = "release", "Release of a reservation"
    CONSUME = "consume", "Consumed in production"
    # Offcuts: part of what is on hand recorded as a piece of a given size, and that piece
    # gone again (used or discarded). They change neither on-hand nor reserved.
    OFFCUT_IN = "offcut_in", "Offcut recorded"
    OFFCUT_USED = "offcut_used", "Offcut used"
    OFFCUT_GONE = "offcut_gone", "Offcut discarded"


class StockMovement(AppendOnlyModel):
    """One change to one balance. Rows are never edited or deleted."""

    Kind = MovementKind

    # Which measure each kind changes, by its signed quantity. Consuming takes
    # from both: the reserved units leave the shelf.
    ON_HAND_KINDS = frozenset(
        {"receipt", "drawdown", "adjustment", "transfer_out", "transfer_in", "consume"}
    )
    RESERVED_KINDS = frozenset({"reserve", "release", "consume"})
    # What part of on-hand is recorded as offcuts still on the rack (available or held).
    OFFCUT_KINDS = frozenset({"offcut_in", "offcut_used", "offcut_gone"})

    balance = models.ForeignKey(StockBalance, on_delete=models.PROTECT, related_name="movements")
    material = models.ForeignKey(Material, on_delete=models.PROTECT, related_name="movements")
    location = models.ForeignKey(StockLocation, on_delete=models.PROTECT, related_name="movements")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    quantity = models.DecimalField(**QUANTITY, help_text="Signed change.")
    on_hand_after = models.DecimalField(**QUANTITY)
    reserved_after = models.DecimalField(**QUANTITY)
    unit_cost = models.DecimalField(max_digits=12, decimal_places=4, help_text="At the time.")
    producer = models.ForeignKey(
        "producers.Producer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="stock_movements",
        help_text="The producer the stock was for.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="stock_movements",
    )
    reason = models.CharField(max_length=240)
    # Ties the two rows of a transfer, or the rows of one order's reservations.
    reference = models.CharField(max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["material", "location", "created_at"]),
            models.Index(fields=["producer", "kind", "created_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=MovementKind.values), name="movement_kind_valid"
            ),
            models.CheckConstraint(condition=~Q(quantity=0), name="movement_quantity_nonzero"),
            models.CheckConstraint(
                condition=Q(on_hand_after__gte=0, reserved_after__gte=0),
                name="movement_after_gte_0",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.get_kind_display()} {self.quantity} {self.material.sku} @ {self.location.code}"
        )

    @property
    def on_hand_change(self) -> Decimal:
        return self.quantity if self.kind in self.ON_HAND_KINDS else Decimal("0")

    @property
    def reserved_change(self) -> Decimal:
        return self.quantity if self.kind in self.RESERVED_KINDS else Decimal("0")
