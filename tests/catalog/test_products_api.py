import threading
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from rest_framework import serializers

from catalog import selectors
from catalog.api.product_serializers import ProductSerializer
from catalog.exceptions import InsufficientStock
from catalog.models import BillOfMaterialsLine, Product, StockBalance
from catalog.search import product_search
from catalog.services.products import finished_goods_location, product_stock_receive
from catalog.services.stock import StockLine, stock_receive, stock_reserve
from tests.factories import (
    CapabilityFactory,
    CategoryFactory,
    MaterialFactory,
    ProducerFactory,
    SharedLocationFactory,
    StockLocationFactory,
    make_product,
)

pytestmark = pytest.mark.django_db

Status = Product.Status
MADE_TO_ORDER = Product.Fulfilment.MADE_TO_ORDER


def slugs(response) -> list[str]:
    return [p["slug"] for p in response.json()["results"]]


# --- Who sees what ------------------------------------------------------------------


def test_the_public_sees_published_products_only(api, coop):
    make_product(producer=coop, title="Cutting board")
    make_product(producer=coop, title="Secret prototype", status=Status.DRAFT)
    make_product(producer=coop, title="Old stool", status=Status.ARCHIVED)

    assert slugs(api.get("/api/v1/products/")) == ["cutting-board"]
    assert api.get("/api/v1/products/secret-prototype/").status_code == 404


def test_members_also_see_their_own_drafts(api, coop, coop_member):
    make_product(producer=coop, title="Secret prototype", status=Status.DRAFT)

    response = api.as_user(coop_member).get("/api/v1/products/secret-prototype/")

    assert response.status_code == 200
    assert response.json()["status"] == "draft"


def test_other_coops_cannot_see_a_draft(api, coop, other_manager):
    make_product(producer=coop, title="Secret prototype", status=Status.DRAFT)

    assert slugs(api.as_user(other_manager).get("/api/v1/products/")) == []
    assert api.as_user(other_manager).get("/api/v1/products/secret-prototype/").status_code == 404


# --- Filters, search and ordering ----------------------------------------------------


@pytest.fixture
def shelf():
    woodshop = ProducerFactory(name="West Jackson Woodshop", slug="woodshop")
    sewing = ProducerFactory(name="Common Thread Sewing", slug="sewing")
    kitchen = CategoryFactory(slug="kitchen", name="Kitchen")
    bags = CategoryFactory(slug="bags", name="Bags")
    board = make_product(
        producer=woodshop,
        title="Walnut cutting board",
        price=Decimal("45.00"),
        category=kitchen,
        description="End-grain walnut, oiled.",
    )
    coasters = make_product(
        producer=woodshop,
        title="Plywood coasters",
        price=Decimal("12.00"),
        category=kitchen,
        fulfilment=MADE_TO_ORDER,
        lead_time_days=3,
        description="Laser-engraved birch.",
    )
    tote = make_product(
        producer=sewing,
        title="Market tote",
        price=Decimal("28.00"),
        category=bags,
        description="Heavy canvas tote with webbing handles.",
    )
    product_stock_receive(product=board, quantity=2, by=None, reason="made")
    return {"board": board, "coasters": coasters, "tote": tote}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("category=kitchen", {"walnut-cutting-board", "plywood-coasters"}),
        ("producer=sewing", {"market-tote"}),
        ("min_price=20", {"walnut-cutting-board", "market-tote"}),
        ("max_price=20", {"plywood-coasters"}),
        ("min_price=20&max_price=30", {"market-tote"}),
        ("fulfilment=made_to_order", {"plywood-coasters"}),
        ("in_stock=true", {"walnut-cutting-board"}),
        ("in_stock=false", {"plywood-coasters", "market-tote"}),
        ("q=walnut", {"walnut-cutting-board"}),
        ("q=canvas", {"market-tote"}),
        ("q=bags", {"market-tote"}),
        ("q=woodshop", {"walnut-cutting-board", "plywood-coasters"}),
        ("q=nothing-like-this", set()),
    ],
)
def test_filters_and_search_find_the_right_products(api, shelf, query, expected):
    response = api.get(f"/api/v1/products/?{query}")

    assert response.status_code == 200
    assert set(slugs(response)) == expected


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        ("price", ["plywood-coasters", "market-tote", "walnut-cutting-board"]),
        ("-price", ["walnut-cutting-board", "market-tote", "plywood-coasters"]),
        ("title", ["market-tote", "plywood-coasters", "walnut-cutting-board"]),
        ("newest", ["market-tote", "plywood-coasters", "walnut-cutting-board"]),
    ],
)
def test_ordering(api, shelf, ordering, expected):
    assert slugs(api.get(f"/api/v1/products/?ordering={ordering}")) == expected


