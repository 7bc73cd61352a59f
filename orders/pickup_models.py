from django.db import models
from django.db.models import Q


class PickupPointQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)


class PickupPoint(models.Model):
    """A place where the parts of one order, made by several co-ops, are gathered for the
    resident to collect at once. Its keeper's people receive the parts and hand them over."""

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=120, unique=True)
    address = models.CharField(max_length=240)
    opening_hours = models.CharField(
        max_length=240, help_text="When residents may collect, e.g. Tue–Sat 10 am–6 pm."
    )
    keeper = models.ForeignKey(
        "producers.Producer",
        on_delete=models.PROTECT,
        related_name="pickup_points",
        help_text="The producer whose people receive the parts and hand orders over.",
    )
    active = models.BooleanField(default=True, help_text="Residents may choose it for new orders.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PickupPointQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=~Q(address=""), name="pickup_point_has_address"),
        ]

    def __str__(self) -> str:
        return self.name
