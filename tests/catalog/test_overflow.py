"""Whatever the columns can hold, the reads that sum them answer: no aggregate overflows
what a response shows, and input cannot reach the columns' limits."""

from decimal import Decimal

import pytest
from django.utils import timezone

from catalog.models import StockBalance, StockMovement
from catalog.services.stock import clean_quantity
from tests.factories import MaterialFactory, SharedLocationFactory

pytestmark = pytest.mark.django_db

MOST_A_COLUMN_HOLDS = Decimal("99999999999.999")
DEAREST = Decimal("99999999.9999")


@pytest.fixture
def brimming(fablab, coop):
    """A material whose shared shelves each hold the most the column can (old data)."""
    material = MaterialFactory(sku="BRIM", unit_cost=DEAREST)
    for n in range(3):
        location = SharedLocationFactory(producer=fablab, code=f"rack-{n}")
        balance = StockBalance.objects.create(
            material=material, location=location, on_hand=MOST_A_COLUMN_HOLDS
        )
        StockMovement.objects.create(
            balance=balance,
            material=material,
            location=location,
            kind=StockMovement.Kind.DRAWDOWN,
            producer=coop,
            quantity=-MOST_A_COLUMN_HOLDS,
            on_hand_after=MOST_A_COLUMN_HOLDS,
            reserved_after=0,
            unit_cost=DEAREST,
            reason="used",
        )
    return material


@pytest.mark.usefixtures("brimming")
def test_the_material_list_shows_shared_sums_past_what_one_shelf_holds(api, technician):
    response = api.as_user(technician).get("/api/v1/materials/")

    assert response.status_code == 200
    item = response.json()["results"][0]
    assert Decimal(item["shared_on_hand"]) == 3 * MOST_A_COLUMN_HOLDS


@pytest.mark.usefixtures("brimming")
def test_one_material_shows_shared_sums_past_what_one_shelf_holds(api, coop_member):
    response = api.as_user(coop_member).get("/api/v1/materials/BRIM/")

    assert response.status_code == 200
    assert Decimal(response.json()["shared_available"]) == 3 * MOST_A_COLUMN_HOLDS


@pytest.mark.usefixtures("brimming")
def test_the_usage_report_shows_costs_past_what_one_row_holds(api, technician):
    month = timezone.localdate().strftime("%Y-%m")

    response = api.as_user(technician).get(f"/api/v1/reports/materials-usage/?month={month}")

    assert response.status_code == 200
    total = Decimal(response.json()["total_cost"])
    # SQLite sums in floating point: equal to fifteen significant digits.
    assert total == pytest.approx(3 * MOST_A_COLUMN_HOLDS * DEAREST, rel=Decimal("1e-14"))


def test_no_single_quantity_may_pass_what_any_shelf_may_hold():
    material = MaterialFactory()

    with pytest.raises(Exception, match="too large"):
        clean_quantity(material, "1000000000.001")
