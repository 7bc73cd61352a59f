"""The only way stock changes.

Every function is one transaction that locks the balances it touches (in
primary-key order, through `catalog.lock_objects`), re-checks them under the
lock, changes them, and writes one ledger row per balance change. Callers may
nest them inside a larger transaction (placing an order reserves many lines).
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from backend.money import format_quantity
from catalog.caching import catalog_changed
from catalog.exceptions import CountBelowReserved, InsufficientStock, NothingReserved, Shortage
from catalog.lock_objects import balances_for_update
from catalog.models import Material, StockBalance, StockLocation, StockMovement
from catalog.services.reorder import after_stock_moved
from catalog.services.stock_guards import clean_quantity, require_keeper, require_plausible
from producers.models import Producer

Kind = StockMovement.Kind
ZERO = Decimal("0")


@dataclass(frozen=True)
class StockLine:
    material: Material
    location: StockLocation
    quantity: Decimal


def _who(user):
    return user if user is not None and user.is_authenticated else None


def _record(
    balance: StockBalance,
    *,
    kind: str,
    quantity: Decimal,
    on_hand: Decimal,
    reserved: Decimal,
    by,
    reason: str,
    producer: Producer | None,
    reference: str = "",
) -> StockMovement:
    """Write the new balance and its ledger row. The balance must be locked."""
    balance.on_hand, balance.reserved = on_hand, reserved
    balance.save(update_fields=["on_hand", "reserved", "updated_at"])
    material = balance.material
    return StockMovement.objects.create(
        balance=balance,
        material=material,
        location=balance.location,
        kind=kind,
        quantity=quantity,
        on_hand_after=on_hand,
        reserved_after=reserved,
        unit_cost=material.unit_cost,
        producer=producer,
        created_by=_who(by),
        reason=reason,
        reference=reference,
    )


def _record_many(entries: list[tuple[StockBalance, dict]]) -> list[StockMovement]:
    """Write many balances and their ledger rows in two statements. Balances must be locked."""
    now = timezone.now()
    movements = []
    for balance, change in entries:
        balance.on_hand, balance.reserved = change["on_hand"], change["reserved"]
        balance.updated_at = now
        material = balance.material
        movements.append(
            StockMovement(
                balance=balance,
                material=material,
                location=balance.location,
                kind=change["kind"],
                quantity=change["quantity"],
                on_hand_after=balance.on_hand,
                reserved_after=balance.reserved,
                unit_cost=material.unit_cost,
                producer=change["producer"],
                created_by=change["by"],
                reason=change["reason"],
                reference=change["reference"],
            )
        )
    StockBalance.objects.bulk_update(
        [balance for balance, _ in entries], ["on_hand", "reserved", "updated_at"]
    )
    catalog_changed()  # bulk updates send no signals; lists show stock
    return StockMovement.objects.bulk_create(movements)


def _locked(material: Material, location: StockLocation, *, create: bool = False) -> StockBalance:
    balances = balances_for_update([(material, location)], create=create)
    balance = balances.get((material.pk, location.pk))
    if balance is None:
        balance = StockBalance(material=material, location=location)
    balance.material, balance.location = material, location
    return balance


def _shortage(line: StockLine, available: Decimal) -> Shortage:
    return Shortage.of_material(
        line.material, location=line.location.code, requested=line.quantity, available=available
    )


def stock_receive(
    *,
    material: Material,
    location: StockLocation,
    quantity,
    by,
    reason: str,
    producer: Producer | None = None,
) -> StockMovement:
    """Put stock on a shelf (a delivery, a donation, a production run of finished goods).

    Locks the balance and writes it with one receipt row. Raises
    SharedStoreKeepersOnly when someone other than the Fab Lab's or platform staff
    receives into the shared store, ImplausibleQuantity beyond the material's ceiling.
    """
    quantity = clean_quantity(material, quantity)
    require_keeper(by, location)
    with transaction.atomic():
        balance = _locked(material, location, create=True)
        require_plausible(material, location, balance.on_hand + quantity)
        movement = _record(
            balance,
            kind=Kind.RECEIPT,
            quantity=quantity,
            on_hand=balance.on_hand + quantity,
            reserved=balance.reserved,
            by=by,
            reason=reason,
            producer=producer,
        )
        after_stock_moved([movement])
    return movement


def stock_draw_down(
    *,
    material: Material,
    location: StockLocation,
    quantity,
    by,
    reason: str,
    producer: Producer,
    reference: str = "",
) -> StockMovement:
    """Take stock off a shelf for a producer's use. Never takes what others have reserved.

    Raises InsufficientStock when less than `quantity` is available.
    """
    quantity = clean_quantity(material, quantity)
    with transaction.atomic():
        balance = _locked(material, location)
        if balance.available < quantity:
            line = StockLine(material, location, quantity)
            raise InsufficientStock(
                f"Only {format_quantity(balance.available)} {material.unit} of {material.name} "
                "is available.",
                shortages=[_shortage(line, balance.available)],
            )
        movement = _record(
            balance,
            kind=Kind.DRAWDOWN,
            quantity=-quantity,
            on_hand=balance.on_hand - quantity,
            reserved=balance.reserved,
            by=by,
            reason=reason,
            producer=producer,
            reference=reference,
        )
        after_stock_moved([movement])
    return movement


def stock_adjust_to_count(
    *,
    material: Material,
    location: StockLocation,
    counted,
    by,
    reason: str,
) -> StockMovement | None:
    """Set on-hand to what a count found, recording the difference. None when it matched.

    Locks the balance and writes it with one adjustment row. Raises
    CountBelowReserved when the count is below what open jobs hold,
    SharedStoreKeepersOnly when a co-op counts the shared store, ImplausibleQuantity
    beyond the material's ceiling.
    """
    counted = clean_quantity(material, counted, allow_zero=True)
    require_keeper(by, location)
    require_plausible(material, location, counted)
    with transaction.atomic():
        balance = _locked(material, location, create=True)
        difference = counted - balance.on_hand
        if difference == 0:
            return None
        if counted < balance.reserved:
            raise CountBelowReserved(
                counted=str(counted), reserved=str(balance.reserved), material=material.sku
            )
        movement = _record(
            balance,
            kind=Kind.ADJUSTMENT,
            quantity=difference,
            on_hand=counted,
            reserved=balance.reserved,
            by=by,
            reason=reason,
            producer=None,
        )
        after_stock_moved([movement])
    return movement


def stock_transfer(
    *,
    material: Material,
    source: StockLocation,
    destination: StockLocation,
    quantity,
    by,
    reason: str,
    producer: Producer | None = None,
) -> tuple[StockMovement, StockMovement]:
    """Move stock between two shelves: one row out, one row in, one reference.

    Locks both balances (in key order). Raises SharedStoreKeepersOnly when either
    shelf is in the shared store and `by` does not keep it, ImplausibleQuantity when
    the destination would exceed the material's ceiling.
    """
    quantity = clean_quantity(material, quantity)
    if source.pk == destination.pk:
        raise ValidationError({"destination": "Choose a different location from the source."})
    require_keeper(by, source, destination)
    with transaction.atomic():
        balances = balances_for_update([(material, source), (material, destination)], create=True)
        out_balance = balances[(material.pk, source.pk)]
        in_balance = balances[(material.pk, destination.pk)]
        out_balance.material = in_balance.material = material
        out_balance.location, in_balance.location = source, destination
        if out_balance.available < quantity:
            raise InsufficientStock(
                f"Only {format_quantity(out_balance.available)} {material.unit} of {material.name} "
                "is available.",
                shortages=[_shortage(StockLine(material, source, quantity), out_balance.available)],
            )
        require_plausible(material, destination, in_balance.on_hand + quantity)
        reference = f"transfer-{out_balance.pk}-{timezone.now().timestamp():.6f}"
        common = {"by": by, "reason": reason, "producer": producer, "reference": reference}
        out = _record(
            out_balance,
            kind=Kind.TRANSFER_OUT,
            quantity=-quantity,
            on_hand=out_balance.on_hand - quantity,
            reserved=out_balance.reserved,
            **common,
        )
        into = _record(
            in_balance,
            kind=Kind.TRANSFER_IN,
            quantity=quantity,
            on_hand=in_balance.on_hand + quantity,
            reserved=in_balance.reserved,
            **common,
        )
        after_stock_moved([out, into])
    return out, into


def _merged(lines: list[StockLine]) -> list[StockLine]:
    """One line per balance: two lines for the same shelf must be checked together."""
    totals: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    first: dict[tuple[int, int], StockLine] = {}
    for line in lines:
        key = (line.material.pk, line.location.pk)
        totals[key] += clean_quantity(line.material, line.quantity)
        first.setdefault(key, line)
    return [
        StockLine(first[key].material, first[key].location, totals[key]) for key in sorted(first)
    ]


def _lock_lines(lines: list[StockLine]) -> dict[tuple[int, int], StockBalance]:
    balances = balances_for_update([(line.material, line.location) for line in lines])
    for line in lines:
        balance = balances.get((line.material.pk, line.location.pk))
        if balance is not None:
            balance.material, balance.location = line.material, line.location
    return balances


def _move_lines(
    lines: list[StockLine],
    *,
    kind: str,
    room: Callable[[StockBalance], Decimal],
    on_short: Callable[[list[dict]], Exception],
    measure: str,
    by,
    reason: str,
    producer: Producer | None,
    reference: str,
) -> list[StockMovement]:
    """Lock the lines' balances, check each has `room` for its quantity, then move them all.

    All lines or none: `on_short` gets every line that does not fit and nothing is written.
    """
    lines = _merged(lines)
    with transaction.atomic():
        balances = _lock_lines(lines)
        short = []
        for line in lines:
            balance = balances.get((line.material.pk, line.location.pk))
            fits = room(balance) if balance else ZERO
            if fits < line.quantity:
                short.append(
                    {
                        "material": line.material.sku,
                        "location": line.location.code,
                        "requested": str(line.quantity),
                        measure: str(max(fits, ZERO)),
                    }
                )
        if short:
            raise on_short(short)
        common = {"by": _who(by), "reason": reason, "producer": producer, "reference": reference}
        entries = []
        for line in lines:
            balance = balances[(line.material.pk, line.location.pk)]
            held, taken = {
                Kind.RESERVE: (line.quantity, ZERO),
                Kind.RELEASE: (-line.quantity, ZERO),
                Kind.CONSUME: (-line.quantity, line.quantity),
            }[kind]
            change = {
                "kind": kind,
                "quantity": held,
                "on_hand": balance.on_hand - taken,
                "reserved": balance.reserved + held,
            }
            entries.append((balance, {**change, **common}))
        movements = _record_many(entries)
        after_stock_moved(movements)
    return movements


def stock_reserve(
    *,
    lines: list[StockLine],
    by,
    reason: str,
    producer: Producer | None = None,
    reference: str = "",
) -> list[StockMovement]:
    """Hold stock for a job: all lines or none.

    Raises InsufficientStock listing every line that cannot be met; nothing is
    written then.
    """
    materials = {line.material.sku: line.material for line in lines}
    return _move_lines(
        lines,
        kind=Kind.RESERVE,
        room=lambda balance: balance.available,
        on_short=lambda short: InsufficientStock(
            shortages=[Shortage.of_material(materials[s.pop("material")], **s) for s in short]
        ),
        measure="available",
        by=by,
        reason=reason,
        producer=producer,
        reference=reference,
    )


def _take_reserved(
    lines: list[StockLine], *, kind: str, by, reason: str, producer, reference: str
) -> list[StockMovement]:
    return _move_lines(
        lines,
        kind=kind,
        room=lambda balance: balance.reserved,
        on_short=lambda short: NothingReserved(lines=short),
        measure="reserved",
        by=by,
        reason=reason,
        producer=producer,
        reference=reference,
    )


def stock_release(
    *,
    lines: list[StockLine],
    by,
    reason: str,
    producer: Producer | None = None,
    reference: str = "",
) -> list[StockMovement]:
    """Give held stock back (an order expired or was cancelled, a job was declined)."""
    return _take_reserved(
        lines, kind=Kind.RELEASE, by=by, reason=reason, producer=producer, reference=reference
    )


def stock_consume(
    *,
    lines: list[StockLine],
    by,
    reason: str,
    producer: Producer | None = None,
    reference: str = "",
) -> list[StockMovement]:
    """Turn held stock into used stock when production starts: it leaves the shelf."""
    return _take_reserved(
        lines, kind=Kind.CONSUME, by=by, reason=reason, producer=producer, reference=reference
    )
