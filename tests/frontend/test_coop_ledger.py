"""A co-op's ledger page: its own movements and draw-downs, filtered, paged, as CSV; and
moving stock between its shelves."""

import csv
import datetime
import io

import pytest
from django.utils import timezone

from catalog.models import StockBalance, StockLocation, StockMovement
from catalog.services.stock import stock_draw_down, stock_receive
from frontend.workbench import ledger as ledger_views
from producers.models import Membership
from tests.factories import (
    FabLabFactory,
    MaterialFactory,
    MembershipFactory,
    ProducerFactory,
    SharedLocationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def woodshop():
    return ProducerFactory(name="West Jackson Woodshop", slug="woodshop")


@pytest.fixture
def sewing():
    return ProducerFactory(name="Common Thread Sewing", slug="sewing")


@pytest.fixture
def manager(woodshop):
    return MembershipFactory(
        producer=woodshop, role=Membership.Role.MANAGER, user=UserFactory(username="marcus")
    ).user


@pytest.fixture
def shared():
    return SharedLocationFactory(producer=FabLabFactory(), code="shared-rack", name="Shared rack")


def shelf(producer, code, name):
    return StockLocation.objects.create(producer=producer, code=code, name=name)


@pytest.fixture
def front(woodshop):
    return shelf(woodshop, "wood-front", "Front shelf")


@pytest.fixture
def back(woodshop):
    return shelf(woodshop, "wood-back", "Back shelf")


@pytest.fixture
def walnut():
    return MaterialFactory(sku="WALNUT-4-4", name="Walnut board")


@pytest.fixture
def canvas():
    return MaterialFactory(sku="CANVAS-10OZ", name="Canvas 10 oz", unit="m")


LEDGER = "/workbench/co-ops/woodshop/ledger/"
CSV = "/workbench/co-ops/woodshop/ledger.csv"
TRANSFER = "/workbench/co-ops/woodshop/ledger/transfer/"


def receive(material, location, quantity, reason="in"):
    return stock_receive(
        material=material, location=location, quantity=quantity, by=None, reason=reason
    )


def reasons(response) -> set[str]:
    return {m.shown_reason for m in response.context["page"].object_list}


def test_the_ledger_holds_the_co_ops_shelves_and_its_draw_downs_only(
    client, manager, woodshop, sewing, front, shared, walnut, canvas
):
    receive(walnut, front, 10, "woodshop delivery")
    receive(canvas, shelf(sewing, "sew-1", "Bolts"), 10, "sewing delivery")
    receive(walnut, shared, 10, "Fab Lab delivery")
    for producer, why in ((woodshop, "woodshop job"), (sewing, "sewing job")):
        stock_draw_down(
            material=walnut, location=shared, quantity=1, by=None, reason=why, producer=producer
        )
    client.force_login(manager)

    response = client.get(LEDGER)

    assert response.status_code == 200
    assert reasons(response) == {"woodshop delivery", "woodshop job"}


def test_the_ledger_filters_by_material_location_and_kind(
    client, manager, woodshop, front, back, walnut, canvas
):
    receive(walnut, front, 10, "walnut in")
    receive(canvas, front, 10, "canvas in")
    receive(walnut, back, 10, "walnut in at the back")
    stock_draw_down(
        material=walnut, location=front, quantity=2, by=None, reason="walnut out", producer=woodshop
    )
    client.force_login(manager)

    by_material = client.get(LEDGER, {"material": canvas.pk})
    by_shelf_and_kind = client.get(
        LEDGER, {"location": front.pk, "material": walnut.pk, "kind": "drawdown"}
    )

    assert reasons(by_material) == {"canvas in"}
    assert reasons(by_shelf_and_kind) == {"walnut out"}


def test_the_ledger_filters_by_month(client, manager, front, walnut, monkeypatch):
    # Ledger rows are never edited: the October row is written while it is October.
    with monkeypatch.context() as patch:
        october = datetime.datetime(2026, 10, 31, 23, 30, tzinfo=timezone.get_current_timezone())
        patch.setattr(timezone, "now", lambda: october)
        receive(walnut, front, 5, "october")
    receive(walnut, front, 5, "this month")
    client.force_login(manager)

    response = client.get(LEDGER, {"month": "2026-10"})

    assert reasons(response) == {"october"}


@pytest.mark.parametrize("month", ["October", "2026-13", "0-01", "99999-01"])
def test_a_bad_month_is_refused_beside_the_field(client, manager, front, walnut, month):
    receive(walnut, front, 5)
    client.force_login(manager)

    response = client.get(LEDGER, {"month": month})

    assert response.status_code == 400
    assert response.context["filter_form"].errors["month"]


def test_the_ledger_is_paged_newest_first(client, manager, front, walnut, monkeypatch):
    monkeypatch.setattr(ledger_views, "PER_PAGE", 3)
    for n in range(7):
        receive(walnut, front, 1, f"batch {n}")
    client.force_login(manager)

    first = client.get(LEDGER)
    last = client.get(LEDGER, {"page": 3})

    assert reasons(first) == {"batch 6", "batch 5", "batch 4"}
    assert reasons(last) == {"batch 0"}


def test_the_csv_holds_the_filtered_rows(client, manager, woodshop, front, walnut, canvas):
    receive(walnut, front, 10, "walnut in")
    receive(canvas, front, 4, "=HYPERLINK(evil)")
    client.force_login(manager)

    response = client.get(CSV, {"material": canvas.pk})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [(r["sku"], r["quantity"], r["reason"]) for r in rows] == [
        ("CANVAS-10OZ", "4.000", "'=HYPERLINK(evil)")
    ]


def test_a_manager_moves_stock_between_the_co_ops_shelves(
    client, manager, woodshop, front, back, walnut
):
    receive(walnut, front, 10)
    client.force_login(manager)

    response = client.post(
        TRANSFER,
        {
            "transfer-material": walnut.pk,
            "transfer-source": front.pk,
            "transfer-destination": back.pk,
            "transfer-quantity": "4",
            "transfer-reason": "Closer to the saw",
        },
    )

    assert response.status_code == 302
    balances = {b.location_id: b.on_hand for b in StockBalance.objects.filter(material=walnut)}
    assert balances == {front.pk: 6, back.pk: 4}
    kinds = StockMovement.objects.filter(material=walnut).values_list("kind", "producer")
    assert set(kinds) >= {("transfer_out", woodshop.pk), ("transfer_in", woodshop.pk)}


def transfer(client, material, source, destination, quantity="1"):
    return client.post(
        TRANSFER,
        {
            "transfer-material": material.pk,
            "transfer-source": source.pk,
            "transfer-destination": destination.pk,
            "transfer-quantity": quantity,
            "transfer-reason": "x",
        },
    )


def test_moving_stock_into_the_shared_store_is_refused_beside_the_field(
    client, manager, front, shared, walnut
):
    receive(walnut, front, 10)
    client.force_login(manager)
    rows = StockMovement.objects.count()

    response = transfer(client, walnut, front, shared)

    assert response.status_code == 400
    assert response.context["transfer_form"].errors["destination"]
    assert StockMovement.objects.count() == rows


def test_moving_stock_to_another_co_ops_shelf_is_refused(client, manager, sewing, front, walnut):
    receive(walnut, front, 10)
    client.force_login(manager)

    response = transfer(client, walnut, front, shelf(sewing, "sew-1", "Bolts"))

    assert response.status_code == 400
    assert response.context["transfer_form"].errors["destination"]
    assert StockBalance.objects.get(material=walnut).on_hand == 10


@pytest.mark.parametrize("quantity", ["0", "-3"])
def test_moving_nothing_or_less_is_refused(client, manager, front, back, walnut, quantity):
    receive(walnut, front, 10)
    client.force_login(manager)

    response = transfer(client, walnut, front, back, quantity)

    assert response.status_code == 400
    assert response.context["transfer_form"].errors["quantity"]


def test_moving_more_than_is_free_is_refused_with_what_is_there(
    client, manager, front, back, walnut
):
    receive(walnut, front, 2)
    client.force_login(manager)

    response = transfer(client, walnut, front, back, "5")

    assert response.status_code == 409
    assert "Only 2" in response.context["transfer_form"].errors["quantity"][0]
    assert StockMovement.objects.filter(kind="transfer_out").count() == 0


def test_a_member_cannot_move_stock(client, woodshop, front, back, walnut):
    member = MembershipFactory(producer=woodshop, user=UserFactory()).user
    receive(walnut, front, 10)
    client.force_login(member)

    response = transfer(client, walnut, front, back)

    assert response.status_code == 403
    assert StockMovement.objects.filter(kind="transfer_out").count() == 0


def test_a_ledger_page_costs_the_same_few_queries_for_many_rows(
    client, manager, front, back, walnut, canvas, django_assert_max_num_queries
):
    for n in range(30):
        receive(walnut if n % 2 else canvas, front if n % 3 else back, 1, f"batch {n}")
    client.force_login(manager)

    with django_assert_max_num_queries(14):
        response = client.get(LEDGER)

    assert len(response.context["page"].object_list) == 30
