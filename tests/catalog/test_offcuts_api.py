"""The offcut endpoints: 201 with the piece, 400 by field, 409 with a code, scoped lists."""

from decimal import Decimal

import pytest

from catalog.models import Offcut, StockMovement
from catalog.services.stock import stock_receive
from tests.factories import MaterialFactory, MembershipFactory, SharedLocationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def rack():
    return SharedLocationFactory(code="sheet-rack")


@pytest.fixture
def acrylic(rack):
    material = MaterialFactory(sku="ACR-CLEAR", sheet_width_mm=600, sheet_height_mm=400)
    stock_receive(material=material, location=rack, quantity="2", by=None, reason="in")
    return material


@pytest.fixture
def member(coop):
    return MembershipFactory(producer=coop).user


def body(**extra):
    return {
        "material": "ACR-CLEAR",
        "location": "sheet-rack",
        "width_mm": 300,
        "height_mm": 200,
        "kept_at": "Acrylic bin",
        "source": "Drawdown for the sign shop",
        **extra,
    }


def test_a_member_records_an_offcut_on_the_shared_rack(api, acrylic, member):
    api.as_user(member)

    response = api.post("/api/v1/offcuts/", body(), format="json")

    assert response.status_code == 201
    data = response.json()
    assert (data["size"], data["quantity"], data["status"]) == (
        "300 × 200 mm",
        "0.250",
        "available",
    )
    assert data["value"] == "3.13"  # a quarter of a 12.50 sheet
    assert Offcut.objects.get().created_by == member


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"width_mm": 700, "height_mm": 500}, "width_mm"),
        ({"width_mm": 0}, "width_mm"),
        ({"height_mm": -20}, "height_mm"),
        ({"kept_at": ""}, "kept_at"),
    ],
)
def test_bad_sizes_answer_400_by_field_and_save_nothing(api, acrylic, member, extra, field):
    api.as_user(member)
    rows = StockMovement.objects.count()

    response = api.post("/api/v1/offcuts/", body(**extra), format="json")

    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not Offcut.objects.exists()
    assert StockMovement.objects.count() == rows


def test_search_by_material_and_minimum_size(api, acrylic, member):
    api.as_user(member)
    api.post("/api/v1/offcuts/", body(), format="json")
    api.post("/api/v1/offcuts/", body(width_mm=150, height_mm=100), format="json")

    found = api.get("/api/v1/offcuts/?material=ACR-CLEAR&min_width_mm=250&min_height_mm=180")

    assert [o["size"] for o in found.json()["results"]] == ["300 × 200 mm"]
    assert api.get("/api/v1/offcuts/?min_width_mm=abc").status_code == 400


def test_drawing_down_then_discarding_the_same_piece_answers_409(api, acrylic, member, rack):
    api.as_user(member)
    piece = api.post("/api/v1/offcuts/", body(), format="json").json()

    used = api.post(f"/api/v1/offcuts/{piece['id']}/draw-down/", {"reason": "Sign"}, format="json")
    again = api.post(f"/api/v1/offcuts/{piece['id']}/draw-down/", {"reason": "Sign"}, format="json")

    assert used.status_code == 200
    assert used.json()["status"] == "used"
    assert again.status_code == 409
    assert again.json()["code"] == "offcut_unavailable"
    assert acrylic.balances.get().on_hand == Decimal("1.750")


def test_only_the_racks_keepers_discard_a_piece(api, acrylic, member, technician):
    api.as_user(member)
    piece = api.post("/api/v1/offcuts/", body(), format="json").json()
    url = f"/api/v1/offcuts/{piece['id']}/discard/"

    refused = api.post(url, {"reason": "Scratched"}, format="json")
    api.as_user(technician)
    discarded = api.post(url, {"reason": "Scratched"}, format="json")

    assert refused.status_code == 403
    assert discarded.status_code == 200
    assert discarded.json()["discard_reason"] == "Scratched"


def test_the_usage_report_shows_what_offcuts_saved(api, coop, member, rack):
    felt = MaterialFactory(sku="FELT", unit="m", unit_cost=Decimal("10.00"))
    stock_receive(material=felt, location=rack, quantity="5", by=None, reason="in")
    api.as_user(member)
    piece = api.post(
        "/api/v1/offcuts/",
        {
            "material": "FELT",
            "location": "sheet-rack",
            "amount": "0.8",
            "kept_at": "Roll ends",
            "source": "Tote run",
        },
        format="json",
    ).json()
    api.post(
        f"/api/v1/offcuts/{piece['id']}/draw-down/",
        {"reason": "Coaster backs", "quantity": "0.5"},
        format="json",
    )

    report = api.get("/api/v1/reports/materials-usage/").json()

    (row,) = report["rows"]
    assert (row["producer"], row["drawn_down"], row["from_offcuts"]) == (
        coop.slug,
        "0.500",
        "0.500",
    )
    assert (row["cost"], row["saved"], report["total_saved"]) == ("5.00", "5.00", "5.00")
