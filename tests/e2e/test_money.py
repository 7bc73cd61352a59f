"""A co-op manager takes cash at the counter, then finds it on the co-op's Money page."""

import re

import pytest
from playwright.sync_api import expect

from catalog.models import Product
from orders.models import CounterPayment
from orders.services import job_accept, job_ready, job_start, order_place
from tests.e2e.browser import assert_accessible, sign_in
from tests.factories import GUEST

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def ready_order(network):
    """Two walnut cutting boards (130.00), ready to collect and pay for at the woodshop."""
    order = order_place(
        customer=network["resident"],
        contact=GUEST,
        lines=[(Product.objects.get(slug="walnut-cutting-board"), 2)],
        fulfilment="pickup",
        payment_method="pay_at_pickup",
    )
    job = order.jobs.get()
    for move in (job_accept, job_start, job_ready):
        job = move(job=job, by=None)
    return order


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_manager_hands_over_for_cash_and_sees_it_on_the_money_page(
    live_server, page, network, ready_order
):
    base = live_server.url
    sign_in(page, base, "marcus")
    page.goto(f"{base}/workbench/")

    card = page.locator(f"#job-{ready_order.jobs.get().pk}")
    expect(card).to_contain_text("To collect: $130.00")
    card.get_by_text(re.compile("^Hand over.*and take payment")).click()
    expect(card.get_by_label("Amount taken ($)")).to_have_value("130.00")
    expect(card.get_by_label("Cash")).to_be_checked()
    assert_accessible(page)
    assert no_sideways_scroll(page)

    card.get_by_role("button", name=f"Hand over order {ready_order.number}").click()

    expect(page.get_by_text("Taken: $130.00 (cash).")).to_be_visible()
    expect(page.get_by_text("Taken at the counter: $130.00 (cash)")).to_be_visible()
    assert CounterPayment.objects.get().amount == 130

    page.goto(f"{base}/workbench/co-ops/woodshop/")
    page.get_by_role("link", name="Money").first.click()
    expect(page.get_by_role("heading", name=re.compile("^Money in"))).to_be_visible()
    figures = page.locator(".wb-money")
    expect(figures).to_contain_text("Taken at your counter$130.00")
    expect(figures).to_contain_text("Community fund share$6.50")
    expect(page.get_by_role("row", name=re.compile(ready_order.number))).to_contain_text(
        "At the counter: cash"
    )
    assert_accessible(page)
    assert no_sideways_scroll(page)


def test_a_short_payment_without_a_reason_is_explained_beside_the_field(
    live_server, page, network, ready_order
):
    base = live_server.url
    sign_in(page, base, "marcus")
    page.goto(f"{base}/workbench/")
    card = page.locator(f"#job-{ready_order.jobs.get().pk}")
    card.get_by_text(re.compile("^Hand over.*and take payment")).click()

    card.get_by_label("Amount taken ($)").fill("100")
    card.get_by_role("button", name=f"Hand over order {ready_order.number}").click()

    card = page.locator(f"#job-{ready_order.jobs.get().pk}")
    expect(card).to_contain_text("Say why less than $130.00 was taken")
    assert not CounterPayment.objects.exists()
    assert_accessible(page)
