"""Two orders at the same moment for the last offcut that fits: exactly one gets it.

Real threads on PostgreSQL, each with its own connection, released together by a
barrier so that their transactions overlap.
"""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from catalog.exceptions import InsufficientStock
from catalog.models import BillOfMaterialsLine, Offcut, Product, StockBalance
from catalog.offcut_selectors import offcut_drift
from catalog.selectors import ledger_totals
from catalog.services.offcuts import offcut_record
from catalog.services.stock import stock_receive
from orders.models import Allocation, Order
from orders.services import order_place
from tests.factories import GUEST, MaterialFactory, make_product

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def coasters(woodshop, shared_store, *, sheets: str):
    birch = MaterialFactory(sku="PLY-BIRCH", sheet_width_mm=1220, sheet_height_mm=2440)
    stock_receive(material=birch, location=shared_store, quantity=sheets, by=None, reason="in")
    product = make_product(
        producer=woodshop,
        title="Coasters",
        fulfilment=Product.Fulfilment.MADE_TO_ORDER,
        lead_time_days=2,
    )
    BillOfMaterialsLine.objects.create(
        product=product,
        material=birch,
        quantity=Decimal("0.02"),
        min_offcut_width_mm=300,
        min_offcut_height_mm=200,
    )
    last = offcut_record(
        material=birch,
        location=shared_store,
        width_mm=400,
        height_mm=300,
        kept_at="Offcut bin",
        source="Job 1",
        by=None,
    )
    return product, birch, last


def two_orders_at_once(product_pk: int) -> list[str]:
    barrier = threading.Barrier(2)
    outcomes = []

    def run():
        try:
            product = Product.objects.get(pk=product_pk)
            barrier.wait(timeout=30)
            order_place(
                customer=None,
                contact=GUEST,
                lines=[(product, 1)],
                fulfilment="pickup",
                payment_method="pay_at_pickup",
            )
            outcomes.append("ok")
        except InsufficientStock as error:
            outcomes.append(f"short: {error.detail}")
        except Exception as error:
            outcomes.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a thread never finished"
    return outcomes


def assert_ledger_exact(birch):
    for balance in StockBalance.objects.filter(material=birch):
        assert ledger_totals(pks=[balance.pk])[balance.pk] == (balance.on_hand, balance.reserved)
    assert offcut_drift() == []


def test_one_order_gets_the_last_offcut_and_the_other_a_whole_sheet(woodshop, shared_store):
    product, birch, last = coasters(woodshop, shared_store, sheets="2")

    outcomes = two_orders_at_once(product.pk)

    assert outcomes == ["ok", "ok"]
    allocations = list(Allocation.objects.filter(material=birch))
    assert len(allocations) == 2
    assert sorted(a.offcut_id is not None for a in allocations) == [False, True]
    assert [a.offcut_id for a in allocations if a.offcut_id] == [last.pk]
    last.refresh_from_db()
    assert last.status == Offcut.Status.RESERVED
    assert_ledger_exact(birch)


def test_when_only_the_offcut_is_left_the_other_order_is_refused_clearly(woodshop, shared_store):
    # The rack holds only the offcut: 0.040 of a sheet, enough for one set of coasters.
    product, birch, last = coasters(woodshop, shared_store, sheets="0.04")

    outcomes = two_orders_at_once(product.pk)

    assert sorted(o.split(":")[0] for o in outcomes) == ["ok", "short"]
    refusal = next(o for o in outcomes if o.startswith("short"))
    assert "Coasters" in refusal
    assert Order.objects.count() == 1
    allocation = Allocation.objects.get(material=birch)
    assert allocation.offcut_id == last.pk
    assert_ledger_exact(birch)
