"""Choosing options and personal text on the product page, in the cart and at checkout."""

import re

import pytest

from catalog.models import StockBalance
from catalog.services.options import Chosen
from orders.models import Order
from tests.factories import make_personal_product, make_sized_product, place, size_variant

pytestmark = pytest.mark.django_db


@pytest.fixture
def shirt():
    return make_sized_product(
        sizes={"S": 0, "M": 2, "L": 2}, deltas={"L": "2.00"}, title="T-shirt", price="22.00"
    )


@pytest.fixture
def tote():
    return make_personal_product(title="Tote", max_length=30)


def field(product, kind: str) -> str:
    """The form field name of a product's first option (`option`) or text (`text`)."""
    row = product.options.first() if kind == "option" else product.personal_fields.first()
    return f"{kind}-{row.pk}"


def free(product, size):
    return StockBalance.objects.get(material=size_variant(product, size).stock_item).available


def checkout(client):
    page = client.get("/checkout/").content.decode()
    token = re.search(r'name="checkout_token" value="([^"]+)"', page).group(1)
    return client.post(
        "/checkout/",
        {
            "name": "Keisha Brown",
            "email": "keisha@example.org",
            "fulfilment": "pickup",
            "payment_method": "pay_at_pickup",
            "checkout_token": token,
        },
    )


def test_the_product_page_offers_each_size_with_its_price_difference_and_says_sold_out(
    client, shirt
):
    page = client.get(f"/products/{shirt.slug}/").content.decode()

    assert "<legend>Size</legend>" in page
    assert "L (+$2.00)" in page
    assert "S — sold out" in page


def test_two_sizes_are_two_cart_lines_at_their_own_prices(client, shirt):
    client.post(f"/cart/add/{shirt.slug}/", {"quantity": 1, field(shirt, "option"): "M"})
    client.post(f"/cart/add/{shirt.slug}/", {"quantity": 1, field(shirt, "option"): "L"})

    page = client.get("/cart/").content.decode()

    assert len(client.session["cart"]) == 2
    assert "(Size: M)" in page
    assert "$24.00" in page


def test_checking_out_a_size_reserves_that_size(client, shirt):
    client.post(f"/cart/add/{shirt.slug}/", {"quantity": 1, field(shirt, "option"): "M"})

    checkout(client)

    assert Order.objects.get().lines.get().options[0]["value"] == "M"
    assert (free(shirt, "M"), free(shirt, "L")) == (1, 2)


def test_a_sold_out_size_is_refused_on_the_page_and_the_cart_stays_empty(client, shirt):
    response = client.post(f"/cart/add/{shirt.slug}/", {"quantity": 1, field(shirt, "option"): "S"})

    page = response.content.decode()
    assert response.status_code == 409
    assert "T-shirt (Size: S) is sold out" in page
    assert "4 in stock" in page  # the page as it always looks, availability included
    assert not client.session.get("cart")


def test_another_products_option_is_refused_and_the_cart_stays_empty(client, shirt, tote):
    response = client.post(f"/cart/add/{tote.slug}/", {"quantity": 1, field(shirt, "option"): "M"})

    assert response.status_code == 400
    assert "has no option" in response.content.decode()
    assert not client.session.get("cart")


def test_a_forged_price_is_refused_and_the_cart_stays_empty(client, shirt):
    response = client.post(
        f"/cart/add/{shirt.slug}/",
        {"quantity": 1, field(shirt, "option"): "L", "unit_price": "0.01"},
    )

    assert response.status_code == 400
    assert "Prices are set by the co-op" in response.content.decode()
    assert not client.session.get("cart")


def test_too_long_personal_text_is_refused_beside_the_field_keeping_what_was_typed(client, tote):
    response = client.post(
        f"/cart/add/{tote.slug}/", {"quantity": 1, field(tote, "text"): "A" * 31}
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert "Use at most 30 characters (you typed 31)." in page
    assert f'value="{"A" * 31}"' in page
    assert not client.session.get("cart")


def test_personal_text_with_a_line_break_is_refused(client, tote):
    response = client.post(f"/cart/add/{tote.slug}/", {"quantity": 1, field(tote, "text"): "A\rB"})

    assert response.status_code == 400
    assert not client.session.get("cart")


def test_markup_in_personal_text_is_shown_as_text_in_the_cart_and_on_the_order(client, tote):
    client.post(
        f"/cart/add/{tote.slug}/",
        {"quantity": 1, field(tote, "text"): '<script>alert("x")</script>'},
    )

    cart = client.get("/cart/").content.decode()
    order_page = client.get(checkout(client)["Location"]).content.decode()

    for page in (cart, order_page):
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
        assert '<script>alert("x")' not in page


def test_a_size_sold_since_the_page_was_cached_shows_as_sold_out(client, shirt):
    client.get(f"/products/{shirt.slug}/")

    place((shirt, 2, Chosen(options={"Size": "M"})))

    assert "M — sold out" in client.get(f"/products/{shirt.slug}/").content.decode()
