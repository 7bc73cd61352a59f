"""Races on PostgreSQL: many residents ordering the last units at once.

SQLite serialises every writer, so these prove nothing there and are skipped.
"""

import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum
from rest_framework.test import APIClient

from catalog.models import BillOfMaterialsLine, Product, StockBalance, StockMovement
from catalog.services.products import product_stock_receive
from catalog.services.stock import stock_receive
from orders.models import Order
from tests.factories import MaterialFactory, ProducerFactory, SharedLocationFactory, make_product

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

BUYERS = 50


def race(product: Product) -> list[int]:
    barrier = threading.Barrier(BUYERS)
    statuses: list[int] = []
    body = {
        "lines": [{"product": product.slug, "quantity": 1}],
        "contact": {"name": "Neighbour", "email": "n@example.org"},
        "fulfilment": "pickup",
        "payment_method": "pay_at_pickup",
    }

    def buy():
        client = APIClient()
        try:
            barrier.wait()
            statuses.append(client.post("/api/v1/orders/", body, format="json").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=buy) for _ in range(BUYERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def ledger_matches(material) -> bool:
    for balance in StockBalance.objects.filter(material=material):
        moves = StockMovement.objects.filter(balance=balance)
        on_hand = moves.filter(kind__in=StockMovement.ON_HAND_KINDS).aggregate(s=Sum("quantity"))
        held = moves.filter(kind__in=StockMovement.RESERVED_KINDS).aggregate(s=Sum("quantity"))
        if (balance.on_hand, balance.reserved) != (on_hand["s"] or 0, held["s"] or 0):
            return False
    return True


def test_fifty_residents_racing_for_ten_stools_make_exactly_ten_orders():
    stool = make_product(producer=ProducerFactory(), title="Stool")
    product_stock_receive(product=stool, quantity=10, by=None, reason="made")

    statuses = race(stool)

    assert statuses.count(201) == 10
    assert statuses.count(409) == BUYERS - 10
    assert Order.objects.count() == 10
    balance = StockBalance.objects.get(material=stool.stock_item)
    assert balance.available == 0
    assert ledger_matches(stool.stock_item)


def test_fifty_residents_racing_for_a_made_to_order_shelf_are_limited_by_its_materials():
    plywood = MaterialFactory(sku="PLY-RACE")
    stock_receive(
        material=plywood, location=SharedLocationFactory(), quantity="20", by=None, reason="in"
    )
    shelf = make_product(
        producer=ProducerFactory(max_open_jobs=100),
        title="Shelf",
        fulfilment=Product.Fulfilment.MADE_TO_ORDER,
        lead_time_days=3,
    )
    BillOfMaterialsLine.objects.create(product=shelf, material=plywood, quantity=Decimal("2"))

    statuses = race(shelf)

    assert statuses.count(201) == 10
    assert statuses.count(409) == BUYERS - 10
    assert StockBalance.objects.get(material=plywood).available == 0
    assert ledger_matches(plywood)


def test_one_buyer_racing_itself_cannot_pass_the_per_buyer_cap(settings):
    settings.ORDER_MAX_UNITS_PER_PRODUCT = 4
    stool = make_product(producer=ProducerFactory(), title="Stool")
    product_stock_receive(product=stool, quantity=40, by=None, reason="made")
    body = {
        "lines": [{"product": stool.slug, "quantity": 3}],
        "contact": {"name": "Hoarder", "email": "hoarder@example.org"},
        "fulfilment": "pickup",
        "payment_method": "pay_at_pickup",
    }
    barrier = threading.Barrier(8)
    statuses: list[int] = []

    def buy():
        try:
            barrier.wait()
            statuses.append(APIClient().post("/api/v1/orders/", body, format="json").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=buy) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == [201] + [409] * 7
    assert StockBalance.objects.get(material=stool.stock_item).reserved == 3
