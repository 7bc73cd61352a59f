"""Two housekeeping workers releasing the same no-show at once: it is released exactly once.

SQLite serialises every writer, so this proves nothing there and is skipped.
"""

import datetime
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum

from catalog.models import StockBalance, StockMovement
from catalog.services.products import product_stock_receive
from orders import services
from orders.models import Email, Order
from tests.factories import ProducerFactory, make_product, place

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

WORKERS = 8


def test_racing_workers_release_a_no_show_once_and_give_its_goods_back_once():
    stool = make_product(producer=ProducerFactory(), title="Stool", price=Decimal("60.00"))
    product_stock_receive(product=stool, quantity=5, by=None, reason="made")
    order = place((stool, 2))
    for job in order.jobs.all():
        services.job_accept(job=job, by=None)
        services.job_start(job=job, by=None)
        services.job_ready(job=job, by=None)
    order.refresh_from_db()
    later = order.collect_by + datetime.timedelta(seconds=1)
    barrier = threading.Barrier(WORKERS)
    released: list[int] = []

    def sweep():
        try:
            barrier.wait()
            released.append(services.orders_release_no_shows(now=later))
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(released) == [0] * (WORKERS - 1) + [1]
    balance = StockBalance.objects.filter(material=stool.stock_item).aggregate(
        on_hand=Sum("on_hand"), reserved=Sum("reserved")
    )
    assert (balance["on_hand"], balance["reserved"]) == (5, 0)
    assert (
        StockMovement.objects.filter(kind="receipt", reason__contains="not collected").count() == 1
    )
    assert Email.objects.filter(kind="order.not_collected").count() == 1
    assert Order.objects.get().status == "cancelled"
