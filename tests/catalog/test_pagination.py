"""Product lists: page numbers to jump, keyset cursors in `next` and `previous`."""

import base64
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.models import Product
from tests.factories import ProducerFactory, make_product

pytestmark = pytest.mark.django_db


def slugs(body) -> list[str]:
    return [p["slug"] for p in body["results"]]


def walk(api, url) -> list[str]:
    """Every slug met following `next` links from `url`."""
    seen = []
    while url:
        body = api.get(url).json()
        seen += slugs(body)
        url = body["next"]
    return seen


@pytest.fixture
def seven_products():
    producer = ProducerFactory()
    prices = ["30", "10", "20", "10", "50", "40", "10"]
    return [
        make_product(producer=producer, title=f"Stool {n}", price=Decimal(price))
        for n, price in enumerate(prices)
    ]


def test_the_next_link_of_the_first_page_is_a_cursor(api, seven_products):
    body = api.get("/api/v1/products/?page_size=3").json()

    assert "cursor=" in body["next"]
    assert "page=" not in body["next"]
    assert body["previous"] is None


@pytest.mark.parametrize("ordering", ["newest", "price", "-price", "title", "-title"])
def test_walking_next_links_meets_every_product_once_in_order(api, seven_products, ordering):
    everything = slugs(api.get(f"/api/v1/products/?ordering={ordering}&page_size=100").json())

    walked = walk(api, f"/api/v1/products/?ordering={ordering}&page_size=2")

    assert walked == everything
    assert len(walked) == 7


def test_a_previous_link_returns_the_page_before(api, seven_products):
    first = api.get("/api/v1/products/?page_size=3").json()
    second = api.get(first["next"]).json()

    back = api.get(second["previous"]).json()

    assert slugs(back) == slugs(first)


def test_the_next_link_of_a_numbered_page_continues_after_its_last_row(api, seven_products):
    second = api.get("/api/v1/products/?page_size=2&page=2").json()
    third_by_number = api.get("/api/v1/products/?page_size=2&page=3").json()

    third_by_cursor = api.get(second["next"]).json()

    assert slugs(third_by_cursor) == slugs(third_by_number)


def test_a_cursor_keeps_the_filters_of_the_list(api, seven_products):
    first = api.get("/api/v1/products/?max_price=10&page_size=2").json()

    rest = api.get(first["next"]).json()

    assert "max_price=10" in first["next"]
    assert slugs(first) + slugs(rest) == ["stool-6", "stool-3", "stool-1"]
    assert rest["next"] is None


def test_a_product_added_while_walking_is_neither_skipped_nor_repeated(api, seven_products):
    first = api.get("/api/v1/products/?ordering=price&page_size=3").json()
    make_product(producer=seven_products[0].producer, title="Cheap stool", price=Decimal("1"))

    rest = walk(api, first["next"])

    assert slugs(first) + rest == [
        "stool-1",
        "stool-3",
        "stool-6",
        "stool-2",
        "stool-0",
        "stool-5",
        "stool-4",
    ]


def test_the_last_page_has_no_next_link(api, seven_products):
    first = api.get("/api/v1/products/?page_size=4").json()

    last = api.get(first["next"]).json()

    assert len(last["results"]) == 3
    assert last["next"] is None
    assert last["count"] == 7


def test_a_ranked_search_pages_by_number(api, seven_products):
    body = api.get("/api/v1/products/?q=stool&page_size=2").json()

    assert "page=2" in body["next"]
    assert "cursor=" not in body["next"]


