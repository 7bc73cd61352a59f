"""The storefront on a phone: no page scrolls sideways at 320 or 375 px, the catalog's filters
fold away behind a button, and a filter change brings the results into view and says how many."""

import re
from decimal import Decimal

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from catalog.models import BillOfMaterialsLine, Product
from catalog.services.products import product_stock_receive
from tests.e2e.browser import sign_in, sign_out
from tests.factories import ProducerFactory, make_product, place

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONES = [320, 375]
LONG_LINK = (
    "https://west-jackson-neighbourhood-makers.example.org/catalogue/porch-swings-and-benches"
)

# The elements that stick out past the right edge, for a failure message that says where.
WIDER_THAN_THE_SCREEN = """() => {
  const width = window.innerWidth;
  const wide = [...document.querySelectorAll("body *")]
    .filter((el) => el.getBoundingClientRect().right > width + 0.5)
    .map((el) => `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}.${el.className}`);
  return {scrollWidth: document.documentElement.scrollWidth, width, wide: wide.slice(0, 5)};
}"""


@pytest.fixture
def storefront(network):
    """The test network, plus what makes a page wide: a long co-op name with a long link in
    its story, prices in the thousands, goods of every kind, and orders to look at."""
    network["woodshop"].description = f"Porch swings and benches. See them all at {LONG_LINK}."
    network["woodshop"].address = "2201 Martin Luther King Jr Drive, Jackson, MS 39203"
    network["woodshop"].website = LONG_LINK
    network["woodshop"].save()
    makers = ProducerFactory(
        name="Northwest Jackson Neighbourhood Woodworkers and Upholsterers Cooperative",
        slug="upholsterers",
        description=f"Chairs, swings and cushions, made to last. {LONG_LINK}",
        capabilities=["woodworking"],
    )
    swing = make_product(
        producer=network["woodshop"],
        title="Cedar porch swing, five-foot, with galvanised-steel hanging chains",
        price=Decimal("2880.00"),
        description=f"Western red cedar, oiled. Pictures: {LONG_LINK}",
    )
    product_stock_receive(product=swing, quantity=4, by=None, reason="made")
    bench = make_product(
        producer=makers,
        title="Upholstered storage bench",
        price=Decimal("1450.00"),
        fulfilment=Product.Fulfilment.MADE_TO_ORDER,
        lead_time_days=21,
    )
    BillOfMaterialsLine.objects.create(product=bench, material=network["plywood"], quantity=3)
    stool = make_product(
        producer=makers,
        title="Open-design step stool",
        price=Decimal("55.00"),
        fulfilment=Product.Fulfilment.MADE_TO_ORDER,
        lead_time_days=4,
        open_design=True,
    )
    stool.required_capabilities.set(makers.capabilities.all())
    BillOfMaterialsLine.objects.create(product=stool, material=network["plywood"], quantity=1)
    tote = network["sewing"].products.get(slug="market-tote")
    guest_order = place((swing, 1), (tote, 2))
    place((tote, 1), customer=network["resident"])
    return {"swing": swing, "bench": bench, "stool": stool, "makers": makers, "order": guest_order}


def storefront_pages(storefront) -> dict[str, str]:
    """Every page a resident sees, by what it is (the cart and My orders come later)."""
    order = storefront["order"]
    return {
        "home": "/",
        "goods": "/products/",
        "goods searched and filtered": (
            "/products/?q=walnut&category=kitchen&min_price=10&max_price=3000"
            "&fulfilment=stock&in_stock=true&ordering=-price"
        ),
        "goods found by nothing": "/products/?q=hovercraft",
        "ready-made good": f"/products/{storefront['swing'].slug}/",
        "made-to-order good": f"/products/{storefront['bench'].slug}/",
        "open design": f"/products/{storefront['stool'].slug}/",
        "co-ops": "/producers/",
        "a co-op": "/producers/woodshop/",
        "a co-op with a long name": "/producers/upholsterers/",
        "an order, by its link": f"/orders/{order.number}/?token={order.access_token}",
        "sign in": "/accounts/sign-in/",
        "sign up": "/accounts/sign-up/",
        "password reset": "/accounts/password-reset/",
        "password reset sent": "/accounts/password-reset/sent/",
        "password reset link that no longer works": "/accounts/password-reset/MQ/used-token/",
        "password changed": "/accounts/password-reset/done/",
        "email link that does not work": "/accounts/verify-email/not-a-token/",
        "page not found": "/products/no-such-thing/",
    }


def measure(page, name: str, wide: list, violations: list) -> None:
    seen = page.evaluate(WIDER_THAN_THE_SCREEN)
    if seen["scrollWidth"] > seen["width"]:
        wide.append((name, seen))
    result = Axe().run(page)
    if result.violations_count:
        violations.append((name, result.generate_report()))


