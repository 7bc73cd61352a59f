import re

import pytest

from orders.models import Order

pytestmark = pytest.mark.django_db


def checkout_data(client, **fields):
    page = client.get("/checkout/").content.decode()
    token = re.search(r'name="checkout_token" value="([^"]+)"', page).group(1)
    return {
        "name": "Keisha Brown",
        "email": "keisha@example.org",
        "fulfilment": "pickup",
        "payment_method": "stripe",
        "checkout_token": token,
        **fields,
    }


def test_a_card_checkout_goes_to_stripes_payment_page(client, stool, fake_stripe):
    client.post(f"/cart/add/{stool.slug}/", {"quantity": 1})

    response = client.post("/checkout/", checkout_data(client))

    order = Order.objects.get()
    assert order.status == Order.Status.PENDING_PAYMENT
    assert response.status_code == 302
    assert response["Location"] == order.payment.checkout_url
    assert len(fake_stripe.received("POST", "/v1/checkout/sessions")) == 1


def test_when_stripe_is_down_the_order_page_offers_to_pay_again(client, stool, fake_stripe):
    client.post(f"/cart/add/{stool.slug}/", {"quantity": 1})
    fake_stripe.fail(times=10, status=500)

    response = client.post("/checkout/", checkout_data(client))

    order = Order.objects.get()
    page = client.get(response["Location"]).content.decode()
    assert response["Location"].startswith(f"/orders/{order.number}/")
    assert "Pay $60.00 by card" in page

    fake_stripe.fail(times=0)
    again = client.post(f"/orders/{order.number}/pay/", {"token": order.access_token})

    order.refresh_from_db()
    assert again["Location"] == order.payment.checkout_url