def test_an_unknown_ordering_is_a_field_error(api):
    response = api.get("/api/v1/products/?ordering=popularity")

    assert response.status_code == 400
    assert "ordering" in response.json()["errors"]


def test_search_ranks_the_better_match_first(api, coop):
    make_product(
        producer=coop, title="Garden bench", description="Seats two; pairs with a planter."
    )
    make_product(producer=coop, title="Cedar planter", description="A raised planter for herbs.")

    assert slugs(api.get("/api/v1/products/?q=planter")) == ["cedar-planter", "garden-bench"]


@pytest.mark.postgres
def test_search_uses_the_gin_index(coop):
    for n in range(30):
        make_product(producer=coop, title=f"Stool {n}")
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
    plan = product_search(Product.objects.all(), "stool").explain()

    assert "product_search_gin" in plan


@pytest.mark.parametrize("page_size", [1, 50])
def test_the_list_costs_the_same_few_queries_at_any_page_size(
    api, page_size, django_assert_max_num_queries
):
    shared = SharedLocationFactory()
    plywood = MaterialFactory()
    stock_receive(material=plywood, location=shared, quantity="100", by=None, reason="in")
    for n in range(60):
        product = make_product(
            title=f"Thing {n}",
            fulfilment=MADE_TO_ORDER if n % 2 else Product.Fulfilment.STOCK,
            open_design=n % 4 == 1,
            lead_time_days=2,
        )
        if product.made_to_order:
            BillOfMaterialsLine.objects.create(product=product, material=plywood, quantity=1)

    with django_assert_max_num_queries(5):
        response = api.get(f"/api/v1/products/?page_size={page_size}")

    assert len(response.json()["results"]) == page_size


# --- Availability -------------------------------------------------------------------


def test_a_stock_product_shows_its_free_quantity(api, coop):
    product = make_product(producer=coop, title="Stool")
    product_stock_receive(product=product, quantity=5, by=None, reason="made")
    stock_reserve(
        lines=[StockLine(product.stock_item, finished_goods_location(coop), Decimal("2"))],
        by=None,
        reason="order",
    )

    availability = api.get("/api/v1/products/stool/").json()["availability"]

    assert availability["in_stock"] is True
    assert availability["quantity"] == "3.000"


@pytest.fixture
def planter(coop):
    product = make_product(
        producer=coop, title="Planter", fulfilment=MADE_TO_ORDER, lead_time_days=5
    )
    pine = MaterialFactory(sku="PINE")
    BillOfMaterialsLine.objects.create(product=product, material=pine, quantity=Decimal("4"))
    return product


def test_made_to_order_can_be_made_when_the_shared_store_has_the_materials(api, planter):
    stock_receive(
        material=planter.bom_lines.get().material,
        location=SharedLocationFactory(),
        quantity="4",
        by=None,
        reason="in",
    )

    availability = api.get("/api/v1/products/planter/").json()["availability"]

    assert availability == {
        "in_stock": False,
        "quantity": None,
        "can_make_now": True,
        "lead_time_days": 5,
    }


def test_made_to_order_cannot_be_made_when_materials_are_short(api, planter):
    stock_receive(
        material=planter.bom_lines.get().material,
        location=SharedLocationFactory(),
        quantity="3",
        by=None,
        reason="in",
    )

    assert api.get("/api/v1/products/planter/").json()["availability"]["can_make_now"] is False


def test_another_coops_shelf_does_not_make_a_product_available(api, planter, other_coop):
    stock_receive(
        material=planter.bom_lines.get().material,
        location=StockLocationFactory(producer=other_coop),
        quantity="10",
        by=None,
        reason="in",
    )

    assert api.get("/api/v1/products/planter/").json()["availability"]["can_make_now"] is False


def test_an_open_design_is_available_when_a_capable_coop_has_the_materials(api, planter):
    planter.open_design = True
    planter.save()
    planter.required_capabilities.set([CapabilityFactory(slug="woodworking")])
    capable = ProducerFactory(capabilities=["woodworking"])
    stock_receive(
        material=planter.bom_lines.get().material,
        location=StockLocationFactory(producer=capable),
        quantity="4",
        by=None,
        reason="in",
    )

    assert api.get("/api/v1/products/planter/").json()["availability"]["can_make_now"] is True


# --- Writes ----------------------------------------------------------------------------


