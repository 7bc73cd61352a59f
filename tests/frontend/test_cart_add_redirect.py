"""Adding to the cart always lands on the cart: the form names no other place to go."""

import pytest

pytestmark = pytest.mark.django_db


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
