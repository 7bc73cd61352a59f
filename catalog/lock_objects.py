"""Every row lock the catalog takes, in one place and one order.

Balances are always locked in primary-key order, so two transactions that
touch the same balances queue behind each other instead of deadlocking.
"""

from collections.abc import Iterable
from functools import reduce
from operator import or_

from django.db.models import Q

from catalog.models import Material, Offcut, StockBalance, StockLocation

BalanceKey = tuple[int, int]


def _lock(keys: list[BalanceKey]) -> dict[BalanceKey, StockBalance]:
    match = reduce(or_, (Q(material_id=m, location_id=loc) for m, loc in keys))
    locked = StockBalance.objects.filter(match).select_for_update(of=("self",)).order_by("pk")
    return {(b.material_id, b.location_id): b for b in locked}


def balances_for_update(
    pairs: Iterable[tuple[Material, StockLocation]], *, create: bool = False
) -> dict[BalanceKey, StockBalance]:
    """Lock the balance of each material × location pair.

    With `create`, missing balances are created first (at zero); a concurrent
    creator of the same row makes ours a no-op through the unique constraint.
    Without it, a missing balance is simply absent from the result.
    """
    keys = sorted({(material.pk, location.pk) for material, location in pairs})
    if not keys:
        return {}
    locked = _lock(keys)
    missing = [key for key in keys if key not in locked]
    if create and missing:
        StockBalance.objects.bulk_create(
            [StockBalance(material_id=m, location_id=loc) for m, loc in missing],
            ignore_conflicts=True,
        )
        # Lock again, all together and in order, now that every row exists.
        locked = _lock(keys)
    return locked


def offcuts_for_update(pks: Iterable[int]) -> dict[int, Offcut]:
    """Lock these offcuts in primary-key order. Take the balance's lock first: a piece is
    always locked after the shelf it lies on."""
    locked = (
        Offcut.objects.filter(pk__in=sorted(set(pks)))
        .select_for_update(of=("self",))
        .select_related("material", "location")
        .order_by("pk")
    )
    return {offcut.pk: offcut for offcut in locked}
