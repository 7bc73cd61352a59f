"""A resident follows an order that updates by itself, and cancels another before it is made."""

import re

import pytest
from playwright.sync_api import expect

from orders import services
from orders.models import Order
from tests.e2e.browser import assert_accessible, sign_in
from tests.factories import place

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def quick_polling(settings):
    # The page asks every 15 s in production; a second keeps the test short.
    settings.ORDER_STATUS_POLL_SECONDS = 1


def order_page(base: str, order: Order) -> str:
    return f"{base}/orders/{order.number}/?token={order.access_token}"


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_the_order_page_updates_by_itself_when_the_coop_marks_it_ready(live_server, page, network):
    board = network["woodshop"].products.get(slug="walnut-cutting-board")
    order = place((board, 1))
    page.goto(order_page(live_server.url, order))
    part = page.locator(".job").first
    expect(part.locator("h3 .status")).to_have_text("Sent to the co-op")
    expect(page.get_by_text("To pay at pickup: $65.00").first).to_be_visible()
    assert_accessible(page)
    assert no_sideways_scroll(page)

    job = order.jobs.get()
    for move in (services.job_accept, services.job_start, services.job_ready):
        job = move(job=job, by=network["manager"])

    # No reload: the status part of the page asks for news by itself.
    expect(part.locator("h3 .status")).to_have_text("Ready to collect", timeout=10_000)
    expect(page.locator(".job .timeline .step")).to_have_text(
        ["Sent to the co-op", "Accepted by the co-op", "In production", "Ready to collect"]
    )
    assert_accessible(page)


def test_a_resident_cancels_an_order_before_it_is_made(live_server, page, network):
    tote = network["sewing"].products.get(slug="market-tote")
    order = place((tote, 2))
    page.goto(order_page(live_server.url, order))

    page.get_by_text("Cancel this order").click()
    assert_accessible(page)
    assert no_sideways_scroll(page)
    page.get_by_role("button", name=f"Yes, cancel order {order.number}").click()

    expect(page.get_by_text(f"Order {order.number} is cancelled")).to_be_visible()
    expect(page.locator("#order-status .status").first).to_have_text("Cancelled")
    # A cancelled order is done: the page stops asking for news.
    expect(page.locator("[hx-trigger]")).to_have_count(0)
    assert Order.objects.get(pk=order.pk).status == Order.Status.CANCELLED
    assert_accessible(page)
    assert re.search("Cancel this order", page.content()) is None


def test_a_coop_marks_a_ready_part_not_collected_from_the_job_card(live_server, page, network):
    board = network["woodshop"].products.get(slug="walnut-cutting-board")
    order = place((board, 1))
    job = order.jobs.get()
    for move in (services.job_accept, services.job_start, services.job_ready):
        job = move(job=job, by=network["manager"])
    sign_in(page, live_server.url, "marcus")
    page.goto(f"{live_server.url}/workbench/")

    card = page.locator(f"#job-{job.pk}")
    card.locator("summary", has_text="Not collected").click()
    assert_accessible(page)
    assert no_sideways_scroll(page)
    card.get_by_role("button", name=f"Release order {order.number} as not collected").click()

    expect(page.get_by_text(f"Order {order.number} for")).to_contain_text("marked not collected")
    assert order.jobs.get().status == "cancelled"
