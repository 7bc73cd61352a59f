"""Search: word forms on both databases, hostile input, the SQLite index kept in step,
and close spellings on PostgreSQL."""

from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection

from catalog.models import Product
from catalog.search import (
    FTS_TABLE,
    SQLITE_TRIGGERS,
    close_titles,
    fts_match,
    product_search,
    repair_sqlite_index,
    search_suggestion,
)
from catalog.services.products import product_update
from tests.factories import CategoryFactory, ProducerFactory, make_product

pytestmark = pytest.mark.django_db

ON_POSTGRES = "postgresql" in settings.DATABASES["default"]["ENGINE"]
postgres_only = pytest.mark.skipif(
    not ON_POSTGRES, reason="close spellings come from PostgreSQL's pg_trgm; SQLite offers none"
)
sqlite_only = pytest.mark.skipif(
    ON_POSTGRES, reason="the FTS5 index and its triggers are SQLite's; PostgreSQL has a column"
)


def slugs(response) -> list[str]:
    return [p["slug"] for p in response.json()["results"]]


def found(query: str) -> list[str]:
    return list(product_search(Product.objects.all(), query).values_list("slug", flat=True))


@pytest.fixture
def demo_goods():
    """Goods as the demo network lists them (demo/catalog.json)."""
    woodshop = ProducerFactory(name="West Jackson Woodshop", slug="woodshop")
    print_shop = ProducerFactory(name="Sign and Print Shop", slug="print-shop")
    sewing = ProducerFactory(name="Common Thread Sewing", slug="sewing")
    farm = ProducerFactory(name="Freedom Farms", slug="farm")
    home = CategoryFactory(slug="home", name="Home and furniture")
    bags = CategoryFactory(slug="bags", name="Bags and textiles")
    kitchen = CategoryFactory(slug="kitchen", name="Kitchen and table")
    garden = CategoryFactory(slug="garden", name="Garden")
    rows = [
        (woodshop, home, "Step stool", "Pine step stool, 9 in high, holds a grown-up."),
        (print_shop, bags, "Jackson Made T-shirt", "Screen-printed on heavyweight cotton."),
        (sewing, kitchen, "Canvas apron", "Cross-back apron with two deep pockets."),
        (farm, garden, "Herb seedling flat", "Twelve starts: basil, thyme, oregano and mint."),
        (farm, garden, "Planter box", "Porch planter filled with our potting mix."),
        (woodshop, kitchen, "Walnut cutting board", "End-grain walnut, oiled."),
    ]
    return {
        title: make_product(producer=producer, category=category, title=title, description=text)
        for producer, category, title, text in rows
    }


# --- Word forms, on both databases ---------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("stools", ["step-stool"]),
        ("shirts", ["jackson-made-t-shirt"]),
        ("aprons", ["canvas-apron"]),
        ("planters", ["planter-box"]),
        ("seedlings", ["herb-seedling-flat"]),
        ("Stool", ["step-stool"]),
        ("walnut boards", ["walnut-cutting-board"]),
        ("gardens", ["herb-seedling-flat", "planter-box"]),
    ],
)
def test_plurals_and_word_forms_find_their_goods(api, demo_goods, query, expected):
    response = api.get("/api/v1/products/", {"q": query})

    assert response.status_code == 200
    assert sorted(slugs(response)) == expected


def test_every_word_must_match(demo_goods):
    assert found("walnut stool") == []


def test_a_quoted_phrase_matches_words_side_by_side(demo_goods):
    assert found('"step stool"') == ["step-stool"]
    assert found('"stool step"') == []


def test_a_word_after_a_minus_is_left_out(demo_goods):
    assert found("garden -planter") == ["herb-seedling-flat"]


def test_or_matches_either_side(demo_goods):
    assert sorted(found("stool or apron")) == ["canvas-apron", "step-stool"]


@pytest.mark.parametrize(
    "query",
    ['"', "AND", "foo*", "a:b", "(", ")", "NEAR(stool apron)", "-", "stool OR", "^stool", "*"],
)
def test_hostile_input_is_a_plain_search_never_an_error(api, demo_goods, query):
    response = api.get("/api/v1/products/", {"q": query})

    assert response.status_code == 200
    assert response.json()["count"] == len(response.json()["results"])


@pytest.mark.parametrize(
    ("query", "expected"),
    [('"stool', ["step-stool"]), ("stool*", ["step-stool"]), ("(apron)", ["canvas-apron"])],
)
def test_stray_syntax_around_a_word_still_finds_it(demo_goods, query, expected):
    assert found(query) == expected


@pytest.mark.parametrize("query", ['"', "(", "*", "-", ":"])
def test_a_search_without_a_word_finds_nothing(demo_goods, query):
    assert found(query) == []


def test_words_reach_fts5_only_inside_quoted_strings():
    assert fts_match('NEAR(a b) "c* d" -e:f or g') == '"near a" "b" "c d" NOT "e f" OR "g"'


def test_a_search_reads_ten_words_at_most():
    assert fts_match(" ".join(f"w{n}" for n in range(15))).count('"') == 20


# --- The index follows every write ----------------------------------------------------


def test_a_renamed_product_is_found_by_its_new_name_only(coop):
    product = make_product(producer=coop, title="Porch swing")

    product_update(product=product, title="Porch bench")

    assert found("swing") == []
    assert found("benches") == ["porch-swing"]