@pytest.mark.parametrize("width", PHONES)
def test_no_storefront_page_is_wider_than_the_phone_and_each_passes_axe(
    live_server, page, storefront, width
):
    base = live_server.url
    wide, violations = [], []
    for name, path in storefront_pages(storefront).items():
        page.goto(base + path)
        measure(page, name, wide, violations)
    page.goto(f"{base}/products/")
    page.locator("#filter-panel > summary").click()
    measure(page, "goods with the filters open", wide, violations)

    # The cart and checkout with goods in them, a thousands price among them.
    page.goto(f"{base}/products/{storefront['swing'].slug}/")
    page.get_by_label("How many").fill("3")
    page.get_by_role("button", name="Add to cart").click()
    page.goto(f"{base}/products/market-tote/")
    page.get_by_role("button", name="Add to cart").click()
    page.goto(f"{base}/cart/")
    expect(page.get_by_text("$8,640.00")).to_be_visible()
    measure(page, "cart", wide, violations)
    page.goto(f"{base}/checkout/")
    measure(page, "checkout", wide, violations)

    sign_out(page)
    sign_in(page, base, "keisha")
    page.goto(f"{base}/orders/")
    expect(page.get_by_role("heading", name="My orders")).to_be_visible()
    measure(page, "my orders", wide, violations)

    assert wide == [], f"wider than {width} px: {wide}"
    assert violations == [], "\n".join(f"{name}: {report}" for name, report in violations)


@pytest.mark.parametrize("width", [375])
def test_on_a_phone_the_filters_fold_away_and_a_change_brings_the_results(
    live_server, page, storefront, width
):
    page.goto(f"{live_server.url}/products/")
    panel = page.locator("#filter-panel")
    summary = panel.locator("summary")
    results_heading = page.locator("#results-heading")
    expect(panel).not_to_have_attribute("open", re.compile(".*"))
    expect(page.get_by_label("Category")).to_be_hidden()
    expect(results_heading).to_be_in_viewport()

    summary.click()
    page.get_by_label("Made to order").check()

    expect(results_heading).to_have_text("3 things found")
    expect(page.locator("#catalog-news")).to_have_text("3 things found")
    expect(page.locator("#catalog-news")).to_have_attribute("aria-live", "polite")
    expect(summary).to_have_text("Filters (1 on)")
    expect(results_heading).to_be_in_viewport()
    # Focus stays in the filter just changed: the next change is one Tab away.
    expect(page.get_by_label("Made to order")).to_be_focused()
    expect(page.locator("#results")).to_have_count(1)


@pytest.mark.parametrize("width", [375])
def test_without_javascript_the_folded_filters_still_open_and_apply(
    live_server, browser, storefront, width
):
    viewport = {"width": width, "height": 900}
    context = browser.new_context(java_script_enabled=False, viewport=viewport)
    page = context.new_page()
    page.goto(f"{live_server.url}/products/")

    page.locator("#filter-panel > summary").click()
    page.get_by_label("Made to order").check()
    page.get_by_role("button", name="Show goods").click()

    expect(page).to_have_url(re.compile(r"fulfilment=made_to_order"))
    expect(page.locator("#results-heading")).to_have_text("3 things found")
    expect(page.locator("#filter-panel > summary")).to_have_text("Filters (1 on)")
    context.close()


# Where the price box and its fields sit, left and right, against the inside of the sidebar
# (inside its border and padding).
PRICE_BOXES = """() => {
  const sidebar = document.querySelector("form.filters");
  const style = getComputedStyle(sidebar);
  const box = sidebar.getBoundingClientRect();
  const edges = (el) => { const r = el.getBoundingClientRect(); return [r.left, r.right]; };
  const price = document.querySelector("#min_price").closest("fieldset");
  return {
    inside: [box.left + parseFloat(style.borderLeftWidth) + parseFloat(style.paddingLeft),
             box.right - parseFloat(style.borderRightWidth) - parseFloat(style.paddingRight)],
    boxes: {"price box": edges(price), "From": edges(document.querySelector("#min_price")),
            "To": edges(document.querySelector("#max_price"))},
  };
}"""


@pytest.mark.parametrize("width", [1280])
def test_on_a_wide_screen_the_filters_are_open_and_the_price_fields_fit_the_sidebar(
    live_server, page, storefront, width
):
    page.goto(f"{live_server.url}/products/?min_price=100&max_price=3000")

    expect(page.locator("#filter-panel")).to_have_attribute("open", "")
    seen = page.evaluate(PRICE_BOXES)
    left, right = seen["inside"]
    sticking_out = {
        name: edges
        for name, edges in seen["boxes"].items()
        if edges[0] < left - 0.5 or edges[1] > right + 0.5
    }
    assert sticking_out == {}, f"outside the sidebar's inside ({left}, {right})"
