from decimal import Decimal

import pytest
from django.utils import timezone

from catalog.models import Material, StockBalance, StockLocation, StockMovement, Unit
from catalog.services.stock import StockLine, stock_draw_down, stock_receive, stock_reserve
from producers.models import Membership
from tests.factories import (
    MaterialFactory,
    MembershipFactory,
    ProducerFactory,
    SharedLocationFactory,
    StockLocationFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def shared(fablab):
    return SharedLocationFactory(producer=fablab, code="fablab-rack", name="Sheet rack")


@pytest.fixture
def own_shelf(coop):
    return StockLocationFactory(producer=coop, code="coop-shelf")


@pytest.fixture
def other_shelf(other_coop):
    return StockLocationFactory(producer=other_coop, code="other-shelf")


@pytest.fixture
def plywood(shared):
    material = MaterialFactory(sku="PLY-3MM", name="Plywood 3 mm", reorder_point=Decimal("4"))
    stock_receive(material=material, location=shared, quantity="10", by=None, reason="delivery")
    return material


@pytest.fixture
def screws():
    return MaterialFactory(sku="SCREW-8", name="Screws", unit=Unit.EACH)


def balance(material, location):
    return StockBalance.objects.get(material=material, location=location)


def drawdown(api, user, **body):
    payload = {"material": "PLY-3MM", "location": "fablab-rack", "reason": "cutting boards"}
    payload.update(body)
    return api.as_user(user).post("/api/v1/stock/drawdowns/", payload, format="json")


# --- Materials -------------------------------------------------------------------


def test_anyone_reads_materials_without_costs(api, plywood):
    response = api.get("/api/v1/materials/")

    item = response.json()["results"][0]
    assert item["sku"] == "PLY-3MM"
    assert item["available"] is True
    assert "unit_cost" not in item
    assert "shared_on_hand" not in item


def test_members_see_the_shared_stores_numbers(api, plywood, coop_member):
    response = api.as_user(coop_member).get("/api/v1/materials/PLY-3MM/")

    assert response.json()["shared_available"] == "10.000"
    assert response.json()["unit_cost"] == "12.5000"


def test_below_reorder_lists_materials_under_their_reorder_point(api, plywood, shared, coop):
    plenty = MaterialFactory(sku="PLENTY", reorder_point=Decimal("1"))
    stock_receive(material=plenty, location=shared, quantity="5", by=None, reason="delivery")
    stock_draw_down(
        material=plywood, location=shared, quantity="7", by=None, reason="x", producer=coop
    )

    response = api.get("/api/v1/materials/?below_reorder=true")

    assert [m["sku"] for m in response.json()["results"]] == ["PLY-3MM"]


def test_fablab_staff_create_materials(api, technician):
    response = api.as_user(technician).post(
        "/api/v1/materials/",
        {
            "sku": "PLA-RED",
            "name": "PLA, red",
            "unit": "kg",
            "category": "filament",
            "unit_cost": "21.99",
            "reorder_point": "2",
        },
        format="json",
    )

    assert response.status_code == 201
    assert Material.objects.get(sku="PLA-RED").unit_cost == Decimal("21.99")


@pytest.mark.parametrize("who", ["coop_manager", "resident"])
def test_only_fablab_staff_create_materials(api, request, who):
    user = request.getfixturevalue(who)

    response = api.as_user(user).post(
        "/api/v1/materials/", {"sku": "X-1", "name": "X", "unit": "kg"}, format="json"
    )

    assert response.status_code == 403
    assert not Material.objects.filter(sku="X-1").exists()


def test_material_with_a_bad_sku_and_unit_is_a_field_error(api, technician):
    response = api.as_user(technician).post(
        "/api/v1/materials/", {"sku": "lower case", "name": "X", "unit": "bucket"}, format="json"
    )

    assert response.status_code == 400
    assert {"sku", "unit"} <= response.json()["errors"].keys()


def test_a_material_in_the_finished_goods_category_is_a_field_error_not_a_crash(
    api, technician, plywood
):
    client = api.as_user(technician)
    body = {"sku": "K0", "name": "Kit", "unit": "m", "category": "finished_goods"}

    created = client.post("/api/v1/materials/", body, format="json")
    moved = client.patch(
        f"/api/v1/materials/{plywood.sku}/", {"category": "finished_goods"}, format="json"
    )

    assert created.status_code == 400
    assert "category" in created.json()["errors"]
    assert not Material.objects.filter(sku="K0").exists()
    assert moved.status_code == 400
    plywood.refresh_from_db()
    assert plywood.category != Material.Category.FINISHED_GOODS


# --- Who sees which stock ------------------------------------------------------


def test_stock_is_for_network_members_only(api, resident, shared):
    assert api.get("/api/v1/stock/").status_code == 401
    assert api.as_user(resident).get("/api/v1/stock/").status_code == 403
    assert api.as_user(resident).get("/api/v1/stock-locations/").status_code == 403
    assert api.as_user(resident).get("/api/v1/stock-movements/").status_code == 403


def test_members_see_the_shared_store_and_their_own_shelves_only(
    api, coop_member, shared, own_shelf, other_shelf
):
    response = api.as_user(coop_member).get("/api/v1/stock-locations/")

    codes = {loc["code"] for loc in response.json()["results"]}
    assert codes == {"fablab-rack", "coop-shelf"}


def test_other_coops_balances_and_movements_stay_private(
    api, coop_member, other_shelf, plywood, other_coop
):
    stock_receive(material=plywood, location=other_shelf, quantity="3", by=None, reason="private")

    balances = api.as_user(coop_member).get("/api/v1/stock/").json()["results"]
    movements = api.as_user(coop_member).get("/api/v1/stock-movements/").content.decode()

    assert {b["location"] for b in balances} == {"fablab-rack"}
    assert "other-shelf" not in movements
    assert "private" not in movements


def test_fablab_staff_do_not_see_a_coops_own_shelves(api, technician, other_shelf, shared):
    response = api.as_user(technician).get("/api/v1/stock-locations/")

    assert "other-shelf" not in {loc["code"] for loc in response.json()["results"]}


def test_a_member_adds_a_location_to_their_own_coop(api, coop_member, coop):
    response = api.as_user(coop_member).post(
        "/api/v1/stock-locations/",
        {"code": "coop-back-room", "name": "Back room", "producer": coop.slug},
        format="json",
    )

    assert response.status_code == 201
    assert StockLocation.objects.get(code="coop-back-room").producer == coop


def test_a_member_cannot_add_a_location_to_another_coop(api, coop_member, other_coop):
    response = api.as_user(coop_member).post(
        "/api/v1/stock-locations/",
        {"code": "sneaky", "name": "Sneaky", "producer": other_coop.slug},
        format="json",
    )

    assert response.status_code == 403
    assert not StockLocation.objects.filter(code="sneaky").exists()


def test_only_the_fablab_has_shared_locations(api, coop_member, coop):
    response = api.as_user(coop_member).post(
        "/api/v1/stock-locations/",
        {"code": "ours", "name": "Ours", "producer": coop.slug, "shared": True},
        format="json",
    )

    assert response.status_code == 400
    assert "shared" in response.json()["errors"]


def test_the_ledger_is_read_only(api, technician, plywood):
    assert api.as_user(technician).post("/api/v1/stock-movements/", {}).status_code == 405
    movement = StockMovement.objects.first()
    url = f"/api/v1/stock-movements/{movement.pk}/"
    assert api.as_user(technician).delete(url).status_code == 405
    assert StockMovement.objects.filter(pk=movement.pk).exists()


def test_the_ledger_filters_by_kind_and_material(api, technician, plywood, shared, coop):
    stock_draw_down(
        material=plywood, location=shared, quantity="2", by=None, reason="x", producer=coop
    )

    response = api.as_user(technician).get(
        "/api/v1/stock-movements/?kind=drawdown&material=PLY-3MM"
    )

    rows = response.json()["results"]
    assert [(r["kind"], r["quantity"], r["producer"]) for r in rows] == [
        ("drawdown", "-2.000", coop.slug)
    ]


# --- Receipts ---------------------------------------------------------------------


def test_fablab_staff_receive_into_the_shared_store(api, technician, plywood):
    response = api.as_user(technician).post(
        "/api/v1/stock/receipts/",
        {"material": "PLY-3MM", "location": "fablab-rack", "quantity": "5", "reason": "delivery"},
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["balances"][0]["on_hand"] == "15.000"
    assert response.json()["movements"][0]["created_by"] == "technician"


def test_a_coop_cannot_receive_into_the_shared_store(api, coop_member, plywood, shared):
    response = api.as_user(coop_member).post(
        "/api/v1/stock/receipts/",
        {"material": "PLY-3MM", "location": "fablab-rack", "quantity": "5", "reason": "gift"},
        format="json",
    )

    assert response.status_code == 403
    assert balance(plywood, shared).on_hand == Decimal("10")


def test_another_coops_shelf_reads_as_an_unknown_location(api, coop_member, plywood, other_shelf):
    response = api.as_user(coop_member).post(
        "/api/v1/stock/receipts/",
        {"material": "PLY-3MM", "location": "other-shelf", "quantity": "5", "reason": "x"},
        format="json",
    )

    assert response.status_code == 400
    assert "location" in response.json()["errors"]
    assert not StockBalance.objects.filter(location=other_shelf).exists()


# --- Drawdowns -------------------------------------------------------------------


def test_a_coop_draws_down_from_the_shared_store_for_itself(
    api, coop_member, coop, plywood, shared
):
    response = drawdown(api, coop_member, quantity="3")

    assert response.status_code == 201
    assert response.json()["movements"][0]["producer"] == coop.slug
    assert balance(plywood, shared).on_hand == Decimal("7")


def test_a_coop_cannot_draw_down_for_another_coop(api, coop_member, other_coop, plywood, shared):
    response = drawdown(api, coop_member, quantity="3", producer=other_coop.slug)

    assert response.status_code == 403
    assert balance(plywood, shared).on_hand == Decimal("10")


def test_fablab_staff_record_drawdowns_for_any_coop(api, technician, other_coop, plywood):
    response = drawdown(api, technician, quantity="1", producer=other_coop.slug)

    assert response.status_code == 201
    assert response.json()["movements"][0]["producer"] == other_coop.slug


def test_a_drawdown_beyond_what_is_available_is_a_conflict_that_names_the_available(
    api, coop_member, plywood, shared
):
    stock_reserve(lines=[StockLine(plywood, shared, Decimal("4"))], by=None, reason="job 1")

    response = drawdown(api, coop_member, quantity="7")

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "insufficient_stock"
    assert body["lines"] == [
        {
            "product": None,
            "product_name": None,
            "material": "PLY-3MM",
            "material_name": plywood.name,
            "location": "fablab-rack",
            "unit": plywood.unit,
            "requested": "7.000",
            "available": "6.000",
        }
    ]
    assert balance(plywood, shared).on_hand == Decimal("10")
    assert not StockMovement.objects.filter(kind="drawdown").exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"quantity": "0"}, "quantity"),
        ({"quantity": "-2"}, "quantity"),
        ({"quantity": "two"}, "quantity"),
        ({"quantity": "1.0005"}, "quantity"),
        ({"quantity": "1e400"}, "quantity"),
        ({"quantity": "1", "material": "NO-SUCH-SKU"}, "material"),
        ({"quantity": "1", "location": "no-such-shelf"}, "location"),
        ({"quantity": "1", "reason": ""}, "reason"),
        ({"quantity": "1", "producer": "no-such-coop"}, "producer"),
    ],
)
def test_bad_drawdowns_get_field_errors_and_change_nothing(
    api, coop_member, plywood, shared, body, field
):
    response = drawdown(api, coop_member, **body)

    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert balance(plywood, shared).on_hand == Decimal("10")


