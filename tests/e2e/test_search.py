import pytest
from django.conf import settings
from playwright.sync_api import expect

from tests.e2e.browser import assert_accessible

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        "postgresql" not in settings.DATABASES["default"]["ENGINE"],
        reason="close spellings come from PostgreSQL's pg_trgm; SQLite offers none",
    ),
]


def test_a_misspelt_search_says_it_back_and_leads_to_the_goods(live_server, page, network):
    page.goto(f"{live_server.url}/products/")
    page.get_by_label("Search", exact=True).fill("wallnut")
    page.get_by_role("button", name="Search", exact=True).click()

    results = page.locator("#results")
    expect(results.get_by_text("No goods match “wallnut”.")).to_be_visible()
    expect(results.get_by_role("link", name="Kitchen")).to_be_visible()
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    results.get_by_role("link", name="walnut", exact=True).click()

    expect(results.get_by_role("heading", name="2 things found")).to_be_visible()
    expect(page.get_by_label("Search", exact=True)).to_have_value("walnut")
