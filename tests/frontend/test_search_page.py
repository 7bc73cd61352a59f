"""The storefront's search: word forms, and what an empty result offers."""

import html
import re

import pytest
from django.conf import settings

from tests.factories import CategoryFactory, ProducerFactory, make_product

pytestmark = pytest.mark.django_db

ON_POSTGRES = "postgresql" in settings.DATABASES["default"]["ENGINE"]
postgres_only = pytest.mark.skipif(
    not ON_POSTGRES, reason="close spellings come from PostgreSQL's pg_trgm; SQLite offers none"
)


@pytest.fixture
def goods():
    woodshop = ProducerFactory(name="West Jackson Woodshop", slug="woodshop")
    printer = ProducerFactory(name="Sign and Print Shop", slug="print-shop")
    home = CategoryFactory(slug="home", name="Home and furniture")
    bags = CategoryFactory(slug="bags", name="Bags and textiles")
    CategoryFactory(slug="empty", name="Nothing here yet")
    make_product(producer=woodshop, category=home, title="Step stool")
    make_product(producer=woodshop, category=home, title="Garden bench")
    make_product(producer=printer, category=bags, title="Jackson Made T-shirt")


def page(client, **params) -> str:
    response = client.get("/products/", params)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(("query", "title"), [("stools", "Step stool"), ("shirts", "T-shirt")])
def test_a_plural_finds_its_goods(client, goods, query, title):
    shown = page(client, q=query)

    assert "1 thing found" in shown
    assert title in shown


def test_an_empty_result_says_the_search_back(client, goods):
    shown = page(client, q="xylophone")

    assert "0 things found" in shown
    assert "No goods match “xylophone”." in shown


def test_an_empty_result_links_the_categories_that_hold_goods_with_their_counts(client, goods):
    shown = page(client, q="xylophone")

    assert '<a href="/products/?category=home">Home and furniture</a> (2)' in shown
    assert '<a href="/products/?category=bags">Bags and textiles</a> (1)' in shown
    assert "?category=empty" not in shown


def test_clearing_the_search_keeps_the_other_choices(client, goods):
    shown = page(client, q="xylophone", category="home", ordering="price")

    assert '<a href="/products/?category=home&amp;ordering=price">Clear the search</a>' in shown


def test_a_search_alone_is_cleared_by_seeing_everything(client, goods):
    shown = page(client, q="xylophone")

    assert '<a href="/products/">Clear the search and see everything</a>' in shown


def test_filters_that_leave_nothing_say_so_without_a_search(client, goods):
    shown = page(client, category="bags", min_price="1000")

    assert "No goods match these filters." in shown
    assert "Clear the search" not in shown


@pytest.mark.parametrize("query", ['"', "(", "foo*", "a:b", "AND", "NEAR(", "-", "title:stool"])
def test_hostile_input_gets_a_plain_answer(client, goods, query):
    shown = page(client, q=query)

    assert re.search(r"<h2 id=\"results-heading\">\d+ things? found</h2>", shown)


@pytest.mark.parametrize("query", ['"', "(", "foo*"])
def test_hostile_input_that_finds_nothing_is_said_back(client, goods, query):
    assert f"No goods match “{html.escape(query)}”." in page(client, q=query)


def test_what_was_typed_is_shown_escaped(client, goods):
    shown = page(client, q="<b>stool")

    assert "<b>stool" not in shown
    assert "&lt;b&gt;stool" in shown


def test_an_htmx_search_gets_the_empty_result_too(client, goods):
    response = client.get(
        "/products/?q=xylophone", headers={"HX-Request": "true", "HX-Target": "results"}
    )

    assert "No goods match “xylophone”." in response.content.decode()


def test_an_empty_search_page_costs_a_few_queries(client, goods, django_assert_max_num_queries):
    # The count, the filters' choices (2), the suggestion (4 on PostgreSQL), the categories.
    with django_assert_max_num_queries(8):
        page(client, q="stoool wallnut")


@postgres_only
def test_a_misspelling_suggests_a_close_spelling_that_keeps_the_filters(client, goods):
    shown = page(client, q="stoool", category="home")

    assert (
        '<p class="suggestion">Did you mean '
        '<a href="/products/?q=stool&amp;category=home">stool</a>?</p>'
    ) in shown


def test_no_suggestion_when_nothing_is_close(client, goods):
    assert "Did you mean" not in page(client, q="xylophone")


@pytest.mark.skipif(ON_POSTGRES, reason="on PostgreSQL a misspelling gets a suggestion")
def test_sqlite_offers_the_categories_without_a_suggestion(client, goods):
    shown = page(client, q="stoool")

    assert "Did you mean" not in shown
    assert "Home and furniture</a> (2)" in shown
