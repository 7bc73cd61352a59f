"""A sold-out product in a browser: it cannot be added, it says why, and a resident who
leaves an address is emailed once the co-op makes more."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from catalog.models import BackInStockRequest, Product
from catalog.services.products import product_stock_count
from tests.e2e.browser import assert_accessible, sign_in, switch_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.fixture
def sold_out_board(network):
    """The woodshop's walnut cutting board, every one sold."""
    board = Product.objects.get(slug="walnut-cutting-board")
    product_stock_count(product=board, counted=0, by=None, reason="sold at the market")
    return board


def test_a_sold_out_product_cannot_be_added_and_says_why(live_server, page, sold_out_board):
    base = live_server.url
    page.goto(f"{base}/products/walnut-cutting-board/")

    button = page.get_by_role("button", name="Sold out")
    expect(button).to_be_disabled()
    expect(page.get_by_text("None left — the co-op makes more from time to time.")).to_be_visible()
    expect(page.get_by_role("button", name="Add to cart")).to_have_count(0)
    expect(page.get_by_text(re.compile(r"\$61\.75 to West Jackson Woodshop"))).to_be_visible()
    assert_accessible(page)
    no_sideways_scroll(page)

    page.goto(f"{base}/products/")
    card = page.locator(".product-card", has_text="Walnut cutting board")
    expect(card.get_by_text("Sold out")).to_be_visible()
    page.goto(f"{base}/cart/")
    expect(page.get_by_text("Your cart is empty")).to_be_visible()


def test_a_resident_asks_to_be_told_and_is_emailed_when_the_coop_makes_more(
    live_server, page, sold_out_board, width
):
    if width != 1280:
        pytest.skip("one run of the whole flow is enough; the phone layout is checked above")
    base = live_server.url
    sign_in(page, base, "keisha")
    page.goto(f"{base}/products/walnut-cutting-board/")
    email = page.get_by_label("Your email")
    expect(email).to_have_value("keisha@example.org")
    page.get_by_role("button", name="Email me when it is back").click()

    thanks = "We will email keisha@example.org once, when Walnut cutting board is back."
    expect(page.get_by_text(thanks)).to_be_visible()
    assert_accessible(page)
    assert BackInStockRequest.objects.filter(notified_at__isnull=True).count() == 1
    assert mail.outbox == []

    switch_to(page, base, "marcus")
    page.goto(f"{base}/workbench/co-ops/woodshop/goods/")
    page.get_by_text("Walnut cutting board: 0 free").click()
    made = page.get_by_role("form", name="Goods made: Walnut cutting board")
    made.get_by_label("How many were made").fill("4")
    made.get_by_role("button", name="Add to the shelf").click()
    expect(page.get_by_text("Walnut cutting board: 4 free")).to_be_visible()

    (message,) = mail.outbox
    assert message.to == ["keisha@example.org"]
    assert message.subject == "Walnut cutting board is back"
    assert "someone asked, on that product's page, to be told at this address" in message.body
    assert not BackInStockRequest.objects.filter(notified_at__isnull=True).exists()
    page.goto(f"{base}/products/walnut-cutting-board/")
    expect(page.get_by_role("button", name="Add to cart")).to_be_enabled()
