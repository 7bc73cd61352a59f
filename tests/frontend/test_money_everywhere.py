"""Prices over 999 read with a thousands separator on every storefront page and email."""

import re
from decimal import Decimal

import pytest

from orders.emails import email_customer_at_point, email_job_to_managers
from orders.models import Email
from tests.factories import MembershipFactory, UserFactory, make_stocked_product, place

pytestmark = pytest.mark.django_db


@pytest.fixture
def swing(woodshop):
    return make_stocked_product(producer=woodshop, title="Porch swing", price=Decimal("2880.00"))


def checkout_token(client) -> str:
    page = client.get("/checkout/").content.decode()
    return re.search(r'name="checkout_token" value="([^"]+)"', page).group(1)


def test_the_product_list_and_page_show_the_price_with_a_separator(client, swing):
    assert "$2,880.00" in client.get("/products/").content.decode()
    assert "$2,880.00" in client.get(f"/products/{swing.slug}/").content.decode()


def test_the_home_page_card_shows_the_price_with_a_separator(client, swing):
    assert "$2,880.00" in client.get("/").content.decode()


def test_the_cart_shows_price_line_and_total_with_separators(client, swing):
    client.post(f"/cart/add/{swing.slug}/", {"quantity": 2})

    page = client.get("/cart/").content.decode()

    assert "$2,880.00" in page
    assert page.count("$5,760.00") == 2  # the line and the total


def test_the_checkout_button_and_summary_show_the_total_with_a_separator(client, swing):
    client.post(f"/cart/add/{swing.slug}/", {"quantity": 2})

    page = client.get("/checkout/").content.decode()

    assert "Place order · $5,760.00" in page
    assert "Total $5,760.00" in page


def test_the_order_page_shows_lines_and_total_with_separators(client, swing):
    order = place((swing, 2))

    page = client.get(f"/orders/{order.number}/?token={order.access_token}").content.decode()

    assert "2 × Porch swing — $5,760.00" in page
    assert "<dd>$5,760.00</dd>" in page
    assert "To pay at pickup: $5,760.00" in page


def test_no_storefront_page_shows_a_bare_price_over_999(client, swing):
    client.post(f"/cart/add/{swing.slug}/", {"quantity": 1})
    order = place((swing, 1))
    pages = ["/", "/products/", f"/products/{swing.slug}/", "/cart/", "/checkout/"]
    pages.append(f"/orders/{order.number}/?token={order.access_token}")

    for path in pages:
        assert "2880.00" not in client.get(path).content.decode(), path


def test_the_job_email_to_the_coop_shows_prices_with_separators(woodshop, swing):
    MembershipFactory(user=UserFactory(email="m@example.org"), producer=woodshop, role="manager")
    job = place((swing, 2)).jobs.get()

    email_job_to_managers(job=job, event="job.routed")

    email = Email.objects.filter(kind="job.routed").latest("pk")
    assert "at $2,880.00 = $5,760.00" in email.body_text
    assert "at $2,880.00 = $5,760.00" in email.body_html


def test_the_at_the_pickup_point_email_shows_the_total_with_a_separator(swing, center):
    order = place((swing, 2), pickup_point=center)

    email_customer_at_point(order=order, jobs=list(order.jobs.all()))

    email = Email.objects.get(kind="order.at_point")
    assert "You pay $5,760.00 when you collect it." in email.body_text
    assert "You pay $5,760.00 when you collect it." in email.body_html
