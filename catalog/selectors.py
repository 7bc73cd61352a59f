"""Reads shared by the API and the storefront."""

import datetime
from decimal import Decimal

from django.db.models import (
    Case,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from catalog.models import Material, StockBalance, StockLocation, StockMovement
from producers import permissions

QTY = DecimalField(max_digits=14, decimal_places=3)
MONEY = DecimalField(max_digits=18, decimal_places=4)


def material_list() -> QuerySet[Material]:
    """Materials with what the shared store holds and has free (`shared_available`)."""
    shared = StockBalance.objects.filter(material=OuterRef("pk"), location__shared=True)
    return Material.objects.annotate(
        shared_on_hand=Coalesce(
            Sum("balances__on_hand", filter=Q(balances__location__shared=True)),
            Value(Decimal("0")),
            output_field=QTY,
        ),
        shared_available=Coalesce(
            Sum(
                F("balances__on_hand") - F("balances__reserved"),
                filter=Q(balances__location__shared=True),
            ),
            Value(Decimal("0")),
            output_field=QTY,
        ),
        in_shared_store=Exists(shared.filter(on_hand__gt=F("reserved"))),
    ).order_by("name", "pk")  # Meta.ordering does not apply to aggregated queries


def materials_below_reorder(materials: QuerySet[Material]) -> QuerySet[Material]:
    return materials.filter(reorder_point__gt=0, shared_available__lt=F("reorder_point"))


def locations_visible_to(user) -> QuerySet[StockLocation]:
    return StockLocation.objects.visible_to(user).select_related("producer")


def balances_visible_to(user) -> QuerySet[StockBalance]:
    return StockBalance.objects.filter(
        location__in=StockLocation.objects.visible_to(user)
    ).select_related("material", "location__producer")


def movements_visible_to(user) -> QuerySet[StockMovement]:
    return StockMovement.objects.filter(
        location__in=StockLocation.objects.visible_to(user)
    ).select_related("material", "location", "producer", "created_by")


USAGE_KINDS = [StockMovement.Kind.DRAWDOWN, StockMovement.Kind.CONSUME]


def materials_usage(*, month: datetime.date, user) -> list[dict]:
    """What each producer drew down and consumed in a month, with its cost at the time.

    Fab Lab staff and platform staff see every producer; a co-op member sees
    their own producers' rows.
    """
    start = month.replace(day=1)
    end = (start + datetime.timedelta(days=32)).replace(day=1)
    movements = StockMovement.objects.filter(
        kind__in=USAGE_KINDS,
        created_at__date__gte=start,
        created_at__date__lt=end,
        producer__isnull=False,
    )
    if not (permissions.is_platform_staff(user) or permissions.is_fablab_staff(user)):
        movements = movements.filter(producer_id__in=permissions.producer_ids_for(user))
    # Ledger quantities are negative for both kinds: usage is their opposite.
    used = ExpressionWrapper(-F("quantity"), output_field=QTY)
    cost = ExpressionWrapper(-F("quantity") * F("unit_cost"), output_field=MONEY)
    rows = (
        movements.values(
            "producer__slug",
            "producer__name",
            "material__sku",
            "material__name",
            "material__unit",
        )
        .annotate(
            drawn_down=Coalesce(
                Sum(Case(When(kind="drawdown", then=used))), Value(Decimal("0")), output_field=QTY
            ),
            consumed=Coalesce(
                Sum(Case(When(kind="consume", then=used))), Value(Decimal("0")), output_field=QTY
            ),
            cost=Coalesce(Sum(cost), Value(Decimal("0")), output_field=MONEY),
        )
        .order_by("producer__name", "material__name")
    )
    return list(rows)


def ledger_totals(*, pks: list[int] | None = None) -> dict[int, tuple[Decimal, Decimal]]:
    """What the ledger says each balance holds: {balance id: (on hand, reserved)}."""
    on_hand_kinds = list(StockMovement.ON_HAND_KINDS)
    reserved_kinds = list(StockMovement.RESERVED_KINDS)
    movements = StockMovement.objects.all()
    if pks is not None:
        movements = movements.filter(balance_id__in=pks)
    rows = (
        movements.order_by()
        .values("balance_id")
        .annotate(
            on_hand=Coalesce(
                Sum("quantity", filter=Q(kind__in=on_hand_kinds)),
                Value(Decimal("0")),
                output_field=QTY,
            ),
            reserved=Coalesce(
                Sum("quantity", filter=Q(kind__in=reserved_kinds)),
                Value(Decimal("0")),
                output_field=QTY,
            ),
        )
    )
    return {row["balance_id"]: (row["on_hand"], row["reserved"]) for row in rows}
