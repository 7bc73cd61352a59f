"""Residents who asked to be told when a sold-out product is back."""

from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

from catalog.models.products import Product


class BackInStockRequest(models.Model):
    """One address to email, once, when a sold-out ready-made product is on sale again.

    Pending while `notified_at` is empty; one pending request per product and address
    (any letter case). Kept after the email goes, so the address can ask again later.
    """

    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="back_in_stock_requests"
    )
    email = models.EmailField()
    created_at = models.DateTimeField(auto_now_add=True)
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                "product",
                Lower("email"),
                condition=Q(notified_at__isnull=True),
                name="back_in_stock_one_pending_per_email",
            ),
        ]
        indexes = [
            models.Index(
                Lower("email"), condition=Q(notified_at__isnull=True), name="back_in_stock_pending"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} waits for {self.product}"
