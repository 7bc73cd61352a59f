"""Public lists and their totals are cached until anything they show changes."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog import caching
from catalog.models import Product
from catalog.services.products import finished_goods_location, product_stock_receive
from catalog.services.stock import StockLine, stock_reserve
from tests.factories import CapabilityFactory, CategoryFactory, ProducerFactory, make_product

pytestmark = pytest.mark.django_db


def queries_for(client, url) -> tuple[object, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return response, [q["sql"] for q in queries]


def test_a_second_read_of_the_public_list_touches_no_table(api):
    make_product(title="Stool")
    first, _ = queries_for(api, "/api/v1/products/")

    second, sql = queries_for(api, "/api/v1/products/")

    assert sql == []
    assert second.json() == first.json()


def test_a_second_read_of_a_numbered_page_does_not_count_again(api):
    for n in range(3):
        make_product(title=f"Stool {n}")
    api.get("/api/v1/products/?page_size=1")

    _, sql = queries_for(api, "/api/v1/products/?page_size=1&page=2")

    assert not any("COUNT(" in statement.upper() for statement in sql)


def test_a_new_product_shows_in_the_list_at_once(api):
    producer = ProducerFactory()
    make_product(producer=producer, title="Stool")
    api.get("/api/v1/products/")

    make_product(producer=producer, title="Bench")

    body = api.get("/api/v1/products/").json()
    assert (body["count"], [p["slug"] for p in body["results"]]) == (2, ["bench", "stool"])


def test_a_reservation_shows_in_the_listed_stock(api, coop):
    stool = make_product(producer=coop, title="Stool")
    product_stock_receive(product=stool, quantity=3, by=None, reason="made")
    assert api.get("/api/v1/products/").json()["results"][0]["availability"]["quantity"] == "3.000"

    stock_reserve(
        lines=[StockLine(stool.stock_item, finished_goods_location(coop), Decimal("3"))],
        by=None,
        reason="order",
    )

    listed = api.get("/api/v1/products/?in_stock=false").json()["results"]
    assert [p["availability"]["quantity"] for p in listed] == ["0.000"]


def test_a_renamed_category_forgets_the_counts(api):
    category = CategoryFactory(slug="seating")
    make_product(title="Stool", category=category)
    assert api.get("/api/v1/products/?category=seating").json()["count"] == 1

    category.slug = "chairs"
    category.save()

    assert api.get("/api/v1/products/?category=seating").json()["count"] == 0


def test_a_new_capability_forgets_the_lists(api):
    producer = ProducerFactory()
    version = caching.catalog_version()

    producer.capabilities.add(CapabilityFactory())

    assert caching.catalog_version() != version


def test_each_filter_has_its_own_cached_page(api):
    make_product(title="Stool", price=Decimal("10"))
    make_product(title="Bench", price=Decimal("90"))

    cheap = api.get("/api/v1/products/?max_price=20").json()["count"]
    everything = api.get("/api/v1/products/").json()["count"]

    assert (cheap, everything) == (1, 2)


def test_a_member_sees_their_drafts_past_the_public_cache(api, coop, coop_member):
    make_product(producer=coop, title="Stool")
    make_product(producer=coop, title="Prototype", status=Product.Status.DRAFT)
    api.get("/api/v1/products/")

    as_member = api.as_user(coop_member).get("/api/v1/products/").json()

    assert as_member["count"] == 2


def test_the_public_never_gets_a_members_list(api, coop, coop_member):
    make_product(producer=coop, title="Stool")
    make_product(producer=coop, title="Prototype", status=Product.Status.DRAFT)
    api.as_user(coop_member).get("/api/v1/products/")

    api.force_authenticate(user=None)
    public = api.get("/api/v1/products/").json()

    assert [p["slug"] for p in public["results"]] == ["stool"]


def test_a_value_computed_across_a_change_is_not_served_after_it():
    calls = []

    def compute():
        calls.append(1)
        if len(calls) == 1:
            caching.catalog_changed()  # a change lands while the first reader computes
        return len(calls)

    caching.cached(("probe",), compute)
    again = caching.cached(("probe",), compute)

    assert again == 2


def test_the_version_moves_again_when_the_change_commits(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        caching.catalog_changed()
        during = caching.catalog_version()

    for callback in callbacks:
        callback()
    assert caching.catalog_version() > during


def test_the_storefront_list_serves_its_results_from_the_cache(client):
    make_product(title="Stool")
    client.get("/products/")

    response, sql = queries_for(client, "/products/")

    assert response.status_code == 200
    assert not any("catalog_product" in statement for statement in sql)
    assert b"Stool" in response.content


def test_the_storefront_shows_a_new_price_at_once(client):
    stool = make_product(title="Stool", price=Decimal("10"))
    client.get("/products/")

    stool.price = Decimal("12.50")
    stool.save()

    assert b"$12.50" in client.get("/products/").content


def test_a_second_read_of_a_product_page_touches_no_table(api, client):
    make_product(title="Stool")
    api.get("/api/v1/products/stool/")
    client.get("/products/stool/")

    (api_response, api_sql), (page, page_sql) = (
        queries_for(api, "/api/v1/products/stool/"),
        queries_for(client, "/products/stool/"),
    )

    assert (api_response.status_code, page.status_code) == (200, 200)
    assert not any("catalog_" in statement for statement in api_sql + page_sql)


def test_a_product_page_shows_a_new_price_at_once(api):
    stool = make_product(title="Stool", price=Decimal("10"))
    api.get("/api/v1/products/stool/")

    stool.price = Decimal("12.50")
    stool.save()

    assert api.get("/api/v1/products/stool/").json()["price"] == "12.50"


def test_an_unknown_product_stays_unknown_until_it_is_made(api):
    assert api.get("/api/v1/products/stool/").status_code == 404

    make_product(title="Stool")

    assert api.get("/api/v1/products/stool/").status_code == 200


def test_a_list_with_an_unknown_parameter_is_answered_fresh_and_not_stored(api):
    make_product(title="Stool")
    api.get("/api/v1/products/?utm_source=a")

    _, sql = queries_for(api, "/api/v1/products/?utm_source=a")

    assert any("catalog_product" in statement for statement in sql)


def test_lists_are_not_cached_without_a_cache_every_process_shares(api, settings):
    settings.CATALOG_CACHE = False
    make_product(title="Stool")
    api.get("/api/v1/products/")

    _, sql = queries_for(api, "/api/v1/products/")

    assert any("catalog_product" in statement for statement in sql)