@pytest.mark.parametrize(
    "cursor",
    [
        "not-base64!",
        base64.urlsafe_b64encode(b"[1, 2, 3]").decode(),
        base64.urlsafe_b64encode(b'[0, ["yesterday", 4]]').decode(),
        base64.urlsafe_b64encode(b'[0, ["2026-01-01T00:00:00Z", null]]').decode(),
        base64.urlsafe_b64encode(b'[7, ["2026-01-01T00:00:00Z", 4]]').decode(),
        base64.urlsafe_b64encode(
            json.dumps([0, ["2026-01-01T00:00:00Z", 2**70]]).encode()
        ).decode(),
    ],
)
def test_a_malformed_cursor_is_a_field_error(api, seven_products, cursor):
    response = api.get("/api/v1/products/", {"cursor": cursor})

    assert response.status_code == 400
    assert response.json()["errors"]["cursor"] == ["Invalid cursor."]


def cursor_of(*values) -> str:
    return base64.urlsafe_b64encode(json.dumps([0, list(values)]).encode()).decode()


@pytest.mark.parametrize(
    ("ordering", "cursor"),
    [
        ("price", cursor_of("1e1000000", 3)),  # more digits than the column holds
        ("price", cursor_of("NaN", 3)),
        ("title", cursor_of("Stool\u0000", 3)),  # text PostgreSQL cannot hold
        ("title", cursor_of("x" * 500, 3)),  # longer than any title
    ],
)
def test_a_cursor_the_database_could_not_hold_is_a_field_error(
    api, seven_products, ordering, cursor
):
    response = api.get("/api/v1/products/", {"ordering": ordering, "cursor": cursor})

    assert response.status_code == 400
    assert response.json()["errors"]["cursor"] == ["Invalid cursor."]


def test_the_last_page_can_be_asked_for_by_name(api, seven_products):
    last = api.get("/api/v1/products/?page_size=3&page=last").json()

    assert slugs(last) == ["stool-0"]


def test_a_cursor_with_a_ranked_search_is_a_field_error(api, seven_products):
    cursor = api.get("/api/v1/products/?page_size=2").json()["next"].split("cursor=")[1]

    response = api.get("/api/v1/products/", {"cursor": cursor, "q": "stool"})

    assert response.status_code == 400
    assert "cursor" in response.json()["errors"]


def test_a_cursor_page_reads_by_key_not_by_offset(api, seven_products):
    url = api.get("/api/v1/products/?page_size=2").json()["next"]

    with CaptureQueriesContext(connection) as queries:
        api.get(url)

    page_query = next(q["sql"] for q in queries if 'FROM "catalog_product"' in q["sql"])
    assert "OFFSET" not in page_query.upper()
    assert '"catalog_product"."created_at" <=' in page_query


def test_a_cursor_page_costs_no_more_queries_than_the_first(
    api, seven_products, django_assert_max_num_queries
):
    url = api.get("/api/v1/products/?page_size=2").json()["next"]

    with django_assert_max_num_queries(5):
        api.get(url)


def test_products_in_a_stock_order_walk_by_their_own_ordering(api, seven_products):
    assert Product._meta.ordering == ["-created_at", "-id"]
    walked = walk(api, "/api/v1/products/?page_size=3")

    assert walked == [f"stool-{n}" for n in reversed(range(7))]


@pytest.mark.parametrize("ordering", ["newest", "price", "-title"])
def test_numbered_pages_hold_the_rows_of_the_whole_list_in_order(api, seven_products, ordering):
    everything = slugs(api.get(f"/api/v1/products/?ordering={ordering}&page_size=100").json())

    pages = [
        slugs(api.get(f"/api/v1/products/?ordering={ordering}&page_size=3&page={n}").json())
        for n in (1, 2, 3)
    ]

    assert pages == [everything[0:3], everything[3:6], everything[6:7]]


def test_a_deep_numbered_page_skips_rows_by_id_alone(api, seven_products):
    with CaptureQueriesContext(connection) as queries:
        api.get("/api/v1/products/?page_size=2&page=3")

    skipping = next(q["sql"] for q in queries if "OFFSET" in q["sql"].upper())
    selected = skipping.upper().split(" FROM ")[0]
    assert selected.startswith('SELECT "CATALOG_PRODUCT"."ID"')
    assert "," not in selected
