"""Reads about offcuts shared by the API, the workbench and the reconcile command."""

from decimal import Decimal

from django.db.models import Q, QuerySet, Sum

from catalog.models import Material, Offcut, StockBalance, StockMovement

THOUSANDTH = Decimal("0.001")


def offcut_search(
    *,
    user,
    material: Material | None = None,
    min_width_mm: int | None = None,
    min_height_mm: int | None = None,
    min_amount: Decimal | None = None,
    status: str | None = Offcut.Status.AVAILABLE,
) -> QuerySet[Offcut]:
    """Offcuts the user may see (the shared store's and their own co-ops'), smallest first.

    A minimum size matches pieces at least that big either way round; `status=None`
    lists every piece, used and discarded ones included.
    """
    pieces = Offcut.objects.visible_to(user).select_related(
        "material", "location__producer", "created_by"
    )
    if material is not None:
        pieces = pieces.filter(material=material)
    if status:
        pieces = pieces.filter(status=status)
    if min_width_mm or min_height_mm:
        width, height = min_width_mm or 1, min_height_mm or 1
        pieces = pieces.filter(
            Q(width_mm__gte=width, height_mm__gte=height)
            | Q(width_mm__gte=height, height_mm__gte=width)
        )
    if min_amount:
        pieces = pieces.filter(quantity__gte=min_amount)
    return pieces.order_by("material__name", "quantity", "pk")


def offcut_history(offcut: Offcut) -> QuerySet[StockMovement]:
    """Every ledger row about one piece, oldest first."""
    return StockMovement.objects.filter(reference=offcut.reference).order_by("created_at", "pk")


def offcut_materials() -> QuerySet[Material]:
    """Materials that can have offcuts: sheet goods with a sheet size, spools and rolls."""
    return (
        Material.objects.raw_materials()
        .active()
        .filter(
            Q(sheet_width_mm__isnull=False, unit__in=["sheet", "m2"]) | Q(unit__in=["kg", "g", "m"])
        )
        .order_by("name", "pk")
    )


def offcut_drift() -> list[dict]:
    """Balances whose offcuts disagree with the ledger or with what the shelf holds.

    For each balance the `offcut_*` ledger rows must add up to the pieces still on the
    rack, and those pieces can never be more than is on hand.
    """
    ledger = {
        row["balance_id"]: Decimal(row["total"]).quantize(THOUSANDTH)
        for row in StockMovement.objects.filter(kind__in=StockMovement.OFFCUT_KINDS)
        .order_by()
        .values("balance_id")
        .annotate(total=Sum("quantity"))
    }
    pieces = {
        (row["material_id"], row["location_id"]): Decimal(row["total"]).quantize(THOUSANDTH)
        for row in Offcut.objects.on_the_rack()
        .order_by()
        .values("material_id", "location_id")
        .annotate(total=Sum("quantity"))
    }
    drift = []
    balances = StockBalance.objects.select_related("material", "location").order_by("pk")
    with_pieces = Q(pk__in=list(ledger))
    for material_id, location_id in pieces:
        with_pieces |= Q(material_id=material_id, location_id=location_id)
    for balance in balances.filter(with_pieces):
        on_rack = pieces.get((balance.material_id, balance.location_id), Decimal("0.000"))
        in_ledger = ledger.get(balance.pk, Decimal("0.000"))
        if on_rack != in_ledger or on_rack > balance.on_hand:
            drift.append(
                {
                    "balance": balance,
                    "on_the_rack": on_rack,
                    "ledger": in_ledger,
                    "on_hand": balance.on_hand,
                }
            )
    return drift
