from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models.deletion import ProtectedError

from catalog.exceptions import CountBelowReserved, InsufficientStock, NothingReserved, Shortage
from catalog.models import Material, StockBalance, StockMovement, Unit
from catalog.services.stock import (
    StockLine,
    clean_quantity,
    stock_adjust_to_count,
    stock_consume,
    stock_draw_down,
    stock_receive,
    stock_release,
    stock_reserve,
    stock_transfer,
)
from producers.models import Membership
from tests.factories import (
    MaterialFactory,
    MembershipFactory,
    SharedLocationFactory,
    StockLocationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def user():
    return UserFactory()


@pytest.fixture
def material():
    return MaterialFactory(unit=Unit.SHEET)


@pytest.fixture
def location(coop):
    return StockLocationFactory(producer=coop)


@pytest.fixture
def other_location(coop):
    return StockLocationFactory(producer=coop)


def receive(material, location, quantity, by=None):
    return stock_receive(
        material=material, location=location, quantity=quantity, by=by, reason="delivery"
    )


def reserve(lines, by=None, reference="order-1"):
    return stock_reserve(
        lines=[StockLine(m, loc, q) for m, loc, q in lines],
        by=by,
        reason="order placed",
        reference=reference,
    )


def draw_down(material, location, quantity, producer, by=None, reason="laser job"):
    return stock_draw_down(
        material=material,
        location=location,
        quantity=quantity,
        by=by,
        reason=reason,
        producer=producer,
    )


def state(material, location):
    """(on hand, reserved) of one balance, or None when it does not exist."""
    balance = StockBalance.objects.filter(material=material, location=location).first()
    return None if balance is None else (balance.on_hand, balance.reserved)


def kinds(material, location):
    return list(
        StockMovement.objects.filter(material=material, location=location)
        .order_by("id")
        .values_list("kind", flat=True)
    )


# --- Receipts ------------------------------------------------------------------


def test_receipt_creates_the_balance_and_one_ledger_row(material, location, user):
    assert state(material, location) is None

    movement = receive(material, location, "10", by=user)

    assert state(material, location) == (D("10"), D("0"))
    rows = list(StockMovement.objects.filter(balance__material=material))
    assert rows == [movement]
    movement.refresh_from_db()
    assert movement.kind == StockMovement.Kind.RECEIPT
    assert movement.quantity == D("10")
    assert (movement.on_hand_after, movement.reserved_after) == (D("10"), D("0"))
    assert movement.location == location
    assert movement.unit_cost == material.unit_cost
    assert movement.created_by == user
    assert movement.reason == "delivery"


def test_a_second_receipt_adds_to_the_same_balance(material, location):
    receive(material, location, "10")

    movement = receive(material, location, "2.5")

    assert StockBalance.objects.filter(material=material, location=location).count() == 1
    assert state(material, location) == (D("12.5"), D("0"))
    assert movement.on_hand_after == D("12.5")
    assert kinds(material, location) == ["receipt", "receipt"]


def test_an_anonymous_user_is_recorded_as_nobody(material, location):
    movement = receive(material, location, "1", by=AnonymousUser())

    movement.refresh_from_db()
    assert movement.created_by is None


# --- Drawdowns -----------------------------------------------------------------


def test_drawdown_decreases_on_hand_and_records_producer_who_and_why(
    material, location, coop, user
):
    receive(material, location, "10")

    movement = draw_down(material, location, "3", coop, by=user, reason="laser job 42")

    assert state(material, location) == (D("7"), D("0"))
    movement.refresh_from_db()
    assert movement.kind == StockMovement.Kind.DRAWDOWN
    assert movement.quantity == D("-3")
    assert (movement.on_hand_after, movement.reserved_after) == (D("7"), D("0"))
    assert movement.producer == coop
    assert movement.created_by == user
    assert movement.reason == "laser job 42"


def test_drawdown_of_everything_available_empties_the_shelf(material, location, coop):
    receive(material, location, "4")

    draw_down(material, location, "4", coop)

    assert state(material, location) == (D("0"), D("0"))


def test_drawdown_beyond_available_is_refused(material, location, coop):
    receive(material, location, "5")

    with pytest.raises(InsufficientStock) as caught:
        draw_down(material, location, "8", coop)

    assert caught.value.shortages == [
        Shortage.of_material(
            material, location=location.code, requested=D("8.000"), available=D("5.000")
        )
    ]
    assert state(material, location) == (D("5"), D("0"))
    assert kinds(material, location) == ["receipt"]


def test_drawdown_from_a_shelf_never_stocked_is_refused_and_creates_nothing(
    material, location, coop
):
    with pytest.raises(InsufficientStock) as caught:
        draw_down(material, location, "1", coop)

    assert caught.value.extra["lines"][0]["available"] == "0"
    assert state(material, location) is None
    assert not StockMovement.objects.filter(material=material).exists()


def test_drawdown_cannot_take_reserved_stock(material, location, coop):
    receive(material, location, "10")
    reserve([(material, location, "7")])

    with pytest.raises(InsufficientStock) as caught:
        draw_down(material, location, "4", coop)

    assert caught.value.extra["lines"][0]["available"] == "3.000"
    assert state(material, location) == (D("10"), D("7"))
    assert kinds(material, location) == ["receipt", "reserve"]


def test_drawdown_may_take_what_is_left_beside_a_reservation(material, location, coop):
    receive(material, location, "10")
    reserve([(material, location, "7")])

    draw_down(material, location, "3", coop)

    assert state(material, location) == (D("7"), D("7"))


# --- Counts --------------------------------------------------------------------


def test_count_below_on_hand_records_a_negative_adjustment(material, location, user):
    receive(material, location, "10")

    movement = stock_adjust_to_count(
        material=material, location=location, counted="7", by=user, reason="stocktake"
    )

    assert state(material, location) == (D("7"), D("0"))
    movement.refresh_from_db()
    assert movement.kind == StockMovement.Kind.ADJUSTMENT
    assert movement.quantity == D("-3")
    assert movement.on_hand_after == D("7")
    assert movement.producer is None
    assert movement.created_by == user
    assert movement.reason == "stocktake"


def test_count_above_on_hand_records_a_positive_adjustment(material, location):
    receive(material, location, "10")

    movement = stock_adjust_to_count(
        material=material, location=location, counted="12.5", by=None, reason="found a box"
    )

    assert movement.quantity == D("2.5")
    assert state(material, location) == (D("12.5"), D("0"))


def test_count_of_an_unknown_shelf_creates_its_balance(material, location):
    movement = stock_adjust_to_count(
        material=material, location=location, counted="4", by=None, reason="first count"
    )

    assert movement.quantity == D("4")
    assert state(material, location) == (D("4"), D("0"))


def test_count_of_zero_empties_the_shelf(material, location):
    receive(material, location, "3")

    movement = stock_adjust_to_count(
        material=material, location=location, counted="0", by=None, reason="all gone"
    )

    assert movement.quantity == D("-3")
    assert state(material, location) == (D("0"), D("0"))


def test_count_matching_on_hand_records_nothing_and_returns_none(material, location):
    receive(material, location, "10")

    result = stock_adjust_to_count(
        material=material, location=location, counted="10.000", by=None, reason="stocktake"
    )

    assert result is None
    assert kinds(material, location) == ["receipt"]


def test_count_below_reserved_is_refused(material, location):
    receive(material, location, "10")
    reserve([(material, location, "6")])

    with pytest.raises(CountBelowReserved) as caught:
        stock_adjust_to_count(
            material=material, location=location, counted="5", by=None, reason="stocktake"
        )

    assert caught.value.extra == {"counted": "5.000", "reserved": "6.000", "material": material.sku}
    assert state(material, location) == (D("10"), D("6"))
    assert kinds(material, location) == ["receipt", "reserve"]


def test_count_equal_to_reserved_is_accepted(material, location):
    receive(material, location, "10")
    reserve([(material, location, "6")])

    stock_adjust_to_count(
        material=material, location=location, counted="6", by=None, reason="stocktake"
    )

    assert state(material, location) == (D("6"), D("6"))


# --- Transfers -----------------------------------------------------------------


def test_transfer_writes_one_row_out_and_one_row_in_with_the_same_reference(
    material, location, other_location, coop, user
):
    receive(material, location, "10")

    out, into = stock_transfer(
        material=material,
        source=location,
        destination=other_location,
        quantity="4",
        by=user,
        reason="restock the sewing room",
        producer=coop,
    )

    out.refresh_from_db()
    into.refresh_from_db()
    assert (out.kind, out.location, out.quantity, out.on_hand_after) == (
        StockMovement.Kind.TRANSFER_OUT,
        location,
        D("-4"),
        D("6"),
    )
    assert (into.kind, into.location, into.quantity, into.on_hand_after) == (
        StockMovement.Kind.TRANSFER_IN,
        other_location,
        D("4"),
        D("4"),
    )
    assert out.reference
    assert out.reference == into.reference
    assert out.created_by == into.created_by == user
    assert out.producer == into.producer == coop
    assert state(material, location) == (D("6"), D("0"))
    assert state(material, other_location) == (D("4"), D("0"))


def test_two_transfers_get_different_references(material, location, other_location):
    receive(material, location, "10")
    common = {"material": material, "quantity": "1", "by": None, "reason": "move"}

    first, _ = stock_transfer(source=location, destination=other_location, **common)
    second, _ = stock_transfer(source=location, destination=other_location, **common)

    assert first.reference != second.reference


def test_transfer_to_the_same_location_is_refused(material, location):
    receive(material, location, "10")

    with pytest.raises(ValidationError) as caught:
        stock_transfer(
            material=material,
            source=location,
            destination=location,
            quantity="1",
            by=None,
            reason="move",
        )

    assert "destination" in caught.value.error_dict
    assert state(material, location) == (D("10"), D("0"))
    assert kinds(material, location) == ["receipt"]


def test_transfer_beyond_available_is_refused(material, location, other_location):
    receive(material, location, "3")
    reserve([(material, location, "1")])

    with pytest.raises(InsufficientStock) as caught:
        stock_transfer(
            material=material,
            source=location,
            destination=other_location,
            quantity="3",
            by=None,
            reason="move",
        )

    assert caught.value.shortages == [
        Shortage.of_material(
            material, location=location.code, requested=D("3.000"), available=D("2.000")
        )
    ]
    assert state(material, location) == (D("3"), D("1"))
    assert state(material, other_location) is None
    assert kinds(material, location) == ["receipt", "reserve"]


# --- Reservations --------------------------------------------------------------


def test_reserve_holds_stock_without_moving_it(material, location, coop, user):
    receive(material, location, "10")

    [movement] = stock_reserve(
        lines=[StockLine(material, location, "4")],
        by=user,
        reason="order 7",
        producer=coop,
        reference="order-7",
    )

    assert state(material, location) == (D("10"), D("4"))
    movement.refresh_from_db()
    assert movement.kind == StockMovement.Kind.RESERVE
    assert movement.quantity == D("4")
    assert (movement.on_hand_after, movement.reserved_after) == (D("10"), D("4"))
    assert movement.reference == "order-7"
    assert movement.producer == coop


def test_reserve_is_all_or_nothing_across_lines(location):
    plenty, short, also_plenty = MaterialFactory(), MaterialFactory(), MaterialFactory()
    receive(plenty, location, "10")
    receive(short, location, "2")
    receive(also_plenty, location, "10")

    with pytest.raises(InsufficientStock) as caught:
        reserve([(plenty, location, "5"), (short, location, "3"), (also_plenty, location, "1")])

    assert caught.value.shortages == [
        Shortage.of_material(
            short, location=location.code, requested=D("3.000"), available=D("2.000")
        )
    ]
    for material in (plenty, short, also_plenty):
        assert StockBalance.objects.get(material=material, location=location).reserved == 0
    assert not StockMovement.objects.filter(kind=StockMovement.Kind.RESERVE).exists()


def test_reserve_lists_every_short_line_and_only_those(location, other_location):
    fine, short, missing = MaterialFactory(), MaterialFactory(), MaterialFactory()
    receive(fine, location, "10")
    receive(short, location, "1")

    with pytest.raises(InsufficientStock) as caught:
        reserve([(fine, location, "2"), (short, location, "2"), (missing, other_location, "1")])

    short_lines = {(line["material"], line["available"]) for line in caught.value.extra["lines"]}
    assert short_lines == {(short.sku, "1.000"), (missing.sku, "0")}
    assert state(fine, location) == (D("10"), D("0"))
    assert state(missing, other_location) is None


def test_duplicate_lines_for_one_balance_are_checked_together(material, location):
    receive(material, location, "5")

    with pytest.raises(InsufficientStock) as caught:
        reserve([(material, location, "3"), (material, location, "3")])

    assert caught.value.shortages == [
        Shortage.of_material(
            material, location=location.code, requested=D("6.000"), available=D("5.000")
        )
    ]
    assert state(material, location) == (D("5"), D("0"))


def test_duplicate_lines_that_fit_are_reserved_as_one_movement(material, location):
    receive(material, location, "5")

    movements = reserve([(material, location, "2"), (material, location, "3")])

    assert [m.quantity for m in movements] == [D("5")]
    assert state(material, location) == (D("5"), D("5"))


def test_reserve_cannot_take_stock_already_reserved(material, location):
    receive(material, location, "5")
    reserve([(material, location, "4")], reference="order-1")

    with pytest.raises(InsufficientStock):
        reserve([(material, location, "2")], reference="order-2")

    assert state(material, location) == (D("5"), D("4"))


# --- Releases and consumption --------------------------------------------------


def test_release_gives_held_stock_back(material, location):
    receive(material, location, "10")
    reserve([(material, location, "4")])

    [movement] = stock_release(
        lines=[StockLine(material, location, "4")], by=None, reason="order expired"
    )

    assert movement.kind == StockMovement.Kind.RELEASE
    assert movement.quantity == D("-4")
    assert state(material, location) == (D("10"), D("0"))


def test_release_of_more_than_reserved_is_refused(material, location):
    receive(material, location, "10")
    reserve([(material, location, "2")])

    with pytest.raises(NothingReserved) as caught:
        stock_release(lines=[StockLine(material, location, "3")], by=None, reason="cancelled")

    assert caught.value.extra["lines"] == [
        {
            "material": material.sku,
            "location": location.code,
            "requested": "3.000",
            "reserved": "2.000",
        }
    ]
    assert state(material, location) == (D("10"), D("2"))
    assert kinds(material, location) == ["receipt", "reserve"]


def test_release_where_nothing_was_ever_stocked_is_refused(material, location):
    with pytest.raises(NothingReserved):
        stock_release(lines=[StockLine(material, location, "1")], by=None, reason="cancelled")

    assert state(material, location) is None


def test_consume_lowers_both_on_hand_and_reserved(material, location, coop):
    receive(material, location, "10")
    reserve([(material, location, "4")])

    [movement] = stock_consume(
        lines=[StockLine(material, location, "3")],
        by=None,
        reason="production started",
        producer=coop,
        reference="job-3",
    )

    assert state(material, location) == (D("7"), D("1"))
    movement.refresh_from_db()
    assert movement.kind == StockMovement.Kind.CONSUME
    assert movement.quantity == D("-3")
    assert (movement.on_hand_after, movement.reserved_after) == (D("7"), D("1"))
    assert movement.reference == "job-3"


def test_consume_of_more_than_reserved_is_refused(material, location):
    receive(material, location, "10")
    reserve([(material, location, "2")])

    with pytest.raises(NothingReserved):
        stock_consume(lines=[StockLine(material, location, "3")], by=None, reason="production")

    assert state(material, location) == (D("10"), D("2"))
    assert kinds(material, location) == ["receipt", "reserve"]


def test_consume_is_all_or_nothing_across_lines(location):
    held, not_held = MaterialFactory(), MaterialFactory()
    receive(held, location, "5")
    receive(not_held, location, "5")
    reserve([(held, location, "2")])

    with pytest.raises(NothingReserved) as caught:
        stock_consume(
            lines=[StockLine(held, location, "2"), StockLine(not_held, location, "1")],
            by=None,
            reason="production",
        )

    assert [line["material"] for line in caught.value.extra["lines"]] == [not_held.sku]
    assert state(held, location) == (D("5"), D("2"))
    assert state(not_held, location) == (D("5"), D("0"))


# --- Quantities ----------------------------------------------------------------


def test_each_unit_refuses_a_fractional_quantity(location):
    bolts = MaterialFactory(unit=Unit.EACH)

    with pytest.raises(ValidationError) as caught:
        receive(bolts, location, "1.5")

    assert "quantity" in caught.value.error_dict
    assert state(bolts, location) is None


def test_each_unit_accepts_a_whole_quantity_written_with_decimals(location):
    bolts = MaterialFactory(unit=Unit.EACH)

    receive(bolts, location, "3.000")

    assert state(bolts, location) == (D("3"), D("0"))


def test_each_unit_refuses_a_fractional_reservation(location):
    bolts = MaterialFactory(unit=Unit.EACH)
    receive(bolts, location, "5")

    with pytest.raises(ValidationError) as caught:
        reserve([(bolts, location, "0.5")])

    assert "quantity" in caught.value.error_dict
    assert state(bolts, location) == (D("5"), D("0"))


def test_kg_unit_accepts_three_decimal_places(location):
    resin = MaterialFactory(unit=Unit.KG)

    receive(resin, location, "0.125")

    assert state(resin, location) == (D("0.125"), D("0"))


@pytest.mark.parametrize(
    "quantity",
    [0, "0", -1, "-0.5", "1.2345", "0.0001", "abc", "", None, "NaN", "Infinity", "1e12"],
)
def test_bad_quantities_are_refused(location, quantity):
    resin = MaterialFactory(unit=Unit.KG)

    with pytest.raises(ValidationError) as caught:
        receive(resin, location, quantity)

    assert "quantity" in caught.value.error_dict
    assert state(resin, location) is None


@pytest.mark.parametrize("quantity", [0, -1, "1.2345", "abc"])
def test_bad_quantities_are_refused_by_drawdown_too(material, location, coop, quantity):
    receive(material, location, "10")

    with pytest.raises(ValidationError) as caught:
        draw_down(material, location, quantity, coop)

    assert "quantity" in caught.value.error_dict
    assert state(material, location) == (D("10"), D("0"))


def test_a_negative_count_is_refused(material, location):
    receive(material, location, "10")

    with pytest.raises(ValidationError) as caught:
        stock_adjust_to_count(
            material=material, location=location, counted="-1", by=None, reason="stocktake"
        )

    assert "quantity" in caught.value.error_dict
    assert state(material, location) == (D("10"), D("0"))


def test_clean_quantity_normalises_to_three_decimal_places(material):
    assert str(clean_quantity(material, "2.5")) == "2.500"
    assert str(clean_quantity(material, 3)) == "3.000"


# --- The ledger is append-only -------------------------------------------------


@pytest.fixture
def movement(material, location):
    return receive(material, location, "10")


def test_a_ledger_row_cannot_be_edited(movement):
    movement.reason = "rewritten"

    with pytest.raises(TypeError):
        movement.save()

    movement.refresh_from_db()
    assert movement.reason == "delivery"


def test_a_ledger_row_cannot_be_deleted(movement):
    with pytest.raises(TypeError):
        movement.delete()

    assert StockMovement.objects.filter(pk=movement.pk).exists()


def test_ledger_rows_cannot_be_updated_in_bulk(movement):
    with pytest.raises(TypeError):
        StockMovement.objects.filter(pk=movement.pk).update(quantity=D("99"))

    movement.refresh_from_db()
    assert movement.quantity == D("10")


def test_ledger_rows_cannot_be_deleted_in_bulk(movement):
    with pytest.raises(TypeError):
        StockMovement.objects.filter(pk=movement.pk).delete()
    with pytest.raises(TypeError):
        movement.balance.movements.all().delete()

    assert StockMovement.objects.filter(pk=movement.pk).exists()


def test_a_balance_with_ledger_rows_cannot_be_deleted(movement):
    with pytest.raises(ProtectedError):
        movement.balance.delete()

    assert StockBalance.objects.filter(pk=movement.balance_id).exists()


# --- Database constraints ------------------------------------------------------


def test_the_database_refuses_a_negative_on_hand(movement):
    with pytest.raises(IntegrityError), transaction.atomic():
        StockBalance.objects.filter(pk=movement.balance_id).update(on_hand=-1)

    assert StockBalance.objects.get(pk=movement.balance_id).on_hand == D("10")


def test_the_database_refuses_a_negative_reserved(movement):
    with pytest.raises(IntegrityError), transaction.atomic():
        StockBalance.objects.filter(pk=movement.balance_id).update(reserved=-1)


def test_the_database_refuses_more_reserved_than_on_hand(movement):
    with pytest.raises(IntegrityError), transaction.atomic():
        StockBalance.objects.filter(pk=movement.balance_id).update(reserved=D("11"))

    assert StockBalance.objects.get(pk=movement.balance_id).reserved == D("0")


# --- Low-stock alerts ----------------------------------------------------------


@pytest.fixture
def fablab_manager(fablab):
    manager = UserFactory(username="lab-manager", email="lab-manager@example.org")
    MembershipFactory(producer=fablab, user=manager, role=Membership.Role.MANAGER)
    return manager


@pytest.fixture
def watched(fablab_manager):
    """A material with a reorder point of 5, 10 of it in the shared store."""
    material = MaterialFactory(reorder_point=D("5"))
    location = SharedLocationFactory()
    receive(material, location, "10")
    return material, location


def test_crossing_below_the_reorder_point_emails_the_fablab_managers(
    watched, fablab_manager, technician, coop
):
    material, location = watched
    assert mail.outbox == []

    draw_down(material, location, "6", coop)

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [fablab_manager.email]
    assert material.sku in mail.outbox[0].body
    assert material.name in mail.outbox[0].subject
    material.refresh_from_db()
    assert material.low_stock_since is not None


def test_coop_managers_are_not_emailed_about_low_stock(watched, fablab_manager, coop_manager, coop):
    material, location = watched

    draw_down(material, location, "6", coop)

    recipients = [address for message in mail.outbox for address in message.to]
    assert recipients == [fablab_manager.email]


def test_staying_below_the_reorder_point_sends_no_second_alert(watched, coop):
    material, location = watched
    draw_down(material, location, "6", coop)

    draw_down(material, location, "1", coop)

    assert len(mail.outbox) == 1


def test_going_back_above_then_below_again_sends_a_second_alert(watched, coop):
    material, location = watched
    draw_down(material, location, "6", coop)
    receive(material, location, "10")
    material.refresh_from_db()
    assert material.low_stock_since is None

    draw_down(material, location, "10", coop)

    assert len(mail.outbox) == 2


def test_landing_exactly_on_the_reorder_point_is_not_low(watched, coop):
    material, location = watched

    draw_down(material, location, "5", coop)

    assert mail.outbox == []


def test_reserving_shared_stock_below_the_reorder_point_alerts(watched):
    material, location = watched

    reserve([(material, location, "6")])

    assert len(mail.outbox) == 1


def test_transferring_out_of_the_shared_store_alerts(watched, coop):
    material, location = watched

    stock_transfer(
        material=material,
        source=location,
        destination=StockLocationFactory(producer=coop),
        quantity="6",
        by=None,
        reason="to the sewing room",
    )

    assert len(mail.outbox) == 1


def test_materials_in_non_shared_locations_never_alert(fablab_manager, coop):
    material = MaterialFactory(reorder_point=D("5"))
    location = StockLocationFactory(producer=coop)
    receive(material, location, "10")

    draw_down(material, location, "9", coop)

    assert mail.outbox == []
    assert Material.objects.get(pk=material.pk).low_stock_since is None


def test_a_material_without_a_reorder_point_never_alerts(fablab_manager, coop):
    material = MaterialFactory(reorder_point=D("0"))
    location = SharedLocationFactory()
    receive(material, location, "10")

    draw_down(material, location, "10", coop)

    assert mail.outbox == []