def test_a_member_adds_a_product_to_their_own_coop(api, coop, coop_member):
    response = api.as_user(coop_member).post(
        "/api/v1/products/",
        {
            "title": "Cedar planter",
            "price": "35.00",
            "fulfilment": "made_to_order",
            "lead_time_days": 7,
        },
        format="json",
    )

    assert response.status_code == 201
    product = Product.objects.get(slug="cedar-planter")
    assert product.producer == coop
    assert product.status == Status.DRAFT


def test_a_new_stock_product_gets_its_count_in_the_ledger(api, coop, coop_member):
    api.as_user(coop_member).post(
        "/api/v1/products/", {"title": "Stool", "price": "60.00"}, format="json"
    )

    product = Product.objects.get(slug="stool")
    assert product.stock_item.sku == f"FG-{product.pk}"


def test_a_product_cannot_be_added_to_another_coop(api, coop_member, other_coop):
    response = api.as_user(coop_member).post(
        "/api/v1/products/",
        {"title": "Not ours", "price": "10.00", "producer": other_coop.slug},
        format="json",
    )

    assert response.status_code == 403
    assert not Product.objects.filter(title="Not ours").exists()


def test_residents_cannot_add_products(api, resident):
    response = api.as_user(resident).post(
        "/api/v1/products/", {"title": "Mine", "price": "10.00"}, format="json"
    )

    assert response.status_code == 403


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "Free", "price": "0"}, "price"),
        ({"title": "Owed", "price": "-5"}, "price"),
        ({"title": "Cents", "price": "1.005"}, "price"),
        ({"title": "x" * 161, "price": "5"}, "title"),
        ({"title": "Slow", "price": "5", "lead_time_days": 400}, "lead_time_days"),
        ({"title": "Open", "price": "5", "open_design": True}, "open_design"),
        ({"title": "Lost", "price": "5", "category": "no-such-category"}, "category"),
        (
            {"title": "Magic", "price": "5", "required_capabilities": ["magic"]},
            "required_capabilities",
        ),
        ({"price": "5"}, "title"),
    ],
)
def test_bad_products_get_field_errors(api, coop_member, body, field):
    response = api.as_user(coop_member).post("/api/v1/products/", body, format="json")

    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not Product.objects.exists()


def test_a_member_edits_their_product(api, coop, coop_member):
    make_product(producer=coop, title="Stool", price=Decimal("60.00"))

    response = api.as_user(coop_member).patch(
        "/api/v1/products/stool/", {"price": "65.00"}, format="json"
    )

    assert response.status_code == 200
    assert Product.objects.get(slug="stool").price == Decimal("65.00")


def test_another_coop_cannot_edit_a_product(api, coop, other_manager):
    make_product(producer=coop, title="Stool", price=Decimal("60.00"))

    response = api.as_user(other_manager).patch(
        "/api/v1/products/stool/", {"price": "1.00"}, format="json"
    )

    assert response.status_code == 403
    assert Product.objects.get(slug="stool").price == Decimal("60.00")


def test_a_member_cannot_move_a_product_to_another_coop(api, coop, coop_member, other_coop):
    make_product(producer=coop, title="Stool")

    api.as_user(coop_member).patch(
        "/api/v1/products/stool/", {"producer": other_coop.slug}, format="json"
    )

    assert Product.objects.get(slug="stool").producer == coop


def test_deleting_archives_the_product(api, coop, coop_member):
    make_product(producer=coop, title="Stool")

    response = api.as_user(coop_member).delete("/api/v1/products/stool/")

    assert response.status_code == 204
    assert Product.objects.get(slug="stool").status == Status.ARCHIVED
    api.force_authenticate(user=None)
    assert slugs(api.get("/api/v1/products/")) == []


# --- Bill of materials ---------------------------------------------------------------


def test_members_replace_the_bill_of_materials(api, coop_member, planter):
    MaterialFactory(sku="SCREWS", unit="each")

    response = api.as_user(coop_member).put(
        "/api/v1/products/planter/bom/",
        {
            "lines": [
                {"material": "PINE", "quantity": "3"},
                {"material": "SCREWS", "quantity": "24"},
            ]
        },
        format="json",
    )

    assert response.status_code == 200
    assert {(line["material"], line["quantity"]) for line in response.json()} == {
        ("PINE", "3.000"),
        ("SCREWS", "24.000"),
    }


def test_anyone_reads_the_bill_of_materials_of_a_published_product(api, planter):
    response = api.get("/api/v1/products/planter/bom/")

    assert [line["material"] for line in response.json()] == ["PINE"]


def test_another_coop_cannot_change_the_bill_of_materials(api, other_manager, planter):
    response = api.as_user(other_manager).put(
        "/api/v1/products/planter/bom/", {"lines": []}, format="json"
    )

    assert response.status_code == 403
    assert planter.bom_lines.count() == 1


