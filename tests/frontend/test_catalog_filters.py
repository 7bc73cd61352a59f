"""The catalog's filter panel folds away on phones; a filter change says what it found."""

import re

import pytest

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true", "HX-Target": "results"}


def summary(html: str) -> str:
    return re.sub(r"<[^>]+>", "", re.search(r"<summary>(.*?)</summary>", html, re.S).group(1))


def test_the_filters_sit_in_a_folding_panel_closed_until_opened(client, stool):
    html = client.get("/products/").content.decode()

    assert '<details class="filter-panel" id="filter-panel">' in html
    assert summary(html) == "Filters"


def test_the_search_box_stays_outside_the_folding_panel(client, stool):
    html = client.get("/products/").content.decode()

    assert html.index('id="q"') < html.index('id="filter-panel"')


def test_the_panels_button_counts_the_filters_on(client, stool):
    html = client.get("/products/?category=kitchen&fulfilment=stock&in_stock=true").content

    assert summary(html.decode()) == "Filters (3 on)"


def test_a_price_range_counts_as_one_filter(client, stool):
    html = client.get("/products/?min_price=10&max_price=100").content.decode()

    assert summary(html) == "Filters (1 on)"


def test_search_and_sort_are_not_counted_as_filters(client, stool):
    html = client.get("/products/?q=stool&ordering=price").content.decode()

    assert summary(html) == "Filters"


def test_the_page_has_an_empty_polite_live_region_for_what_a_change_finds(client, stool):
    html = client.get("/products/").content.decode()

    region = '<p id="catalog-news" class="visually-hidden" role="status" aria-live="polite"></p>'
    assert region in html


def test_the_results_are_not_a_live_region_themselves(client, stool):
    html = client.get("/products/").content.decode()

    section = re.search(r'<section id="results"[^>]*>', html).group(0)
    assert "aria-live" not in section


def test_a_filter_change_brings_the_count_to_say_aloud_out_of_band(client, stool, tote):
    html = client.get("/products/?q=stool", headers=HTMX).content.decode()

    assert '<p id="catalog-news" hx-swap-oob="innerHTML">1 thing found</p>' in html


def test_a_filter_change_brings_the_new_count_of_filters_on_out_of_band(client, stool):
    html = client.get("/products/?category=kitchen&max_price=5", headers=HTMX).content.decode()

    assert '<span id="filters-active" hx-swap-oob="innerHTML"> (2 on)</span>' in html


def test_the_out_of_band_news_comes_only_with_htmx_requests(client, stool):
    html = client.get("/products/?q=stool").content.decode()

    assert "hx-swap-oob" not in html


def test_the_results_replace_themselves_rather_than_nest(client, stool):
    html = client.get("/products/").content.decode()

    assert 'hx-target="#results" hx-swap="outerHTML"' in html
