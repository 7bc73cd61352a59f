"""Nobody may hold all the stock: a cap on one product per order and per buyer (issue 14, 2)."""

from decimal import Decimal

import pytest

from catalog.services.products import product_stock_receive
from orders import services
from orders.exceptions import OrderLimitExceeded
from orders.models import Order
from orders.services import Contact
from tests.factories import UserFactory, order_body, place

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def cap(settings, stool):
    settings.ORDER_MAX_UNITS_PER_PRODUCT = 4
    product_stock_receive(product=stool, quantity=20, by=None, reason="made plenty")


def test_one_order_cannot_hold_more_of_a_product_than_the_cap(stool):
    with pytest.raises(OrderLimitExceeded) as caught:
        place((stool, 5))

    assert caught.value.extra == {
        "product": "stool",
        "product_name": "Stool",
        "limit": 4,
        "held": 0,
        "requested": 5,
    }
    assert not Order.objects.exists()


def test_two_lines_of_one_product_count_together(stool):
    with pytest.raises(OrderLimitExceeded):
        place((stool, 2), (stool, 3))


def test_a_guest_cannot_pass_the_cap_over_several_orders_with_one_email(stool):
    place((stool, 3))

    with pytest.raises(OrderLimitExceeded) as caught:
        place((stool, 2), contact=Contact(name="K", email="KEISHA@example.org"))

    assert caught.value.extra["held"] == 3
    assert Order.objects.count() == 1


def test_a_customer_cannot_pass_the_cap_by_changing_the_contact_email(stool):
    customer = UserFactory()
    place((stool, 3), customer=customer)

    with pytest.raises(OrderLimitExceeded):
        place((stool, 2), customer=customer, contact=Contact(name="K", email="other@example.org"))


def test_cancelled_orders_no_longer_count(stool):
    services.order_cancel(order=place((stool, 4)), by=None)

    assert place((stool, 4)).lines.get().quantity == 4


def test_other_buyers_are_not_limited_by_someone_elses_orders(stool):
    place((stool, 4))

    order = place((stool, 4), contact=Contact(name="Ada", email="ada@example.org"))

    assert order.total == Decimal("240.00")


def test_the_api_answers_409_order_limit_exceeded_naming_the_product(api, stool):
    response = api.post("/api/v1/orders/", order_body((stool, 5)), format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "order_limit_exceeded"
    assert response.json()["product"] == "stool"
    assert "Stool" in response.json()["detail"]
    assert not Order.objects.exists()
