"""Goods received twice at the same moment tell each waiting resident once (PostgreSQL).

Two receipts of the same product, on two of its co-op's shelves (no balance lock in
common), each see the product free again and each announce it: the lock on the
pending requests lets one transaction claim them and leaves none for the other.
"""

import threading
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection

from catalog.models import BackInStockRequest, Product, StockLocation
from catalog.services.back_in_stock import back_in_stock_request
from catalog.services.products import finished_goods_location
from catalog.services.stock import stock_receive
from orders.models import Email
from tests.factories import StockLocationFactory, make_product

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def receive_together(product: Product, locations: list[StockLocation]) -> list[str]:
    """Receive one of `product` on each shelf, all threads released at once."""
    barrier = threading.Barrier(len(locations))
    errors: list[str] = []

    def run(location_id: int) -> None:
        try:
            fresh = Product.objects.select_related("stock_item", "producer").get(pk=product.pk)
            location = StockLocation.objects.get(pk=location_id)
            barrier.wait(timeout=30)
            stock_receive(
                material=fresh.stock_item,
                location=location,
                quantity=1,
                by=None,
                reason="made",
                producer=fresh.producer,
            )
        except Exception as exc:
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(loc.pk,)) for loc in locations]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a thread never finished"
    return errors


@pytest.fixture
def bench(woodshop):
    return make_product(producer=woodshop, title="Bench", price=Decimal("120.00"))


@pytest.mark.parametrize("shelves", ["one shelf", "two shelves"])
def test_goods_received_twice_at_once_email_each_waiting_resident_once(bench, woodshop, shelves):
    main = finished_goods_location(woodshop)
    other = main if shelves == "one shelf" else StockLocationFactory(producer=woodshop)
    for name in ("keisha", "andre", "lee"):
        back_in_stock_request(product=bench, email=f"{name}@example.org")

    errors = receive_together(bench, [main, other])

    assert errors == []
    assert sorted(message.to[0] for message in mail.outbox) == [
        "andre@example.org",
        "keisha@example.org",
        "lee@example.org",
    ]
    assert Email.objects.filter(kind="product.back_in_stock").count() == 3
    assert not BackInStockRequest.objects.filter(notified_at__isnull=True).exists()


def test_one_address_asking_twice_at_once_keeps_one_request(bench):
    barrier = threading.Barrier(2)
    answers: list[object] = []

    def ask() -> None:
        try:
            product = Product.objects.get(pk=bench.pk)
            barrier.wait(timeout=30)
            answers.append(back_in_stock_request(product=product, email="keisha@example.org"))
        except Exception as exc:
            answers.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=ask) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert all(isinstance(answer, BackInStockRequest) for answer in answers), answers
    assert BackInStockRequest.objects.count() == 1
