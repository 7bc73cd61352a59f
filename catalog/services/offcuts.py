"""Offcuts: record the usable pieces left on the rack, use them, throw them away.

An offcut is part of what a balance already holds (a job or a drawdown took only what
it used; the rest of the sheet is still counted), recorded as one piece with its size
and its place on the rack. Every change locks the balance first, then the piece
(`catalog.lock_objects`), and writes its ledger rows in the same transaction:

- recording writes an `offcut_in` row (+ the piece), which moves neither on-hand nor
  reserved: the balance stays equal to the ledger, and the `offcut_*` rows of a
  balance always add up to the pieces still on its rack;
- drawing down writes a `drawdown` (what was used leaves the shelf) and an
  `offcut_used` row; a job that used the piece consumes through its reservation;
- discarding writes an `adjustment` (the piece leaves the shelf as scrap) and an
  `offcut_gone` row.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum

from backend.money import format_quantity
from catalog.exceptions import InsufficientStock, OffcutBeyondStock, OffcutUnavailable, Shortage
from catalog.lock_objects import balances_for_update, offcuts_for_update
from catalog.models import Material, Offcut, StockBalance, StockLocation, StockMovement, Unit
from catalog.services.reorder import after_stock_moved
from catalog.services.stock import _locked, _record, _who, stock_draw_down
from catalog.services.stock_guards import clean_quantity
from producers.models import Producer

Kind = StockMovement.Kind
ZERO = Decimal("0")
THOUSANDTH = Decimal("0.001")
MM2_PER_M2 = Decimal("1000000")
MOST_MM = 100_000  # 100 m: no sheet is longer


def offcut_measure(
    material: Material, *, width_mm=None, height_mm=None, amount=None
) -> tuple[int | None, int | None, Decimal]:
    """The piece's size and what it is in the material's unit, or ValidationError by field.

    Sheet goods are measured width × height in mm, never larger than one whole sheet
    (either way round); spools and rolls by what is left on them.
    """
    shape = material.offcut_shape
    if not shape:
        raise ValidationError(
            {
                "material": f"{material.name} has no offcuts: they are kept for sheet goods "
                "with a sheet size and for spools and rolls."
            }
        )
    if shape == "amount":
        if width_mm not in (None, "") or height_mm not in (None, ""):
            raise ValidationError({"width_mm": "Give what is left, not a size, for this material."})
        if amount in (None, ""):
            raise ValidationError({"amount": f"Say how much is left, in {material.unit}."})
        try:
            return None, None, clean_quantity(material, amount)
        except ValidationError as error:
            raise ValidationError({"amount": error.message_dict["quantity"]}) from None
    if amount not in (None, ""):
        raise ValidationError({"amount": "Give the width and height of the piece instead."})
    width, height = _mm(width_mm, "width_mm"), _mm(height_mm, "height_mm")
    sheet_w, sheet_h = material.sheet_width_mm, material.sheet_height_mm
    fits = (width <= sheet_w and height <= sheet_h) or (width <= sheet_h and height <= sheet_w)
    if not fits:
        raise ValidationError(
            {
                "width_mm": f"A {width} × {height} mm piece is larger than a whole sheet of "
                f"{material.name} ({sheet_w} × {sheet_h} mm)."
            }
        )
    if {width, height} == {sheet_w, sheet_h}:
        raise ValidationError({"width_mm": "That is a whole sheet, not an offcut."})
    area = Decimal(width * height)
    whole = MM2_PER_M2 if material.unit == Unit.M2 else Decimal(sheet_w * sheet_h)
    quantity = (area / whole).quantize(THOUSANDTH, rounding=ROUND_HALF_UP)
    if quantity <= 0:
        raise ValidationError({"width_mm": "That piece is too small to keep."})
    return width, height, quantity


@dataclass(frozen=True)
class OffcutFit:
    """What a bill of materials line may be cut from: a piece at least this big."""

    width_mm: int | None = None
    height_mm: int | None = None
    amount: Decimal | None = None

    def as_fields(self) -> dict:
        return {
            "min_offcut_width_mm": self.width_mm,
            "min_offcut_height_mm": self.height_mm,
            "min_offcut_amount": self.amount,
        }

    @classmethod
    def of(cls, line) -> "OffcutFit | None":
        if not line.may_use_offcut:
            return None
        return cls(line.min_offcut_width_mm, line.min_offcut_height_mm, line.min_offcut_amount)


def offcut_fit_clean(
    material: Material, *, width_mm=None, height_mm=None, amount=None
) -> OffcutFit | None:
    """The smallest piece a BOM line may use, checked against the material; None for
    whole stock only. ValidationError by field (`min_offcut_width_mm`, ...)."""
    given = [value not in (None, "") for value in (width_mm, height_mm, amount)]
    if not any(given):
        return None
    shape = material.offcut_shape
    if not shape:
        raise ValidationError(
            {"min_offcut_width_mm": f"{material.name} has no offcuts: leave the size blank."}
        )
    if shape == "amount":
        if given[0] or given[1]:
            raise ValidationError(
                {"min_offcut_amount": f"Give how much must be left, in {material.unit}."}
            )
        try:
            return OffcutFit(amount=clean_quantity(material, amount))
        except ValidationError as error:
            raise ValidationError({"min_offcut_amount": error.message_dict["quantity"]}) from None
    if given[2]:
        raise ValidationError({"min_offcut_width_mm": "Give the smallest width and height."})
    width = _mm(width_mm, "min_offcut_width_mm")
    height = _mm(height_mm, "min_offcut_height_mm")
    sheet_w, sheet_h = material.sheet_width_mm, material.sheet_height_mm
    if not ((width <= sheet_w and height <= sheet_h) or (width <= sheet_h and height <= sheet_w)):
        raise ValidationError(
            {
                "min_offcut_width_mm": f"No offcut of {material.name} is {width} × {height} mm: "
                f"a whole sheet is {sheet_w} × {sheet_h} mm."
            }
        )
    return OffcutFit(width_mm=width, height_mm=height)


def _mm(value, field: str) -> int:
    if value in (None, ""):
        raise ValidationError({field: "Enter a size in millimetres."})
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationError({field: "Enter a whole number of millimetres."}) from None
    if number <= 0:
        raise ValidationError({field: "Enter a size greater than zero."})
    if number > MOST_MM:
        raise ValidationError({field: "That size is too large."})
    return number


def _text(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value


def on_the_rack(material: Material, location: StockLocation) -> Decimal:
    """What of this balance is recorded as pieces still on the rack."""
    total = (
        Offcut.objects.on_the_rack()
        .filter(material=material, location=location)
        .aggregate(total=Sum("quantity"))["total"]
    )
    return Decimal(total or 0).quantize(THOUSANDTH)


def _mark(
    balance: StockBalance, offcut: Offcut, *, kind: str, quantity: Decimal, by, reason, producer
):
    return _record(
        balance,
        kind=kind,
        quantity=quantity,
        on_hand=balance.on_hand,
        reserved=balance.reserved,
        by=by,
        reason=reason,
        producer=producer,
        reference=offcut.reference,
    )


def offcut_record(
    *,
    material: Material,
    location: StockLocation,
    kept_at: str,
    source: str,
    by,
    width_mm=None,
    height_mm=None,
    amount=None,
) -> Offcut:
    """Record a usable piece a job or a drawdown left on the rack.

    Locks the balance, checks the piece is part of what it holds beyond the pieces
    already recorded, then writes the offcut and its `offcut_in` row. Raises
    ValidationError (by field) for a size that is zero, negative or larger than the
    sheet, OffcutBeyondStock when the shelf does not hold that much more.
    """
    width, height, quantity = offcut_measure(
        material, width_mm=width_mm, height_mm=height_mm, amount=amount
    )
    kept_at = _text(kept_at, "kept_at", "Say where on the rack it is kept.")
    source = _text(source, "source", "Say which job or drawdown left it.")
    with transaction.atomic():
        balance = _locked(material, location)
        free = balance.on_hand - on_the_rack(material, location)
        if quantity > free:
            raise OffcutBeyondStock(
                f"{location.name} holds {format_quantity(max(free, ZERO))} {material.unit} of "
                f"{material.name} beyond the offcuts already recorded; this piece is "
                f"{format_quantity(quantity)} {material.unit}. Record a receipt or a count first.",
                material=material.sku,
                location=location.code,
                requested=str(quantity),
                available=str(max(free, ZERO)),
            )
        offcut = Offcut.objects.create(
            material=material,
            location=location,
            width_mm=width,
            height_mm=height,
            quantity=quantity,
            kept_at=kept_at,
            source=source,
            created_by=_who(by),
        )
        _mark(
            balance,
            offcut,
            kind=Kind.OFFCUT_IN,
            quantity=quantity,
            by=_who(by),
            reason=f"Offcut #{offcut.pk} ({offcut.size_label}) from {source}, kept at {kept_at}",
            producer=None,
        )
    return offcut


def _lock_piece(offcut: Offcut) -> tuple[StockBalance, Offcut]:
    """The balance, then the piece, locked; the piece must still be free to use."""
    balance = _locked(offcut.material, offcut.location)
    locked = offcuts_for_update([offcut.pk])[offcut.pk]
    if locked.status != Offcut.Status.AVAILABLE:
        raise OffcutUnavailable(
            f"Offcut #{locked.pk} is {locked.get_status_display().lower()}.",
            offcut=locked.pk,
            status=locked.status,
        )
    return balance, locked


def offcut_draw_down(
    *, offcut: Offcut, by, reason: str, producer: Producer, quantity=None
) -> Offcut:
    """Use a piece (or part of a spool) for a producer: it leaves the rack.

    Locks the balance, then the piece. Writes a `drawdown` of what was used and an
    `offcut_used` row: a sheet piece is used up (record its leftover as a new offcut),
    a spool keeps what is left. Raises OffcutUnavailable unless the piece is on the
    rack, InsufficientStock when open jobs hold what it is part of.
    """
    reason = _text(reason, "reason", "Say what it is for.")
    with transaction.atomic():
        balance, piece = _lock_piece(offcut)
        used = piece.quantity
        if quantity not in (None, ""):
            used = clean_quantity(piece.material, quantity)
        if used > piece.quantity:
            raise ValidationError(
                {"quantity": f"Offcut #{piece.pk} holds {format_quantity(piece.quantity)} only."}
            )
        stock_draw_down(
            material=piece.material,
            location=piece.location,
            quantity=used,
            by=by,
            reason=f"Offcut #{piece.pk}: {reason}",
            producer=producer,
            reference=piece.reference,
        )
        balance.refresh_from_db(fields=["on_hand", "reserved"])
        gone = piece.quantity if piece.is_sheet or used == piece.quantity else used
        _mark(
            balance,
            piece,
            kind=Kind.OFFCUT_USED,
            quantity=-gone,
            by=_who(by),
            reason=f"Offcut #{piece.pk}: {reason}",
            producer=producer,
        )
        if gone == piece.quantity:
            piece.status = Offcut.Status.USED
        else:
            piece.quantity -= gone
        piece.save(update_fields=["status", "quantity", "updated_at"])
    return piece


def offcut_discard(*, offcut: Offcut, reason: str, by) -> Offcut:
    """Throw a piece away with a reason: it leaves the shelf as scrap.

    Locks the balance, then the piece. Writes an `adjustment` taking it off the shelf
    and an `offcut_gone` row. Raises OffcutUnavailable unless the piece is on the
    rack, InsufficientStock when open jobs hold what it is part of.
    """
    reason = _text(reason, "reason", "Say why it is thrown away.")[:200]
    with transaction.atomic():
        balance, piece = _lock_piece(offcut)
        if balance.available < piece.quantity:
            raise InsufficientStock(
                f"Open jobs hold {piece.material.name} on {piece.location.name}: release them "
                "before throwing this piece away.",
                shortages=[
                    Shortage.of_material(
                        piece.material,
                        location=piece.location.code,
                        requested=piece.quantity,
                        available=balance.available,
                    )
                ],
            )
        why = f"Offcut #{piece.pk} discarded: {reason}"
        scrapped = _record(
            balance,
            kind=Kind.ADJUSTMENT,
            quantity=-piece.quantity,
            on_hand=balance.on_hand - piece.quantity,
            reserved=balance.reserved,
            by=by,
            reason=why,
            producer=None,
            reference=piece.reference,
        )
        _mark(
            balance,
            piece,
            kind=Kind.OFFCUT_GONE,
            quantity=-piece.quantity,
            by=_who(by),
            reason=why,
            producer=None,
        )
        piece.status, piece.discard_reason = Offcut.Status.DISCARDED, reason
        piece.save(update_fields=["status", "discard_reason", "updated_at"])
        after_stock_moved([scrapped])
    return piece


# --- Jobs: hold the smallest piece that fits, give it back or use it ---------------------


def offcuts_hold_fitting(
    *,
    material: Material,
    location: StockLocation,
    count: int,
    at_least: Decimal,
    width_mm: int | None = None,
    height_mm: int | None = None,
    amount: Decimal | None = None,
) -> list[Offcut]:
    """Hold up to `count` pieces that fit, smallest first, for a job's reservation.

    Locks the balance (the caller's `stock_reserve` already holds it in the same
    transaction), then the candidates; each is taken by a conditional update from
    available to reserved, so two jobs never hold the same piece. Writes no ledger
    row: the job's reservation already holds the quantity on the balance.
    """
    if count <= 0 or not (width_mm or amount):
        return []
    with transaction.atomic():
        balances_for_update([(material, location)])
        candidates = list(
            Offcut.objects.filter(
                material=material,
                location=location,
                status=Offcut.Status.AVAILABLE,
                quantity__gte=at_least,
            )
            .fitting(width_mm=width_mm, height_mm=height_mm, amount=amount)
            .smallest_first()
            .values_list("pk", flat=True)[:count]
        )
        locked = offcuts_for_update(candidates)
        held = []
        for pk in candidates:
            taken = Offcut.objects.filter(pk=pk, status=Offcut.Status.AVAILABLE).update(
                status=Offcut.Status.RESERVED
            )
            if taken == 1:
                piece = locked[pk]
                piece.status = Offcut.Status.RESERVED
                held.append(piece)
    return held


def offcuts_release(*, offcut_ids: list[int]) -> int:
    """Put held pieces back on the rack (their job was declined or cancelled)."""
    if not offcut_ids:
        return 0
    with transaction.atomic():
        offcuts_for_update(offcut_ids)
        return Offcut.objects.filter(pk__in=offcut_ids, status=Offcut.Status.RESERVED).update(
            status=Offcut.Status.AVAILABLE
        )


def offcuts_use(*, offcut_ids: list[int], by, reason: str, producer: Producer | None) -> None:
    """Held pieces go into production: each is used, with its `offcut_used` row.

    Locks the pieces' balances, then the pieces (the caller consumed the job's
    reservation in the same transaction).
    """
    if not offcut_ids:
        return
    with transaction.atomic():
        pieces = Offcut.objects.filter(pk__in=offcut_ids).select_related("material", "location")
        balances = balances_for_update([(p.material, p.location) for p in pieces])
        for piece in offcuts_for_update(offcut_ids).values():
            if piece.status != Offcut.Status.RESERVED:
                continue
            balance = balances[(piece.material_id, piece.location_id)]
            balance.material, balance.location = piece.material, piece.location
            _mark(
                balance,
                piece,
                kind=Kind.OFFCUT_USED,
                quantity=-piece.quantity,
                by=_who(by),
                reason=f"Offcut #{piece.pk}: {reason}",
                producer=producer,
            )
            piece.status = Offcut.Status.USED
            piece.save(update_fields=["status", "updated_at"])
