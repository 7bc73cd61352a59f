"""Offcuts: recorded on the ledger, searched, drawn down and discarded, reconcile holds."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from catalog.exceptions import InsufficientStock, OffcutBeyondStock, OffcutUnavailable
from catalog.models import Offcut, StockBalance, StockMovement, Unit
from catalog.offcut_selectors import offcut_drift, offcut_history, offcut_search
from catalog.selectors import ledger_totals
from catalog.services.offcuts import offcut_discard, offcut_draw_down, offcut_record
from catalog.services.stock import StockLine, stock_draw_down, stock_receive, stock_reserve
from tests.factories import MaterialFactory, ProducerFactory, SharedLocationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def rack():
    return SharedLocationFactory(code="sheet-rack", name="Sheet rack")


@pytest.fixture
def birch(rack):
    """Birch plywood, 1220 × 2440 mm sheets, 3 on the rack."""
    material = MaterialFactory(
        sku="PLY-BIRCH", name="Birch plywood", sheet_width_mm=1220, sheet_height_mm=2440
    )
    stock_receive(material=material, location=rack, quantity="3", by=None, reason="delivery")
    return material


@pytest.fixture
def filament(rack):
    material = MaterialFactory(sku="PLA", name="PLA filament", unit=Unit.KG)
    stock_receive(material=material, location=rack, quantity="2", by=None, reason="delivery")
    return material


@pytest.fixture
def keeper():
    return UserFactory(is_staff=True)


def record(material, location, by, **size):
    return offcut_record(
        material=material, location=location, kept_at="Bin B", source="Job 7", by=by, **size
    )


def balance_of(material, location):
    return StockBalance.objects.get(material=material, location=location)


def assert_reconciles(material, location):
    balance = balance_of(material, location)
    assert ledger_totals(pks=[balance.pk])[balance.pk] == (balance.on_hand, balance.reserved)
    assert offcut_drift() == []


def test_recording_a_sheet_offcut_keeps_its_share_of_a_sheet_on_the_ledger(birch, rack, keeper):
    offcut = record(birch, rack, keeper, width_mm=610, height_mm=1220)

    assert offcut.quantity == Decimal("0.250")
    assert offcut.status == Offcut.Status.AVAILABLE
    assert offcut.size_label == "610 × 1220 mm"
    row = offcut_history(offcut).get()
    assert (row.kind, row.quantity, row.created_by) == ("offcut_in", Decimal("0.250"), keeper)
    assert "Bin B" in row.reason
    assert "Job 7" in row.reason
    # The piece was already part of what the rack holds: on hand does not move.
    assert balance_of(birch, rack).on_hand == Decimal("3.000")
    assert_reconciles(birch, rack)


def test_a_spool_end_is_recorded_by_what_is_left(filament, rack, keeper):
    offcut = record(filament, rack, keeper, amount="0.350")

    assert (offcut.width_mm, offcut.quantity) == (None, Decimal("0.350"))
    assert offcut.size_label == "0.35 kg"


@pytest.mark.parametrize(
    ("size", "field"),
    [
        ({"width_mm": 1300, "height_mm": 2500}, "width_mm"),  # larger than the sheet
        ({"width_mm": 2500, "height_mm": 100}, "width_mm"),  # longer than either side
        ({"width_mm": 0, "height_mm": 300}, "width_mm"),
        ({"width_mm": 300, "height_mm": -5}, "height_mm"),
        ({"width_mm": 300}, "height_mm"),
        ({"width_mm": 1220, "height_mm": 2440}, "width_mm"),  # a whole sheet
        ({"amount": "0.5"}, "amount"),  # sheets are measured, not weighed
    ],
)
def test_a_bad_sheet_size_is_refused_and_nothing_is_saved(birch, rack, keeper, size, field):
    rows = StockMovement.objects.count()

    with pytest.raises(ValidationError) as caught:
        record(birch, rack, keeper, **size)

    assert field in caught.value.message_dict
    assert not Offcut.objects.exists()
    assert StockMovement.objects.count() == rows


@pytest.mark.parametrize("amount", ["0", "-0.2", None, "abc"])
def test_a_bad_spool_amount_is_refused_and_nothing_is_saved(filament, rack, keeper, amount):
    with pytest.raises(ValidationError) as caught:
        record(filament, rack, keeper, amount=amount)

    assert "amount" in caught.value.message_dict
    assert not Offcut.objects.exists()


def test_a_piece_turned_round_still_fits_the_sheet(birch, rack, keeper):
    offcut = record(birch, rack, keeper, width_mm=2000, height_mm=600)

    assert offcut.quantity == Decimal("0.403")


def test_counted_goods_have_no_offcuts(rack, keeper):
    screws = MaterialFactory(unit=Unit.EACH)
    stock_receive(material=screws, location=rack, quantity="10", by=None, reason="in")

    with pytest.raises(ValidationError) as caught:
        record(screws, rack, keeper, amount="3")

    assert "material" in caught.value.message_dict


def test_offcuts_never_record_more_than_the_shelf_holds(filament, rack, keeper):
    record(filament, rack, keeper, amount="1.5")

    with pytest.raises(OffcutBeyondStock) as caught:
        record(filament, rack, keeper, amount="0.6")

    assert caught.value.extra["available"] == "0.500"
    assert Offcut.objects.count() == 1
    assert_reconciles(filament, rack)


def test_search_finds_pieces_at_least_the_size_asked_either_way_round(birch, rack, keeper):
    small = record(birch, rack, keeper, width_mm=300, height_mm=200)
    tall = record(birch, rack, keeper, width_mm=400, height_mm=900)
    wide = record(birch, rack, keeper, width_mm=1000, height_mm=500)
    other = MaterialFactory(sheet_width_mm=600, sheet_height_mm=400)
    stock_receive(material=other, location=rack, quantity="1", by=None, reason="in")
    record(other, rack, keeper, width_mm=500, height_mm=300)

    found = offcut_search(user=keeper, material=birch, min_width_mm=800, min_height_mm=350)

    assert list(found) == [tall, wide]  # smallest first
    assert small not in offcut_search(user=keeper, material=birch, min_width_mm=301)
    assert offcut_search(user=keeper).count() == 4


def test_a_coop_sees_the_shared_rack_and_its_own_shelves_only(birch, rack, keeper):
    from tests.factories import MembershipFactory, StockLocationFactory

    coop, stranger = ProducerFactory(), ProducerFactory()
    mine, theirs = StockLocationFactory(producer=coop), StockLocationFactory(producer=stranger)
    for shelf in (mine, theirs):
        stock_receive(material=birch, location=shelf, quantity="1", by=None, reason="in")
    shared = record(birch, rack, keeper, width_mm=300, height_mm=300)
    own = record(birch, mine, None, width_mm=300, height_mm=300)
    record(birch, theirs, None, width_mm=300, height_mm=300)
    member = MembershipFactory(producer=coop).user

    assert set(offcut_search(user=member)) == {shared, own}


def test_drawing_down_a_sheet_piece_uses_it_and_takes_what_was_used(birch, rack, keeper):
    coop = ProducerFactory()
    offcut = record(birch, rack, keeper, width_mm=610, height_mm=1220)

    used = offcut_draw_down(
        offcut=offcut, by=keeper, reason="Sign letters", producer=coop, quantity="0.1"
    )

    assert used.status == Offcut.Status.USED
    kinds = [(m.kind, m.quantity) for m in offcut_history(offcut)]
    assert kinds == [
        ("offcut_in", Decimal("0.250")),
        ("drawdown", Decimal("-0.100")),
        ("offcut_used", Decimal("-0.250")),
    ]
    assert balance_of(birch, rack).on_hand == Decimal("2.900")
    assert_reconciles(birch, rack)


def test_drawing_down_part_of_a_spool_keeps_the_rest_on_the_rack(filament, rack, keeper):
    coop = ProducerFactory()
    offcut = record(filament, rack, keeper, amount="0.5")

    left = offcut_draw_down(
        offcut=offcut, by=keeper, reason="Prototype", producer=coop, quantity="0.2"
    )

    assert (left.status, left.quantity) == (Offcut.Status.AVAILABLE, Decimal("0.300"))
    assert balance_of(filament, rack).on_hand == Decimal("1.800")
    assert_reconciles(filament, rack)

    with pytest.raises(ValidationError):
        offcut_draw_down(offcut=left, by=keeper, reason="More", producer=coop, quantity="0.4")
    offcut_draw_down(offcut=left, by=keeper, reason="The rest", producer=coop)
    left.refresh_from_db()
    assert left.status == Offcut.Status.USED
    assert_reconciles(filament, rack)


def test_discarding_takes_the_piece_off_the_shelf_with_its_reason(birch, rack, keeper):
    offcut = record(birch, rack, keeper, width_mm=610, height_mm=1220)

    gone = offcut_discard(offcut=offcut, reason="Warped by the damp", by=keeper)

    assert (gone.status, gone.discard_reason) == (Offcut.Status.DISCARDED, "Warped by the damp")
    scrap = offcut_history(offcut).filter(kind="adjustment").get()
    assert scrap.quantity == Decimal("-0.250")
    assert "Warped by the damp" in scrap.reason
    assert balance_of(birch, rack).on_hand == Decimal("2.750")
    assert_reconciles(birch, rack)


def test_a_discard_needs_a_reason(birch, rack, keeper):
    offcut = record(birch, rack, keeper, width_mm=610, height_mm=1220)

    with pytest.raises(ValidationError):
        offcut_discard(offcut=offcut, reason="  ", by=keeper)

    offcut.refresh_from_db()
    assert offcut.status == Offcut.Status.AVAILABLE


def test_a_used_or_discarded_piece_cannot_be_used_again(birch, rack, keeper):
    offcut = record(birch, rack, keeper, width_mm=610, height_mm=1220)
    offcut_discard(offcut=offcut, reason="Broken", by=keeper)
    rows = StockMovement.objects.count()

    with pytest.raises(OffcutUnavailable):
        offcut_discard(offcut=offcut, reason="Again", by=keeper)
    with pytest.raises(OffcutUnavailable):
        offcut_draw_down(offcut=offcut, by=keeper, reason="x", producer=ProducerFactory())

    assert StockMovement.objects.count() == rows


def test_a_piece_whose_stock_is_held_for_jobs_is_not_thrown_away(filament, rack, keeper):
    offcut = record(filament, rack, keeper, amount="0.5")
    stock_reserve(lines=[StockLine(filament, rack, Decimal("1.8"))], by=None, reason="order")

    with pytest.raises(InsufficientStock):
        offcut_discard(offcut=offcut, reason="Tangled", by=keeper)

    offcut.refresh_from_db()
    assert offcut.status == Offcut.Status.AVAILABLE
    assert_reconciles(filament, rack)


def test_reconcile_reports_offcuts_that_disagree_with_the_ledger(birch, rack, keeper):
    offcut = record(birch, rack, keeper, width_mm=610, height_mm=1220)
    out = StringIO()
    call_command("reconcile_stock", stdout=out)
    assert "offcuts match the ledger" in out.getvalue()

    # A piece changed behind the services' back.
    Offcut.objects.filter(pk=offcut.pk).update(status=Offcut.Status.USED)
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("reconcile_stock", stdout=out)
    assert "OFFCUTS PLY-BIRCH @ sheet-rack" in out.getvalue()


def test_reconcile_names_pieces_that_whole_stock_drawdowns_cut_into(filament, rack, keeper):
    record(filament, rack, keeper, amount="1.5")
    stock_draw_down(
        material=filament,
        location=rack,
        quantity="1",
        by=keeper,
        reason="Prints",
        producer=ProducerFactory(),
    )
    out = StringIO()

    call_command("reconcile_stock", stdout=out)  # the ledger still holds: no error

    assert "CHECK THE RACK PLA @ sheet-rack" in out.getvalue()
