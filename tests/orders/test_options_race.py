"""Races on PostgreSQL for the last unit of one size: the row locks of the size's own count.

SQLite serialises every writer, so these prove nothing there and are skipped.
"""

import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from catalog.models import StockBalance
from orders.models import Order, OrderLine
from tests.factories import make_sized_product, size_variant

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

BUYERS = 20


def race(product, size: str) -> list[int]:
    barrier = threading.Barrier(BUYERS)
    statuses: list[int] = []
    body = {
        "lines": [{"product": product.slug, "quantity": 1, "options": {"Size": size}}],
        "contact": {"name": "Neighbour", "email": "n@example.org"},
        "fulfilment": "pickup",
        "payment_method": "pay_at_pickup",
    }

    def buy(n: int):
        client = APIClient()
        try:
            barrier.wait()
            mine = {**body, "contact": {"name": "Neighbour", "email": f"n{n}@example.org"}}
            statuses.append(client.post("/api/v1/orders/", mine, format="json").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=buy, args=(n,)) for n in range(BUYERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def test_twenty_residents_racing_for_the_last_size_m_make_exactly_one_order():
    shirt = make_sized_product(sizes={"M": 1, "L": 5})

    statuses = race(shirt, "M")

    assert statuses.count(201) == 1
    assert statuses.count(409) == BUYERS - 1
    assert Order.objects.count() == 1
    assert OrderLine.objects.get().variant == size_variant(shirt, "M")
    m = StockBalance.objects.get(material=size_variant(shirt, "M").stock_item)
    l_size = StockBalance.objects.get(material=size_variant(shirt, "L").stock_item)
    assert (m.on_hand, m.reserved) == (1, 1)
    assert (l_size.on_hand, l_size.reserved) == (5, 0)
