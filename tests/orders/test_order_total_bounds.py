"""An order whose total cannot be stored is refused as bad input, on every database."""

from decimal import Decimal

import pytest

from catalog.services.products import product_stock_receive
from orders.exceptions import InvalidInput
from orders.models import Order
from tests.factories import ProducerFactory, make_product, place

pytestmark = pytest.mark.django_db

# The largest amount a money column holds: 10 digits before the point, 2 after.
MOST = Decimal("9999999999.99")


@pytest.fixture
def workshop():
    return ProducerFactory(name="Workshop", slug="workshop")


def product(workshop, title: str, price: Decimal):
    made = make_product(producer=workshop, title=title, price=price)
    product_stock_receive(product=made, quantity=3, by=None, reason="made")
    return made


@pytest.fixture
def yacht(workshop):
    return product(workshop, "Yacht", MOST)


@pytest.fixture
def oar(workshop):
    return product(workshop, "Oar", Decimal("0.01"))


def body(*lines):
    return {
        "lines": [{"product": p.slug, "quantity": q} for p, q in lines],
        "contact": {"name": "Neighbour", "email": "n@example.org"},
        "fulfilment": "pickup",
        "payment_method": "pay_at_pickup",
    }


def test_an_order_total_one_cent_beyond_what_can_be_stored_answers_400_on_lines(api, yacht, oar):
    response = api.post("/api/v1/orders/", body((yacht, 1), (oar, 1)), format="json")

    assert response.status_code == 400
    assert "lines" in response.json()["errors"]
    assert not Order.objects.exists()


def test_placing_an_order_whose_total_overflows_raises_a_field_error(yacht):
    with pytest.raises(InvalidInput) as caught:
        place((yacht, 2))

    assert list(caught.value.message_dict) == ["lines"]
    assert not Order.objects.exists()


def test_an_order_of_exactly_the_largest_storable_total_is_taken_and_reads_back(api, yacht):
    response = api.post("/api/v1/orders/", body((yacht, 1)), format="json")

    assert response.status_code == 201
    assert Order.objects.get().total == MOST
