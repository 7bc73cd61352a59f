"""The shared store's stock is accounted for: who may move it, how much a shelf may hold,
and a usage report that sees everything that leaves it."""

from decimal import Decimal

import pytest
from django.utils import timezone

from catalog.exceptions import ImplausibleQuantity, SharedStoreKeepersOnly
from catalog.models import StockBalance, Unit
from catalog.services.stock import stock_adjust_to_count, stock_receive, stock_transfer
from tests.factories import MaterialFactory, SharedLocationFactory, StockLocationFactory

pytestmark = pytest.mark.django_db

REPORT = "/api/v1/reports/materials-usage/"


@pytest.fixture
def shared(fablab):
    return SharedLocationFactory(producer=fablab, code="fablab-rack")


@pytest.fixture
def own_shelf(coop):
    return StockLocationFactory(producer=coop, code="coop-shelf")


@pytest.fixture
def fabric(shared):
    material = MaterialFactory(sku="FABRIC", name="Canvas", unit=Unit.M, unit_cost=Decimal("4"))
    stock_receive(material=material, location=shared, quantity="100", by=None, reason="delivery")
    return material


def on_hand(material, location) -> Decimal:
    balance = StockBalance.objects.filter(material=material, location=location).first()
    return balance.on_hand if balance else Decimal("0")


def transfer(api, user, source, destination, quantity="5"):
    body = {
        "material": "FABRIC",
        "source": source,
        "destination": destination,
        "quantity": quantity,
        "reason": "moving",
    }
    return api.as_user(user).post("/api/v1/stock/transfers/", body, format="json")


# --- Who moves the shared store's stock ---------------------------------------------


def test_a_coop_cannot_pull_shared_stock_onto_its_own_shelf(
    api, coop_member, fabric, shared, own_shelf
):
    response = transfer(api, coop_member, "fablab-rack", "coop-shelf")

    assert response.status_code == 403
    assert response.json()["code"] == "shared_store_keepers_only"
    assert on_hand(fabric, shared) == Decimal("100")
    assert on_hand(fabric, own_shelf) == Decimal("0")


def test_a_coop_cannot_push_its_own_stock_into_the_shared_store(
    api, coop_manager, fabric, shared, own_shelf
):
    stock_receive(material=fabric, location=own_shelf, quantity="50", by=None, reason="bought")

    response = transfer(api, coop_manager, "coop-shelf", "fablab-rack")

    assert response.status_code == 403
    assert response.json()["code"] == "shared_store_keepers_only"
    assert on_hand(fabric, shared) == Decimal("100")


def test_a_coop_receipt_into_the_shared_store_is_refused_with_the_same_code(
    api, coop_manager, fabric
):
    body = {"material": "FABRIC", "location": "fablab-rack", "quantity": "5", "reason": "gift"}

    response = api.as_user(coop_manager).post("/api/v1/stock/receipts/", body, format="json")

    assert response.status_code == 403
    assert response.json()["code"] == "shared_store_keepers_only"


def test_fablab_staff_hand_shared_stock_to_a_coops_shelf(
    api, technician, fabric, shared, own_shelf
):
    response = transfer(api, technician, "fablab-rack", "coop-shelf")

    assert response.status_code == 201
    assert on_hand(fabric, own_shelf) == Decimal("5")


def test_the_transfer_service_refuses_a_coop_member_whatever_the_caller(
    coop_member, fabric, shared, own_shelf
):
    with pytest.raises(SharedStoreKeepersOnly):
        stock_transfer(
            material=fabric,
            source=shared,
            destination=own_shelf,
            quantity="5",
            by=coop_member,
            reason="x",
        )

    assert on_hand(fabric, shared) == Decimal("100")


def test_the_count_and_receipt_services_refuse_a_coop_member_on_the_shared_store(
    coop_member, fabric, shared
):
    with pytest.raises(SharedStoreKeepersOnly):
        stock_adjust_to_count(
            material=fabric, location=shared, counted="0", by=coop_member, reason="x"
        )
    with pytest.raises(SharedStoreKeepersOnly):
        stock_receive(material=fabric, location=shared, quantity="1", by=coop_member, reason="x")

    assert on_hand(fabric, shared) == Decimal("100")


# --- Plausible quantities --------------------------------------------------------------


