"""An order's whole life, as the resident and two co-ops live it: told at every step, and
every sale counted, to the cent, in the community's report and the co-op's earnings."""

import re
import time
from urllib.parse import urlsplit

import pytest
from django.core import mail
from playwright.sync_api import expect

from orders.models import Order
from tests.e2e.browser import assert_accessible, press_job_buttons, sign_out, switch_to
from tests.factories import MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WOODSHOP_PLACE = "1124 Robinson St, Jackson, MS 39203"
WOODSHOP_HOURS = "Tue–Fri 9 am–5 pm"
SEWING_PLACE = "310 Rose St, Jackson, MS 39203"
SEWING_HOURS = "Wed–Sat 11 am–6 pm"


@pytest.fixture
def pickup_details(network):
    for producer, place, hours in (
        (network["woodshop"], WOODSHOP_PLACE, WOODSHOP_HOURS),
        (network["sewing"], SEWING_PLACE, SEWING_HOURS),
    ):
        producer.pickup_address, producer.opening_hours = place, hours
        producer.save()
    user = UserFactory(username="lorraine", email="lorraine@example.org")
    MembershipFactory(user=user, producer=network["sewing"], role="manager")


def emails_to(address: str, subject: str, *, wait: float = 5.0) -> list:
    """The emails sent to `address` whose subject has `subject`, once the worker sent them."""
    deadline = time.monotonic() + wait
    while True:
        sent = [m for m in mail.outbox if address in m.to and subject in m.subject]
        if sent or time.monotonic() > deadline:
            return sent
        time.sleep(0.1)


def job_card(page, base: str, order: Order):
    page.goto(f"{base}/workbench/")
    return page.locator(".wb-job", has_text=order.number)


def test_a_guest_is_told_every_step_and_the_cash_sale_is_counted(
    live_server, page, network, pickup_details
):
    base = live_server.url

    # A guest orders a cutting board from the woodshop and a tote from the sewing co-op.
    page.goto(f"{base}/products/walnut-cutting-board/")
    page.get_by_role("button", name="Add to cart").click()
    page.goto(f"{base}/products/market-tote/")
    page.get_by_role("button", name="Add to cart").click()
    page.goto(f"{base}/checkout/")
    page.get_by_label("Your name").fill("Keisha Brown")
    page.get_by_label("Email").fill("guest@example.org")
    page.get_by_label("Pay when you pick up or receive it").check()
    page.get_by_role("button", name=re.compile("Place order")).click()
    expect(page.get_by_role("heading", name=re.compile(r"Order CP-"))).to_be_visible()
    order = Order.objects.get()
    assert order.total == 93

    # The confirmation says where and when to collect each part, and what to bring.
    (placed,) = emails_to("guest@example.org", order.number)
    for words in (WOODSHOP_PLACE, WOODSHOP_HOURS, SEWING_PLACE, SEWING_HOURS, "$93.00"):
        assert words in placed.body, words
    link = re.search(r"https?://\S+/orders/" + order.number + r"/\?token=\S+", placed.body)
    target = urlsplit(link.group(0))
    sign_out(page)
    page.goto(f"{base}{target.path}?{target.query}")
    expect(page.get_by_role("heading", name=f"Order {order.number}")).to_be_visible()
    expect(page.get_by_text("Paid", exact=True)).to_have_count(0)
    assert_accessible(page)

    # The sewing co-op cannot make it and says why; the resident is told.
    switch_to(page, base, "lorraine")
    card = job_card(page, base, order)
    card.locator("summary", has_text="Decline").click()
    card.get_by_label("Why can't you make it?").fill("Our machine is broken until June")
    card.get_by_role("button", name=re.compile("^Decline")).click()
    expect(page.locator(".messages")).to_contain_text(order.number)
    declined = emails_to("guest@example.org", "is cancelled")
    assert declined, [m.subject for m in mail.outbox]
    assert "Our machine is broken until June" in declined[0].body
    order.refresh_from_db()
    assert order.total == 65

    # The woodshop makes the board and hands it over for cash.
    switch_to(page, base, "marcus")
    card = job_card(page, base, order)
    press_job_buttons(page, card, order.number, "Accept", "Start making", "Mark ready")
    # The resident hears where, when and how much, before the board is read again.
    (ready,) = emails_to("guest@example.org", "ready")
    assert WOODSHOP_HOURS in ready.body
    assert "$65.00" in ready.body
    card = job_card(page, base, order)
    expect(card).to_contain_text("To collect: $65.00")
    card.get_by_text(re.compile("^Hand over.*and take payment")).click()
    card.get_by_role("button", name=f"Hand over order {order.number}").click()
    expect(page.get_by_text("Taken: $65.00 (cash).")).to_be_visible()

    # The sale counts for the community and for the co-op, to the cent.
    report = page.request.get(f"{base}/api/v1/reports/community-wealth/").json()
    assert report["totals"]["taken_at_counter"] == "65.00", report
    page.goto(f"{base}/workbench/co-ops/woodshop/earnings/")
    figures = page.locator(".wb-money")
    expect(figures).to_contain_text("Taken at your counter$65.00")
    expect(figures).to_contain_text("Community fund share$3.25")
    assert_accessible(page)
