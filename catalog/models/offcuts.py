"""Offcuts: the usable pieces a job or a drawdown leaves on the rack.

An offcut is part of a balance's on-hand quantity recorded as one piece of a given
size: width × height in mm for sheet goods, what is left for spools and rolls. Its
`quantity` is that piece in the material's unit (for sheets, the share of a whole
sheet), so the pooled balance stays true. Changed only by `catalog.services.offcuts`.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from backend.money import to_money
from catalog.models.stock import QUANTITY, Material, StockLocation
from producers import permissions


class OffcutQuerySet(models.QuerySet):
    def on_the_rack(self):
        """Still a piece somewhere: free to use, or held for a job."""
        return self.filter(status__in=Offcut.LIVE)

    def visible_to(self, user):
        """Offcuts on the shared store's racks and on the user's own producers' shelves."""
        if permissions.is_platform_staff(user):
            return self
        own = permissions.producer_ids_for(user)
        return self.filter(Q(location__shared=True) | Q(location__producer_id__in=own))

    def fitting(self, *, width_mm=None, height_mm=None, amount=None):
        """Pieces at least `width_mm` × `height_mm` (either way round) or with `amount` left."""
        pieces = self
        if width_mm and height_mm:
            pieces = pieces.filter(
                Q(width_mm__gte=width_mm, height_mm__gte=height_mm)
                | Q(width_mm__gte=height_mm, height_mm__gte=width_mm)
            )
        if amount:
            pieces = pieces.filter(quantity__gte=amount)
        return pieces

    def smallest_first(self):
        return self.order_by("quantity", "pk")


class Offcut(models.Model):
    class Status(models.TextChoices):
        AVAILABLE = "available", "On the rack"
        RESERVED = "reserved", "Held for a job"
        USED = "used", "Used"
        DISCARDED = "discarded", "Discarded"

    LIVE = (Status.AVAILABLE, Status.RESERVED)

    material = models.ForeignKey(Material, on_delete=models.PROTECT, related_name="offcuts")
    location = models.ForeignKey(StockLocation, on_delete=models.PROTECT, related_name="offcuts")
    width_mm = models.PositiveIntegerField(null=True, blank=True)
    height_mm = models.PositiveIntegerField(null=True, blank=True)
    quantity = models.DecimalField(
        **QUANTITY, help_text="The piece in the material's unit (sheets: the share of a sheet)."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.AVAILABLE)
    source = models.CharField(max_length=120, help_text="The job or drawdown that left it.")
    kept_at = models.CharField(max_length=120, help_text="Where on the rack it is kept.")
    discard_reason = models.CharField(max_length=240, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="offcuts",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OffcutQuerySet.as_manager()

    class Meta:
        ordering = ["material__name", "quantity", "pk"]
        indexes = [models.Index(fields=["material", "location", "status", "quantity"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["available", "reserved", "used", "discarded"]),
                name="offcut_status_valid",
            ),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="offcut_quantity_gt_0"),
            models.CheckConstraint(
                condition=Q(width_mm__isnull=True, height_mm__isnull=True)
                | Q(width_mm__gt=0, height_mm__gt=0),
                name="offcut_size_whole",
            ),
            models.CheckConstraint(
                condition=~Q(status="discarded") | ~Q(discard_reason=""),
                name="offcut_discard_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"Offcut #{self.pk}: {self.size_label} {self.material.name}"

    @property
    def is_sheet(self) -> bool:
        return self.width_mm is not None

    @property
    def size_label(self) -> str:
        """ "300 × 200 mm" for a sheet piece, "0.350 kg" for a spool end."""
        if self.is_sheet:
            return f"{self.width_mm} × {self.height_mm} mm"
        return f"{self.quantity.normalize():f} {self.material.get_unit_display()}"

    @property
    def area_mm2(self) -> int | None:
        return self.width_mm * self.height_mm if self.is_sheet else None

    @property
    def value(self) -> Decimal:
        return to_money(self.quantity * self.material.unit_cost)

    @property
    def reference(self) -> str:
        return f"offcut-{self.pk}"
