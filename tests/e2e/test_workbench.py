import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from catalog.models import Product, StockBalance
from orders.models import Job
from orders.services import order_place
from tests.e2e.browser import assert_accessible, press_job_buttons, sign_in
from tests.factories import GUEST

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def order(network):
    return order_place(
        customer=network["resident"],
        contact=GUEST,
        lines=[(Product.objects.get(slug="walnut-cutting-board"), 1)],
        fulfilment="pickup",
        payment_method="pay_at_pickup",
    )


def test_a_coop_manager_moves_a_job_to_ready_and_the_resident_sees_it(
    live_server, page, network, order
):
    base = live_server.url
    sign_in(page, base, "marcus")
    page.get_by_role("link", name="Workbench").click()

    board = page.locator("#wb-board")
    press_job_buttons(page, board, order.number, "Accept", "Start making", "Mark ready")
    # Paid at pickup: handing over opens the form that records what was taken.
    expect(board.get_by_text(re.compile("^Hand over.*and take payment"))).to_be_visible()
    assert Job.objects.get().status == "ready"

    page.goto(f"{base}/orders/{order.number}/?token={order.access_token}")
    expect(page.get_by_role("heading", name=re.compile("West Jackson Woodshop"))).to_contain_text(
        "Ready"
    )


def test_fablab_staff_record_a_drawdown_and_see_the_balance_fall(live_server, page, network):
    base = live_server.url
    sign_in(page, base, "tasha")
    page.goto(f"{base}/workbench/store/")

    form = page.locator("section", has=page.get_by_role("heading", name="Draw down material"))
    form.get_by_label("Material").select_option(value=str(network["plywood"].pk))
    form.get_by_label("Quantity").fill("3")
    form.get_by_label("For which co-op").select_option(label="West Jackson Woodshop")
    form.get_by_label("What is it for?").fill("Cutting boards")
    form.get_by_role("button", name="Record drawdown").click()

    balances = page.locator(
        "section", has=page.get_by_role("heading", name="What is on the shelves")
    )
    expect(balances.get_by_role("row", name=re.compile("Birch plywood 3 mm"))).to_contain_text("17")
    assert StockBalance.objects.get(material=network["plywood"]).on_hand == Decimal("17")


@pytest.mark.parametrize("path", ["/workbench/", "/workbench/store/", "/workbench/report/"])
def test_workbench_pages_have_no_accessibility_violations(live_server, page, network, order, path):
    sign_in(page, live_server.url, "tasha" if "store" in path else "marcus")
    page.goto(f"{live_server.url}{path}")

    assert_accessible(page)
