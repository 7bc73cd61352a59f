"""The community fund: an append-only ledger of what came in and what went out.

Every settled sale credits its community share once; every disbursement debits
what it paid; staff adjust with a reason. The balance is the sum of the entries
and is stored nowhere else.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from backend.ledgers import AppendOnlyModel
from backend.money import MONEY


class FundEntry(AppendOnlyModel):
    """One change to the fund. Rows are never edited or deleted (on PostgreSQL a
    trigger refuses it too); a mistake is put right by an adjustment."""

    class Kind(models.TextChoices):
        SALE = "sale", "Share of a sale"
        DISBURSEMENT = "disbursement", "Disbursement"
        ADJUSTMENT = "adjustment", "Adjustment"

    class Source(models.TextChoices):
        PAYOUT = "payout", "Card sale (payout)"
        COUNTER_PAYMENT = "counter_payment", "Paid at pickup (counter payment)"
        DISBURSEMENT = "disbursement", "Disbursement"
        STAFF = "staff", "Staff"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    # Credits are positive, debits negative: the balance is a plain sum.
    amount = models.DecimalField(**MONEY)
    reason = models.CharField(max_length=500)
    source = models.CharField(max_length=20, choices=Source.choices)
    # The id of the payout, counter payment or disbursement this entry records.
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    # For a sale's share: whose sale it was (kept if the co-op's rows change later).
    producer = models.ForeignKey(
        "producers.Producer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="fund_entries",
    )
    job = models.ForeignKey(
        "orders.Job", on_delete=models.PROTECT, null=True, blank=True, related_name="fund_entries"
    )
    # The sale the share was taken from (for a sale's share), for the public page.
    sale = models.DecimalField(**MONEY, null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "fund entry"
        verbose_name_plural = "fund entries"
        constraints = [
            # A settled sale, a disbursement: each is written into the ledger once.
            models.UniqueConstraint(
                fields=["source", "source_id"],
                condition=Q(source_id__isnull=False),
                name="fund_entry_once_per_source",
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind="sale", amount__gte=0)
                    | Q(kind="disbursement", amount__lt=0)
                    | (Q(kind="adjustment") & ~Q(amount=0))
                ),
                name="fund_entry_sign_fits_kind",
            ),
            models.CheckConstraint(
                condition=~Q(kind="adjustment") | Q(created_by__isnull=False),
                name="fund_adjustment_has_author",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.amount}"


class Disbursement(AppendOnlyModel):
    """Money paid out of the fund for something the community chose."""

    amount = models.DecimalField(**MONEY)
    paid_to = models.CharField(max_length=200)
    purpose = models.CharField(max_length=500)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="disbursement_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.amount} to {self.paid_to}"


# Participatory budgeting lives in its own module; imported here so Django finds its models.
from community.budgeting_models import Ballot, Phase, Proposal, Round  # noqa: E402

__all__ = ["Ballot", "Disbursement", "FundEntry", "Phase", "Proposal", "Round"]
