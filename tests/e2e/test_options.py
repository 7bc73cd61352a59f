"""A resident picks a T-shirt's size and types a name for a tote; the co-op's job card, its
webhook and the emails say both, and only that size's count falls."""

import re
import time
from decimal import Decimal

import pytest
from django.core import mail
from playwright.sync_api import expect

from catalog.models import StockBalance
from orders.models import Order
from tests.e2e.browser import assert_accessible, sign_in, switch_to
from tests.factories import (
    MembershipFactory,
    UserFactory,
    make_personal_product,
    make_sized_product,
    size_variant,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NAME = "<i>Ada</i> & co"


@pytest.fixture
def goods(network, receiver):
    sewing = network["sewing"]
    sewing.webhook_url = receiver.url
    sewing.save()
    receiver.secret = sewing.webhook_secret
    shirt = make_sized_product(
        producer=sewing,
        title="Jackson Made T-shirt",
        price=Decimal("22.00"),
        sizes={"S": 2, "M": 3, "L": 3, "XL": 0},
        deltas={"XL": "2.00"},
    )
    tote = make_personal_product(
        producer=sewing, title="Custom embroidered tote", price=Decimal("40.00"), max_length=30
    )
    manager = UserFactory(username="lorraine", email="lorraine@example.org")
    MembershipFactory(user=manager, producer=sewing, role="manager")
    return shirt, tote


def free(product, size: str) -> Decimal:
    return StockBalance.objects.get(material=size_variant(product, size).stock_item).available


def wait_for(found, *, wait: float = 5.0):
    deadline = time.monotonic() + wait
    while not (result := found()) and time.monotonic() < deadline:
        time.sleep(0.1)
    return result


def test_a_resident_orders_size_m_and_a_name_and_the_co_op_sees_both(
    live_server, page, network, goods, receiver
):
    base = live_server.url
    shirt, tote = goods
    sign_in(page, base, "keisha")

    # The T-shirt page offers the sizes; XL is sold out; a missing size is caught.
    page.goto(f"{base}/products/{shirt.slug}/")
    sizes = page.get_by_role("group", name="Size")
    expect(sizes.get_by_role("radio", name=re.compile("^XL"))).to_be_disabled()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_accessible(page)
    sizes.get_by_role("radio", name="M", exact=True).check()
    page.get_by_role("button", name="Add to cart").click()
    expect(page.locator(".messages")).to_contain_text(
        "Jackson Made T-shirt (Size: M) is in your cart"
    )

    # The tote takes its name; too long is refused beside the field, the cart unchanged.
    page.goto(f"{base}/products/{tote.slug}/")
    page.get_by_label("Name to embroider").fill("A" * 30)
    page.get_by_label("Name to embroider").evaluate("e => e.removeAttribute('maxlength')")
    page.get_by_label("Name to embroider").fill("A" * 31)
    page.get_by_role("button", name="Add to cart").click()
    expect(page.get_by_role("alert")).to_contain_text("Use at most 30 characters (you typed 31).")
    assert_accessible(page)
    page.get_by_label("Name to embroider").fill(NAME)
    page.get_by_role("button", name="Add to cart").click()
    cart = page.locator("table.cart")
    expect(cart).to_contain_text("(Size: M)")
    expect(cart).to_contain_text(f"Name to embroider: “{NAME}”")

    # Pay at pickup.
    page.goto(f"{base}/checkout/")
    page.get_by_label("Your name").fill("Keisha Brown")
    page.get_by_label("Email").fill("keisha@example.org")
    page.get_by_role("button", name=re.compile("Place order")).click()
    expect(page.get_by_role("heading", name=re.compile(r"Order CP-"))).to_be_visible()
    order = Order.objects.get()
    assert order.payment_method == "pay_at_pickup"

    # Size M's count fell by one; size L's did not.
    assert (free(shirt, "M"), free(shirt, "L")) == (2, 3)

    # The co-op's job card shows the size and the name, as text.
    switch_to(page, base, "lorraine")
    page.goto(f"{base}/workbench/")
    card = page.locator(".wb-job", has_text=order.number)
    expect(card).to_contain_text("Jackson Made T-shirt (Size: M)")
    expect(card).to_contain_text(f"Name to embroider: “{NAME}”")
    assert_accessible(page)

    # The webhook carries both.
    received = wait_for(lambda: [r for r in receiver.requests if r.verified])
    lines = {line["title"]: line for line in received[0].payload["data"]["lines"]}
    assert lines["Jackson Made T-shirt"]["options"][0]["value"] == "M"
    assert lines["Custom embroidered tote"]["personalisation"][0]["text"] == NAME

    # And so do the emails: to the co-op's managers and to the resident.
    def emails_to(address):
        return wait_for(lambda: [m for m in mail.outbox if address in m.to])

    for message in (emails_to("lorraine@example.org")[0], emails_to("keisha@example.org")[0]):
        assert "Jackson Made T-shirt (Size: M)" in message.body
        assert f"Name to embroider: {NAME}" in message.body
        html = message.alternatives[0][0] if message.alternatives else ""
        assert "<i>Ada</i>" not in html