@pytest.mark.parametrize(
    "lines",
    [
        [{"material": "PINE", "quantity": "1"}, {"material": "PINE", "quantity": "2"}],
        [{"material": "NOPE", "quantity": "1"}],
        [{"material": "PINE", "quantity": "0"}],
    ],
)
def test_a_bad_bill_of_materials_changes_nothing(api, coop_member, planter, lines):
    response = api.as_user(coop_member).put(
        "/api/v1/products/planter/bom/", {"lines": lines}, format="json"
    )

    assert response.status_code == 400
    assert planter.bom_lines.get().quantity == Decimal("4")


def test_a_finished_good_cannot_be_a_material(api, coop, coop_member, planter):
    stool = make_product(producer=coop, title="Stool")

    response = api.as_user(coop_member).put(
        "/api/v1/products/planter/bom/",
        {"lines": [{"material": stool.stock_item.sku, "quantity": "1"}]},
        format="json",
    )

    assert response.status_code == 400


# --- Finished-goods stock ---------------------------------------------------------------


def test_members_record_finished_goods_through_the_ledger(api, coop, coop_member):
    make_product(producer=coop, title="Stool")

    response = api.as_user(coop_member).post(
        "/api/v1/products/stool/stock/",
        {"action": "receipt", "quantity": "4", "reason": "Saturday build"},
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    assert body["balances"][0]["on_hand"] == "4.000"
    assert body["movements"][0]["kind"] == "receipt"
    assert body["movements"][0]["created_by"] == "coop-member"


def test_a_finished_goods_count_records_the_difference(api, coop, coop_member):
    product = make_product(producer=coop, title="Stool")
    product_stock_receive(product=product, quantity=4, by=None, reason="made")

    response = api.as_user(coop_member).post(
        "/api/v1/products/stool/stock/",
        {"action": "count", "quantity": "3", "reason": "one sold at the market"},
        format="json",
    )

    assert response.json()["movements"][0]["quantity"] == "-1.000"


def test_finished_goods_come_in_whole_units(api, coop, coop_member):
    make_product(producer=coop, title="Stool")

    response = api.as_user(coop_member).post(
        "/api/v1/products/stool/stock/",
        {"action": "receipt", "quantity": "1.5", "reason": "half a stool"},
        format="json",
    )

    assert response.status_code == 400


def test_another_coop_cannot_touch_a_products_stock(api, coop, other_manager):
    make_product(producer=coop, title="Stool")

    response = api.as_user(other_manager).post(
        "/api/v1/products/stool/stock/",
        {"action": "receipt", "quantity": "9", "reason": "x"},
        format="json",
    )

    assert response.status_code == 403
    assert not StockBalance.objects.filter(on_hand=9).exists()


def test_made_to_order_goods_keep_no_stock_count(api, coop_member, planter):
    response = api.as_user(coop_member).get("/api/v1/products/planter/stock/")

    assert response.status_code == 400


# --- Concurrency -------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_thirty_buyers_racing_for_the_last_ten_stools_get_exactly_ten():
    coop = ProducerFactory()
    product = make_product(producer=coop, title="Stool")
    product_stock_receive(product=product, quantity=10, by=None, reason="made")
    location = finished_goods_location(coop)
    barrier = threading.Barrier(30)
    outcomes = []

    def buy():
        try:
            barrier.wait()
            stock_reserve(
                lines=[StockLine(product.stock_item, location, Decimal("1"))],
                by=None,
                reason="order",
            )
            outcomes.append("reserved")
        except InsufficientStock:
            outcomes.append("sold out")
        finally:
            connection.close()

    threads = [threading.Thread(target=buy) for _ in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert outcomes.count("reserved") == 10
    assert outcomes.count("sold out") == 20
    balance = StockBalance.objects.get(material=product.stock_item, location=location)
    assert (balance.on_hand, balance.reserved) == (10, 10)


@pytest.mark.parametrize("fulfilment", [Product.Fulfilment.STOCK, MADE_TO_ORDER])
def test_the_list_shape_matches_the_declared_serializer_fields(coop, fulfilment):
    """The list builds its rows by hand for speed; DRF's field walk must agree with it."""
    product = make_product(
        producer=coop, title="Stool", category=CategoryFactory(), fulfilment=fulfilment
    )
    if fulfilment == Product.Fulfilment.STOCK:
        product_stock_receive(product=product, quantity=3, by=None, reason="made")
    listed = selectors.with_availability(list(selectors.product_list(user=AnonymousUser())))[0]
    serializer = ProductSerializer()

    assert serializer.to_representation(listed) == serializers.ModelSerializer.to_representation(
        serializer, listed
    )