def test_a_deleted_product_is_found_no_more(coop):
    product = make_product(producer=coop, title="Porch swing")

    Product.objects.filter(pk=product.pk).delete()

    assert found("swing") == []


def test_a_bulk_update_behind_the_services_is_searched_too(coop):
    product = make_product(producer=coop, title="Porch swing")

    Product.objects.filter(pk=product.pk).update(search_text="Hammock stand")

    assert found("stands") == ["porch-swing"]
    assert found("swing") == []


def test_a_search_made_before_a_change_is_not_served_from_the_cache(api, coop):
    assert slugs(api.get("/api/v1/products/?q=swings")) == []

    make_product(producer=coop, title="Porch swing", price=Decimal("180.00"))

    assert slugs(api.get("/api/v1/products/?q=swings")) == ["porch-swing"]


@sqlite_only
def test_the_triggers_are_the_ones_the_repair_puts_back():
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
        triggers = dict(cursor.fetchall())

    assert {name: triggers.get(name) for name in SQLITE_TRIGGERS} == SQLITE_TRIGGERS


@sqlite_only
def test_the_repair_puts_back_triggers_a_table_rebuild_dropped(coop):
    # Django rebuilds a SQLite table to alter it: the old table's triggers go with it.
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER catalog_product_fts_insert")
    make_product(producer=coop, title="Porch swing")
    assert found("swing") == []

    assert repair_sqlite_index() is True

    assert found("swing") == ["porch-swing"]
    make_product(producer=coop, title="Garden gate")
    assert found("gate") == ["garden-gate"]


@sqlite_only
def test_the_repair_leaves_a_whole_index_alone():
    assert repair_sqlite_index() is False


@sqlite_only
def test_the_index_holds_no_copy_of_the_text():
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE name LIKE %s", [f"{FTS_TABLE}%"])
        tables = {name for (name,) in cursor.fetchall()}

    assert f"{FTS_TABLE}_content" not in tables


# --- Close spellings (PostgreSQL) -----------------------------------------------------


@postgres_only
@pytest.mark.parametrize(
    ("typed", "suggested"),
    [
        ("stoool", "stool"),
        ("wallnut board", "walnut board"),
        ("planterz", "planter"),
        ("seedlngs", "seedling"),
        ("aporn", "apron"),
        ("gardn", "garden"),
    ],
)
def test_a_misspelling_gets_a_close_spelling_that_finds_something(demo_goods, typed, suggested):
    products = Product.objects.published()

    assert search_suggestion(products, typed) == suggested


@postgres_only
@pytest.mark.parametrize("typed", ["xylophone", "stool walnut", "!!"])
def test_no_suggestion_when_nothing_is_close_or_every_word_is_spelt_right(demo_goods, typed):
    assert search_suggestion(Product.objects.published(), typed) is None


@postgres_only
def test_a_suggestion_comes_from_the_goods_the_filters_leave(demo_goods):
    garden = Product.objects.published().filter(category__slug="garden")

    assert search_suggestion(garden, "stoool") is None
    assert search_suggestion(garden, "planterz") == "planter"


@postgres_only
def test_drafts_suggest_nothing(coop):
    make_product(producer=coop, title="Secret stool", status=Product.Status.DRAFT)

    assert search_suggestion(Product.objects.published(), "stoool") is None


@postgres_only
def test_a_suggestion_costs_four_queries_at_most(demo_goods, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        search_suggestion(Product.objects.published(), "wallnut stoool")


@postgres_only
def test_close_titles_are_found_through_the_trigram_index(coop):
    # Enough rows that the planner weighs the indexes as it would on a real catalog.
    make_product(producer=coop, title="Thing")
    columns = [f.column for f in Product._meta.concrete_fields if not f.primary_key]
    copied = ", ".join(
        {"title": "title || ' ' || n", "slug": "slug || '-' || n", "stock_item_id": "NULL"}.get(
            column, column
        )
        for column in columns
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO catalog_product ({', '.join(columns)}) SELECT {copied} "
            "FROM catalog_product, generate_series(1, 20000) AS n"
        )
        cursor.execute("ANALYZE catalog_product")
        # Leave the planner no road but an index that answers `title %> word`: with a scan
        # of the table or of another index allowed, its choice follows the statistics and
        # the GIN pending list, and differs from run to run.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("SET LOCAL enable_indexonlyscan = off")
    plan = close_titles(Product.objects.all(), ["stoool", "wallnut"]).explain()

    assert "product_title_trgm" in plan


@sqlite_only
def test_sqlite_offers_no_suggestion(demo_goods):
    assert search_suggestion(Product.objects.published(), "stoool") is None


# --- The API's list carries the suggestion ----------------------------------------------


@postgres_only
def test_the_api_suggests_a_close_spelling_when_a_search_finds_nothing(api, demo_goods):
    body = api.get("/api/v1/products/", {"q": "stoool"}).json()

    assert body["count"] == 0
    assert body["suggestion"] == "stool"


def test_the_api_suggests_nothing_when_a_search_finds_goods(api, demo_goods):
    body = api.get("/api/v1/products/", {"q": "stools"}).json()

    assert body["count"] == 1
    assert body["suggestion"] is None


def test_the_schema_documents_the_suggestion(api):
    schema = api.get("/api/schema/", {"format": "json"}).json()

    listed = schema["components"]["schemas"]["PaginatedProductList"]["properties"]
    assert listed["suggestion"]["nullable"] is True
