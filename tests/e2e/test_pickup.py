"""A resident gathers an order from two co-ops at the Center, and is told when it is all there."""

import re
import time

import pytest
from django.core import mail
from playwright.sync_api import expect

from orders.models import Order, PickupPoint
from tests.e2e.browser import assert_accessible, press_job_buttons, sign_out, switch_to
from tests.factories import FabLabFactory, MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def center(network):
    return PickupPoint.objects.create(
        slug="the-center",
        name="The Center",
        address="1000 W Capitol St",
        opening_hours="Tue–Sat 10 am–6 pm",
        keeper=FabLabFactory(),  # the network's Fab Lab, where "tasha" works
    )


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def mark_ready(page, base: str, order: Order) -> None:
    page.goto(f"{base}/workbench/")
    card = page.locator(".wb-job", has_text=order.number)
    expect(card).to_contain_text("Drop at The Center, 1000 W Capitol St, by")
    press_job_buttons(page, card, order.number, "Accept", "Start making", "Mark ready")


def emails_to(address: str, *, wait: float = 5.0) -> list:
    deadline = time.monotonic() + wait
    while True:
        sent = [message for message in mail.outbox if address in message.to]
        if sent or time.monotonic() > deadline:
            return sent
        time.sleep(0.1)


def test_a_resident_collects_parts_from_two_co_ops_at_the_center(
    live_server, page, network, center
):
    base = live_server.url
    MembershipFactory(user=UserFactory(username="lorraine"), producer=network["sewing"])

    # The resident orders from two co-ops; the Center is offered, and ticked.
    page.goto(f"{base}/products/walnut-cutting-board/")
    page.get_by_role("button", name="Add to cart").click()
    page.goto(f"{base}/products/market-tote/")
    page.get_by_role("button", name="Add to cart").click()
    page.goto(f"{base}/checkout/")
    expect(page.get_by_text("Your order comes from 2 co-ops.")).to_be_visible()
    expect(page.get_by_label(re.compile("^The Center, 1000 W Capitol St"))).to_be_checked()
    assert no_sideways_scroll(page)
    assert_accessible(page)
    page.get_by_label("Your name").fill("Keisha Brown")
    page.get_by_label("Email").fill("keisha@example.org")
    page.get_by_role("button", name=re.compile("Place order")).click()
    expect(page.get_by_role("heading", name=re.compile(r"Order CP-"))).to_be_visible()
    order = Order.objects.get()
    order_url = page.url
    assert order.pickup_point == center

    # Both co-ops make their part and are told to drop it at the Center.
    switch_to(page, base, "marcus")
    mark_ready(page, base, order)
    switch_to(page, base, "lorraine")
    mark_ready(page, base, order)

    # The Fab Lab's technician receives both parts.
    switch_to(page, base, "tasha")
    page.goto(f"{base}/workbench/pickup-points/")
    expect(page.get_by_role("heading", name="The Center", level=1)).to_be_visible()
    assert no_sideways_scroll(page)
    assert_accessible(page)
    for _ in range(2):
        page.get_by_role("button", name=re.compile("^Mark arrived")).first.click()
        expect(page.locator(".messages")).to_contain_text("is here")
    expect(page.get_by_role("button", name=re.compile("^Hand over everything"))).to_be_visible()
    assert_accessible(page)

    # One email tells the resident that everything is waiting.
    sent = emails_to("keisha@example.org")
    waiting = [message for message in sent if "is waiting at The Center" in message.subject]
    assert len(waiting) == 1
    assert "Every part of your order" in waiting[0].body
    assert "1000 W Capitol St" in waiting[0].body

    # The order page says so, part by part.
    sign_out(page)
    page.goto(order_url)
    expect(page.get_by_text("Waiting at The Center")).to_have_count(2)
    assert no_sideways_scroll(page)
    assert_accessible(page)
