"""Low-stock alerts: the shared store's materials watched against their reorder points."""

from decimal import Decimal

from django.db.models import F, Sum
from django.utils import timezone

from catalog.models import WIDE_QTY, Material, StockBalance, StockMovement
from catalog.services.back_in_stock import goods_may_be_back
from catalog.tasks import send_low_stock_alert

ZERO = Decimal("0")


def reorder_points_check(materials: set[Material]) -> None:
    """Raise one low-stock alert per crossing below the reorder point, not per movement.

    A couple of queries whatever the number of materials: one sum over the
    shared store, one look at which were not yet low, and a conditional update
    per material that actually crosses (rare).
    """
    watched = {m.pk: m for m in materials if m.reorder_point > 0}
    if not watched:
        return
    # Lock the materials (after their balances, always in this order) so two
    # movements on different shared shelves cannot both miss the crossing.
    list(
        Material.objects.select_for_update(of=("self",))
        .filter(pk__in=watched)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    rows = (
        StockBalance.objects.filter(material_id__in=watched, location__shared=True)
        .order_by()
        .values("material_id")
        # As wide as a sum of many shelves can be (see selectors.WIDE_QTY).
        .annotate(available=Sum(F("on_hand") - F("reserved"), output_field=WIDE_QTY))
    )
    available = {row["material_id"]: row["available"] for row in rows}
    low = {pk for pk, m in watched.items() if available.get(pk, ZERO) < m.reorder_point}
    if low:
        newly_low = Material.objects.filter(pk__in=low, low_stock_since__isnull=True)
        for pk in newly_low.values_list("pk", flat=True):
            # The conditional update is the gate: exactly one transaction wins it.
            crossed = Material.objects.filter(pk=pk, low_stock_since__isnull=True).update(
                low_stock_since=timezone.now()
            )
            if crossed:
                send_low_stock_alert.enqueue(material_id=pk, available=str(available.get(pk, ZERO)))
    recovered = set(watched) - low
    if recovered:
        Material.objects.filter(pk__in=recovered, low_stock_since__isnull=False).update(
            low_stock_since=None
        )


def after_stock_moved(movements: list[StockMovement]) -> None:
    """Watch the shared store: movements there may cross a reorder point either way.
    Watch finished goods: residents may be waiting for them to be back."""
    reorder_points_check({m.material for m in movements if m.location.shared})
    goods_may_be_back(movements)
