"""Adding to the cart always lands on the cart: the form names no other place to go."""

import pytest

from catalog.services.products import product_stock_receive
from tests.factories import make_product

pytestmark = pytest.mark.django_db


@pytest.fixture
def stool():
    product = make_product(title="Stool", slug="stool")
    product_stock_receive(product=product, quantity=5, by=None, reason="made")
    return product


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/", "/\\evil.example/", "https:evil.example"],
)
def test_adding_to_the_cart_never_redirects_off_the_site(client, stool, target):
    response = client.post("/cart/add/stool/", {"quantity": 1, "next": target})

    assert response.status_code == 302
    assert response["Location"] == "/cart/"


@pytest.mark.parametrize("target", ["http://[::1", "http://[", "/cart/\x00", "x" * 5000])
def test_an_odd_next_value_still_adds_to_the_cart_and_goes_to_it(client, stool, target):
    response = client.post("/cart/add/stool/", {"quantity": 1, "next": target})

    assert response.status_code == 302
    assert response["Location"] == "/cart/"
    assert client.session["cart"] == {"stool": 1}
