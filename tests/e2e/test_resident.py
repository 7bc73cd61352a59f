import re

import pytest
from playwright.sync_api import expect

from orders.models import Order
from tests.e2e.browser import assert_accessible, open_filters

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_resident_finds_two_goods_from_two_coops_and_orders_them(live_server, page, network):
    base = live_server.url
    page.goto(f"{base}/")
    page.get_by_label("Search the goods").fill("walnut")
    page.get_by_role("button", name="Search").click()

    results = page.locator("#results")
    expect(results.get_by_role("heading", name="2 things found")).to_be_visible()
    open_filters(page)
    page.get_by_label("Ready-made").check()
    expect(results.get_by_role("heading", name="1 thing found")).to_be_visible()
    results.get_by_role("link", name="Walnut cutting board").click()
    page.get_by_role("button", name="Add to cart").click()
    expect(page.get_by_text("Walnut cutting board is in your cart")).to_be_visible()

    page.goto(f"{base}/products/market-tote/")
    page.get_by_label("How many").fill("2")
    page.get_by_role("button", name="Add to cart").click()
    page.get_by_role("link", name="Check out").click()

    page.get_by_label("Your name").fill("Keisha Brown")
    page.get_by_label("Email").fill("keisha@example.org")
    page.get_by_label("Pay when you pick up or receive it").check()
    page.get_by_role("button", name=re.compile("Place order")).click()

    expect(page.get_by_role("heading", name=re.compile(r"Order CP-"))).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("West Jackson Woodshop"))).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("Common Thread Sewing"))).to_be_visible()
    order = Order.objects.get()
    assert order.jobs.count() == 2
    assert order.total == 121


def test_bad_checkout_input_is_shown_next_to_the_field(live_server, page, network):
    base = live_server.url
    page.goto(f"{base}/products/market-tote/")
    page.get_by_role("button", name="Add to cart").click()
    expect(page).to_have_url(re.compile("/cart/$"))
    page.goto(f"{base}/checkout/")
    page.get_by_label("Your name").fill("Keisha Brown")
    page.get_by_label("Email").fill("keisha-at-example")
    page.get_by_role("button", name=re.compile("Place order")).click()

    expect(page.get_by_text("Enter a valid email address.")).to_be_visible()
    expect(page.get_by_label("Your name")).to_have_value("Keisha Brown")
    assert not Order.objects.exists()


def test_the_whole_checkout_works_with_the_keyboard_alone(live_server, page, network, width):
    if width != 1280:
        pytest.skip("one keyboard run is enough")
    base = live_server.url
    page.goto(f"{base}/products/market-tote/")
    page.get_by_label("How many").focus()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # Add to cart
    expect(page).to_have_url(re.compile("/cart/$"))
    page.goto(f"{base}/checkout/")
    page.get_by_label("Your name").focus()
    page.keyboard.type("Keisha Brown")
    page.keyboard.press("Tab")
    page.keyboard.type("keisha@example.org")
    # Tab through the rest of the form to the button, then press it.
    for _ in range(20):
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.textContent || ''")
        if "Place order" in focused:
            break
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name=re.compile(r"Order CP-"))).to_be_visible()
    assert Order.objects.count() == 1


@pytest.mark.parametrize(
    "path", ["/", "/products/", "/products/market-tote/", "/cart/", "/checkout/", "order"]
)
def test_pages_have_no_accessibility_violations(live_server, page, network, path):
    base = live_server.url
    page.goto(f"{base}/products/market-tote/")
    page.get_by_role("button", name="Add to cart").click()
    expect(page).to_have_url(re.compile("/cart/$"))
    if path == "order":
        page.goto(f"{base}/checkout/")
        page.get_by_label("Your name").fill("Keisha Brown")
        page.get_by_label("Email").fill("keisha@example.org")
        page.get_by_role("button", name=re.compile("Place order")).click()
        expect(page.get_by_role("heading", name=re.compile(r"Order CP-"))).to_be_visible()
    else:
        page.goto(f"{base}{path}")

    assert_accessible(page)
