import re

import pytest
from playwright.sync_api import expect

from catalog.models import BillOfMaterialsLine, Product
from tests.e2e.browser import assert_accessible, sign_in
from tests.images import jpeg

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_puts_a_new_product_on_sale_and_a_resident_finds_it(
    live_server, page, network, browser, width
):
    base = live_server.url
    sign_in(page, base, "marcus")
    page.goto(f"{base}/workbench/co-ops/woodshop/")
    page.get_by_role("link", name="Products", exact=True).first.click()
    expect(page.get_by_role("heading", name="Products", exact=True)).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Add a product").click()
    page.get_by_label("Name").fill("Cedar planter box")
    page.get_by_label("Description").fill("Raised bed of untreated cedar, 4 by 2 feet.")
    page.get_by_label("Price (US dollars)").fill("1250")
    page.get_by_label("Made to order").check()
    page.get_by_label("Days to make one").fill("4")
    assert_accessible(page)
    page.get_by_role("button", name="Save as draft").click()
    expect(page.get_by_text("Cedar planter box is saved as a draft")).to_be_visible()

    page.get_by_label("Picture", exact=True).set_input_files(
        files=[{"name": "planter.jpg", "mimeType": "image/jpeg", "buffer": jpeg((900, 600))}]
    )
    page.get_by_label("What the picture shows").fill("Cedar planter box full of kale")
    page.get_by_role("button", name="Upload picture").click()
    expect(page.get_by_text("Added the picture to Cedar planter box.")).to_be_visible()
    expect(page.get_by_role("img", name="Cedar planter box full of kale")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Materials", exact=True).click()
    page.get_by_label("Material", exact=True).select_option(value=str(network["plywood"].pk))
    page.get_by_label("Quantity for one item").fill("2")
    page.get_by_role("button", name="Add material").click()
    expect(page.get_by_text(re.compile("takes 2 sheet of Birch plywood 3 mm"))).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Details and sale").click()
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("Cedar planter box is on sale now.")).to_be_visible()
    assert_accessible(page)
    product = Product.objects.get(title="Cedar planter box")
    assert product.status == Product.Status.PUBLISHED
    assert BillOfMaterialsLine.objects.filter(product=product).count() == 1

    page.get_by_role("link", name="All products").click()
    expect(page.get_by_role("link", name="Cedar planter box")).to_be_visible()
    expect(page.get_by_text("$1,250.00")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    resident = browser.new_context(viewport={"width": width, "height": 900})
    shopper = resident.new_page()
    sign_in(shopper, base, "keisha")
    shopper.get_by_label("Search the goods").fill("cedar planter")
    shopper.get_by_role("button", name="Search").click()
    results = shopper.locator("#results")
    expect(results.get_by_role("link", name="Cedar planter box")).to_be_visible()
    expect(results.get_by_role("img", name="Cedar planter box full of kale")).to_be_visible()
    resident.close()