def test_a_count_beyond_the_materials_ceiling_is_implausible(api, coop_manager, fabric, own_shelf):
    body = {
        "material": "FABRIC",
        "location": "coop-shelf",
        "counted": "99999999999.999",
        "reason": "count",
    }

    response = api.as_user(coop_manager).post("/api/v1/stock/adjustments/", body, format="json")

    assert response.status_code in (400, 409)
    assert on_hand(fabric, own_shelf) == Decimal("0")


def test_a_count_just_over_the_units_default_ceiling_answers_409_implausible_quantity(
    api, coop_manager, fabric, own_shelf
):
    body = {"material": "FABRIC", "location": "coop-shelf", "counted": "100001", "reason": "c"}

    response = api.as_user(coop_manager).post("/api/v1/stock/adjustments/", body, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "implausible_quantity"
    assert response.json()["maximum"] == "100000"


def test_a_receipt_that_would_pass_the_ceiling_is_refused_and_writes_nothing(fabric, shared):
    fabric.max_on_hand = Decimal("120")
    fabric.save()

    with pytest.raises(ImplausibleQuantity):
        stock_receive(material=fabric, location=shared, quantity="21", by=None, reason="x")

    assert on_hand(fabric, shared) == Decimal("100")


def test_a_transfer_cannot_fill_the_destination_past_the_ceiling(fabric, shared, own_shelf):
    fabric.max_on_hand = Decimal("10")
    fabric.save()

    with pytest.raises(ImplausibleQuantity):
        stock_transfer(
            material=fabric,
            source=shared,
            destination=own_shelf,
            quantity="11",
            by=None,
            reason="x",
        )

    assert on_hand(fabric, own_shelf) == Decimal("0")


def test_fablab_staff_set_a_materials_ceiling(api, technician, fabric):
    response = api.as_user(technician).patch(
        "/api/v1/materials/FABRIC/", {"max_on_hand": "500"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["max_on_hand"] == "500.000"
    fabric.refresh_from_db()
    assert fabric.on_hand_ceiling == Decimal("500")


def test_a_ceiling_beyond_what_any_shelf_may_hold_is_a_field_error(api, technician, fabric):
    response = api.as_user(technician).patch(
        "/api/v1/materials/FABRIC/", {"max_on_hand": "99999999999"}, format="json"
    )

    assert response.status_code == 400
    assert "max_on_hand" in response.json()["errors"]


# --- The usage report sees everything that leaves the shared store -----------------------


def this_month() -> str:
    return timezone.localdate().strftime("%Y-%m")


def test_the_usage_report_counts_transfers_out_of_the_shared_store_for_the_receiving_coop(
    api, technician, fabric, shared, own_shelf, coop
):
    stock_transfer(
        material=fabric,
        source=shared,
        destination=own_shelf,
        quantity="30",
        by=technician,
        reason="x",
        producer=coop,
    )

    rows = api.as_user(technician).get(f"{REPORT}?month={this_month()}").json()["rows"]

    assert [(r["producer"], r["transferred_out"], r["cost"]) for r in rows] == [
        (coop.slug, "30.000", "120.00")
    ]


def test_the_usage_report_counts_a_shared_store_loss_against_the_fablab(
    api, technician, fabric, shared, fablab
):
    stock_adjust_to_count(material=fabric, location=shared, counted="90", by=technician, reason="c")

    rows = api.as_user(technician).get(f"{REPORT}?month={this_month()}").json()["rows"]

    assert [(r["producer"], r["written_off"]) for r in rows] == [(fablab.slug, "10.000")]


def test_a_count_that_finds_more_in_the_shared_store_is_not_usage(api, technician, fabric, shared):
    stock_adjust_to_count(material=fabric, location=shared, counted="110", by=technician, reason="")

    rows = api.as_user(technician).get(f"{REPORT}?month={this_month()}").json()["rows"]

    assert rows == []


def test_a_coop_sees_only_its_own_transfers_in_the_usage_report(
    api, technician, coop_member, other_coop, fabric, shared
):
    other_shelf = StockLocationFactory(producer=other_coop)
    stock_transfer(
        material=fabric,
        source=shared,
        destination=other_shelf,
        quantity="3",
        by=technician,
        reason="x",
        producer=other_coop,
    )

    rows = api.as_user(coop_member).get(f"{REPORT}?month={this_month()}").json()["rows"]

    assert rows == []
