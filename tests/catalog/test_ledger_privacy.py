"""The shared-store ledger shows a co-op its own business in full, only quantities of
other co-ops' rows, and never a customer."""

from decimal import Decimal

import pytest

from catalog.services.stock import StockLine, stock_draw_down, stock_receive, stock_reserve
from tests.factories import MaterialFactory, SharedLocationFactory, UserFactory

pytestmark = pytest.mark.django_db

LEDGER = "/api/v1/stock-movements/"


@pytest.fixture
def shared(fablab):
    return SharedLocationFactory(producer=fablab, code="fablab-rack")


@pytest.fixture
def plywood(shared):
    material = MaterialFactory(sku="PLY")
    stock_receive(material=material, location=shared, quantity="50", by=None, reason="delivery")
    return material


@pytest.fixture
def customer():
    return UserFactory(username="keisha-the-customer")


@pytest.fixture
def others_business(plywood, shared, other_coop, other_manager, customer):
    """Another co-op's reservation for a customer's order and its own drawdown."""
    stock_reserve(
        lines=[StockLine(plywood, shared, Decimal("4"))],
        by=customer,
        reason="Order CP-1234 for Keisha",
        producer=other_coop,
        reference="job-77",
    )
    stock_draw_down(
        material=plywood,
        location=shared,
        quantity="2",
        by=other_manager,
        reason="declined: too busy",
        producer=other_coop,
    )


@pytest.fixture
def own_business(plywood, shared, coop, coop_member, customer):
    stock_reserve(
        lines=[StockLine(plywood, shared, Decimal("1"))],
        by=customer,
        reason="Order CP-5678",
        producer=coop,
        reference="job-88",
    )
    stock_draw_down(
        material=plywood, location=shared, quantity="3", by=coop_member, reason="jig", producer=coop
    )


def rows(api, user, query=""):
    return api.as_user(user).get(LEDGER + query).json()["results"]


@pytest.mark.usefixtures("others_business")
def test_a_coop_sees_other_coops_shared_rows_without_who_why_or_for_whom(
    api, coop_member, other_coop
):
    others = [r for r in rows(api, coop_member) if r["kind"] in ("reserve", "drawdown")]

    assert len(others) == 2
    for row in others:
        assert (row["producer"], row["created_by"], row["reason"], row["reference"]) == (
            None,
            None,
            "",
            "",
        )


@pytest.mark.usefixtures("others_business")
def test_a_coop_still_sees_the_quantities_that_keep_the_shared_ledger_adding_up(api, coop_member):
    drawdown = next(r for r in rows(api, coop_member) if r["kind"] == "drawdown")

    assert (drawdown["quantity"], drawdown["on_hand_after"]) == ("-2.000", "48.000")


@pytest.mark.usefixtures("others_business")
def test_a_coop_cannot_pick_out_another_coops_rows_by_producer_or_job(api, coop_member, other_coop):
    assert rows(api, coop_member, f"?producer={other_coop.slug}") == []
    assert rows(api, coop_member, "?job=77") == []
    assert rows(api, coop_member, "?reference=job-77") == []


@pytest.mark.usefixtures("own_business")
def test_a_coop_sees_its_own_rows_in_full(api, coop_member, coop):
    drawdown = next(r for r in rows(api, coop_member) if r["kind"] == "drawdown")

    assert (drawdown["producer"], drawdown["created_by"], drawdown["reason"]) == (
        coop.slug,
        "coop-member",
        "jig",
    )


@pytest.mark.usefixtures("own_business")
def test_a_customer_is_never_named_to_a_coop_even_on_its_own_rows(api, coop_member, coop):
    reserve = next(r for r in rows(api, coop_member) if r["kind"] == "reserve")

    assert reserve["created_by"] is None
    assert (reserve["producer"], reserve["reference"]) == (coop.slug, "job-88")


@pytest.mark.usefixtures("others_business")
def test_fablab_staff_see_every_row_in_full(api, technician, other_coop):
    reserve = next(r for r in rows(api, technician) if r["kind"] == "reserve")

    assert reserve["created_by"] == "keisha-the-customer"
    assert (reserve["producer"], reserve["reference"]) == (other_coop.slug, "job-77")
    assert rows(api, technician, f"?producer={other_coop.slug}") != []


@pytest.mark.usefixtures("others_business")
def test_platform_staff_see_every_row_in_full(api, staff):
    drawdown = next(r for r in rows(api, staff) if r["kind"] == "drawdown")

    assert drawdown["reason"] == "declined: too busy"
    assert drawdown["created_by"] == "other-manager"


@pytest.mark.usefixtures("others_business")
def test_one_ledger_row_as_a_coop_is_as_blank_as_in_the_list(api, coop_member):
    row_id = next(r["id"] for r in rows(api, coop_member) if r["kind"] == "drawdown")

    row = api.as_user(coop_member).get(f"{LEDGER}{row_id}/").json()

    assert (row["producer"], row["created_by"], row["reason"]) == (None, None, "")
