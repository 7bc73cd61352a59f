"""A resident finds the community page from the footer and reads where the money went."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from catalog.models import Product
from community.services.fund import disbursement_record
from tests.e2e.browser import assert_accessible
from tests.factories import UserFactory, hand_over, place

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def money_kept_local(network):
    """Two cutting boards (130.00) and a tote (28.00) sold at 5%; 5.00 paid to a garden."""
    board = Product.objects.get(slug="walnut-cutting-board")
    tote = Product.objects.get(slug="market-tote")
    hand_over(place((board, 2)).jobs.get())
    hand_over(place((tote, 1)).jobs.get())
    disbursement_record(
        amount=Decimal("5.00"),
        paid_to="Westside Community Garden",
        purpose="Soil and seed for the Rose Street beds",
        by=UserFactory(is_staff=True),
    )


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_resident_reads_the_community_page(live_server, page, money_kept_local):
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name=re.compile("^Community fund")).click()

    expect(page.get_by_role("heading", name="Money kept local")).to_be_visible()
    expect(page.locator("#fund-balance")).to_have_text("$2.90")  # 6.50 + 1.40 - 5.00
    expect(page.get_by_text("Soil and seed for the Rose Street beds")).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("^Sales by month"))).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("West Jackson Woodshop"))).to_contain_text(
        "$130.00"
    )
    assert_accessible(page)
    assert no_sideways_scroll(page)


def test_a_new_network_shows_its_empty_community_page(live_server, page, network):
    page.goto(f"{live_server.url}/community/")

    expect(page.get_by_text("No sales yet.")).to_be_visible()
    expect(page.locator("#fund-balance")).to_have_text("$0.00")
    assert_accessible(page)
    assert no_sideways_scroll(page)