def test_whole_units_only_for_materials_counted_each(api, technician, screws, shared):
    response = api.as_user(technician).post(
        "/api/v1/stock/receipts/",
        {"material": "SCREW-8", "location": "fablab-rack", "quantity": "2.5", "reason": "x"},
        format="json",
    )

    assert response.status_code == 400
    assert "quantity" in response.json()["errors"]


def test_a_member_of_two_coops_must_say_whom_a_drawdown_is_for(api, coop_member, plywood, shared):
    MembershipFactory(user=coop_member, producer=ProducerFactory())

    response = drawdown(api, coop_member, quantity="1")

    assert response.status_code == 400
    assert "producer" in response.json()["errors"]


# --- Counts and transfers ------------------------------------------------------------


def test_a_count_records_the_difference(api, technician, plywood, shared):
    response = api.as_user(technician).post(
        "/api/v1/stock/adjustments/",
        {
            "material": "PLY-3MM",
            "location": "fablab-rack",
            "counted": "8",
            "reason": "monthly count",
        },
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["movements"][0]["quantity"] == "-2.000"
    assert balance(plywood, shared).on_hand == Decimal("8")


def test_a_count_that_matches_records_nothing(api, technician, plywood, shared):
    response = api.as_user(technician).post(
        "/api/v1/stock/adjustments/",
        {"material": "PLY-3MM", "location": "fablab-rack", "counted": "10", "reason": "count"},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["movements"] == []
    assert not StockMovement.objects.filter(kind="adjustment").exists()


def test_a_coop_cannot_count_the_shared_store(api, coop_member, plywood, shared):
    response = api.as_user(coop_member).post(
        "/api/v1/stock/adjustments/",
        {"material": "PLY-3MM", "location": "fablab-rack", "counted": "0", "reason": "count"},
        format="json",
    )

    assert response.status_code == 403
    assert balance(plywood, shared).on_hand == Decimal("10")


def test_a_count_below_what_is_reserved_is_a_conflict(api, technician, plywood, shared):
    stock_reserve(lines=[StockLine(plywood, shared, Decimal("4"))], by=None, reason="job")

    response = api.as_user(technician).post(
        "/api/v1/stock/adjustments/",
        {"material": "PLY-3MM", "location": "fablab-rack", "counted": "3", "reason": "count"},
        format="json",
    )

    assert response.status_code == 409
    assert response.json()["code"] == "count_below_reserved"


def test_fablab_staff_move_shared_stock_onto_a_coops_shelf(
    api, technician, plywood, shared, own_shelf
):
    response = api.as_user(technician).post(
        "/api/v1/stock/transfers/",
        {
            "material": "PLY-3MM",
            "source": "fablab-rack",
            "destination": "coop-shelf",
            "quantity": "4",
            "reason": "shelves job",
        },
        format="json",
    )

    assert response.status_code == 201
    kinds = sorted(m["kind"] for m in response.json()["movements"])
    assert kinds == ["transfer_in", "transfer_out"]
    assert balance(plywood, shared).on_hand == Decimal("6")
    assert balance(plywood, own_shelf).on_hand == Decimal("4")


def test_a_transfer_to_the_same_place_is_a_field_error(api, technician, plywood):
    response = api.as_user(technician).post(
        "/api/v1/stock/transfers/",
        {
            "material": "PLY-3MM",
            "source": "fablab-rack",
            "destination": "fablab-rack",
            "quantity": "1",
            "reason": "x",
        },
        format="json",
    )

    assert response.status_code == 400
    assert "destination" in response.json()["errors"]


# --- Usage report ---------------------------------------------------------------


@pytest.fixture
def usage(plywood, shared, coop, other_coop):
    stock_draw_down(
        material=plywood, location=shared, quantity="2", by=None, reason="a", producer=coop
    )
    stock_draw_down(
        material=plywood, location=shared, quantity="3", by=None, reason="b", producer=other_coop
    )


def test_usage_report_shows_fablab_staff_every_producers_use_and_cost(
    api, technician, usage, coop, other_coop
):
    month = timezone.localdate().strftime("%Y-%m")
    response = api.as_user(technician).get(f"/api/v1/reports/materials-usage/?month={month}")

    rows = {(r["producer"], r["drawn_down"], r["cost"]) for r in response.json()["rows"]}
    assert rows == {(coop.slug, "2.000", "25.00"), (other_coop.slug, "3.000", "37.50")}
    assert response.json()["total_cost"] == "62.50"


def test_usage_report_shows_a_coop_its_own_rows_only(api, coop_member, usage, coop):
    response = api.as_user(coop_member).get("/api/v1/reports/materials-usage/")

    assert [r["producer"] for r in response.json()["rows"]] == [coop.slug]


def test_usage_report_for_another_month_is_empty(api, technician, usage):
    response = api.as_user(technician).get("/api/v1/reports/materials-usage/?month=2001-01")

    assert response.json()["rows"] == []


@pytest.mark.parametrize(
    "month", ["2026-13", "26-1x", "last month", "9999-12", "1999-12", "2026-1"]
)
def test_usage_report_refuses_a_bad_month(api, technician, month):
    response = api.as_user(technician).get(f"/api/v1/reports/materials-usage/?month={month}")

    assert response.status_code == 400
    assert "month" in response.json()["errors"]


def test_manager_role_is_not_needed_for_drawdowns(api, coop, plywood, shared):
    member = MembershipFactory(producer=coop, role=Membership.Role.MEMBER).user

    assert drawdown(api, member, quantity="1").status_code == 201


@pytest.mark.parametrize(
    "url", ["/api/v1/materials/", "/api/v1/stock/", "/api/v1/stock-movements/"]
)
def test_lists_run_a_fixed_number_of_queries(
    api, technician, shared, coop, url, django_assert_max_num_queries
):
    for _ in range(6):
        material = MaterialFactory()
        stock_receive(material=material, location=shared, quantity="9", by=technician, reason="in")
        stock_draw_down(
            material=material,
            location=shared,
            quantity="1",
            by=technician,
            reason="out",
            producer=coop,
        )
    api.as_user(technician).get(url)  # warm the per-user membership cache

    with django_assert_max_num_queries(5):
        response = api.as_user(technician).get(url)

    assert response.status_code == 200
    assert response.json()["count"] >= 6
