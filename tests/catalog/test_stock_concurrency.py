"""Many writers at once on PostgreSQL: row locks must keep the ledger exact.

Each thread has its own connection and fetches its own rows; a barrier starts
them together so that their transactions overlap.
"""

import threading
from collections import Counter
from decimal import Decimal

import pytest
from django.db import connection

from catalog.exceptions import InsufficientStock
from catalog.models import Material, StockBalance, StockLocation, StockMovement
from catalog.selectors import ledger_totals
from catalog.services.stock import (
    StockLine,
    stock_draw_down,
    stock_receive,
    stock_reserve,
    stock_transfer,
)
from producers.models import Producer
from tests.factories import MaterialFactory, StockLocationFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 20


def run_together(jobs):
    """Run each job in its own thread, all released at once; return their outcomes.

    A job is called before the barrier to fetch what it needs and returns the
    call to make after it. Outcomes are "ok", "short" (InsufficientStock) or
    the repr of any other error, so that a deadlock shows up as a failure.
    """
    barrier = threading.Barrier(len(jobs))
    outcomes = []

    def run(job):
        try:
            call = job()
            barrier.wait(timeout=30)
            call()
            outcomes.append("ok")
        except InsufficientStock:
            outcomes.append("short")
        except Exception as exc:
            outcomes.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a thread never finished"
    return Counter(outcomes)


def fetch(material_id, location_id):
    return Material.objects.get(pk=material_id), StockLocation.objects.get(pk=location_id)


@pytest.fixture
def stocked(coop):
    """A balance holding exactly 10."""
    material = MaterialFactory()
    location = StockLocationFactory(producer=coop)
    stock_receive(material=material, location=location, quantity="10", by=None, reason="delivery")
    return StockBalance.objects.get(material=material, location=location)


def assert_matches_ledger(balance):
    balance.refresh_from_db()
    assert ledger_totals(pks=[balance.pk])[balance.pk] == (balance.on_hand, balance.reserved)


def test_concurrent_drawdowns_never_take_more_than_is_on_the_shelf(stocked, coop):
    def job():
        material, location = fetch(stocked.material_id, stocked.location_id)
        producer = Producer.objects.get(pk=coop.pk)
        return lambda: stock_draw_down(
            material=material,
            location=location,
            quantity="1",
            by=None,
            reason="job",
            producer=producer,
        )

    outcomes = run_together([job] * THREADS)

    assert outcomes == Counter({"ok": 10, "short": 10})
    stocked.refresh_from_db()
    assert stocked.on_hand == 0
    drawdowns = StockMovement.objects.filter(balance=stocked, kind=StockMovement.Kind.DRAWDOWN)
    assert drawdowns.count() == 10
    assert sorted(drawdowns.values_list("on_hand_after", flat=True)) == [
        Decimal(n) for n in range(10)
    ]
    assert_matches_ledger(stocked)


def test_concurrent_reservations_never_hold_more_than_is_on_the_shelf(stocked):
    def job():
        material, location = fetch(stocked.material_id, stocked.location_id)
        return lambda: stock_reserve(
            lines=[StockLine(material, location, "1")], by=None, reason="order"
        )

    outcomes = run_together([job] * THREADS)

    assert outcomes == Counter({"ok": 10, "short": 10})
    stocked.refresh_from_db()
    assert (stocked.on_hand, stocked.reserved) == (Decimal("10"), Decimal("10"))
    reserves = StockMovement.objects.filter(balance=stocked, kind=StockMovement.Kind.RESERVE)
    assert reserves.count() == 10
    assert_matches_ledger(stocked)


def test_concurrent_drawdowns_and_reservations_share_the_shelf_without_overselling(stocked, coop):
    def drawer():
        material, location = fetch(stocked.material_id, stocked.location_id)
        producer = Producer.objects.get(pk=coop.pk)
        return lambda: stock_draw_down(
            material=material,
            location=location,
            quantity="1",
            by=None,
            reason="job",
            producer=producer,
        )

    def reserver():
        material, location = fetch(stocked.material_id, stocked.location_id)
        return lambda: stock_reserve(
            lines=[StockLine(material, location, "1")], by=None, reason="order"
        )

    outcomes = run_together([drawer, reserver] * (THREADS // 2))

    assert outcomes == Counter({"ok": 10, "short": 10})
    stocked.refresh_from_db()
    drawn = StockMovement.objects.filter(balance=stocked, kind="drawdown").count()
    assert stocked.on_hand == 10 - drawn
    assert stocked.reserved == stocked.on_hand
    assert_matches_ledger(stocked)


@pytest.mark.parametrize("attempt", range(5))
def test_reserving_two_balances_in_opposite_orders_at_once_never_deadlocks(coop, attempt):
    first, second = MaterialFactory(), MaterialFactory()
    location = StockLocationFactory(producer=coop)
    for material in (first, second):
        stock_receive(material=material, location=location, quantity="100", by=None, reason="in")
    rounds = 5

    def job(order):
        def prepare():
            a, loc = fetch(first.pk, location.pk)
            b = Material.objects.get(pk=second.pk)
            lines = [StockLine(a, loc, "1"), StockLine(b, loc, "1")]
            return lambda: stock_reserve(lines=lines[::order], by=None, reason="order")

        return prepare

    for _ in range(rounds):
        outcomes = run_together([job(1), job(-1)])
        assert outcomes == Counter({"ok": 2})

    for material in (first, second):
        balance = StockBalance.objects.get(material=material, location=location)
        assert balance.reserved == 2 * rounds
        assert_matches_ledger(balance)


@pytest.mark.parametrize("attempt", range(3))
def test_transfers_in_opposite_directions_at_once_never_deadlock(coop, attempt):
    material = MaterialFactory()
    here, there = StockLocationFactory(producer=coop), StockLocationFactory(producer=coop)
    for location in (here, there):
        stock_receive(material=material, location=location, quantity="50", by=None, reason="in")
    rounds = 5

    def job(source, destination):
        def prepare():
            mat, src = fetch(material.pk, source.pk)
            dst = StockLocation.objects.get(pk=destination.pk)
            return lambda: stock_transfer(
                material=mat, source=src, destination=dst, quantity="2", by=None, reason="move"
            )

        return prepare

    for _ in range(rounds):
        outcomes = run_together([job(here, there), job(there, here)])
        assert outcomes == Counter({"ok": 2})

    for location in (here, there):
        balance = StockBalance.objects.get(material=material, location=location)
        assert balance.on_hand == Decimal("50")
        assert_matches_ledger(balance)


def test_concurrent_first_receipts_create_one_balance_and_lose_nothing(coop):
    material = MaterialFactory()
    location = StockLocationFactory(producer=coop)

    def job():
        mat, loc = fetch(material.pk, location.pk)
        return lambda: stock_receive(
            material=mat, location=loc, quantity="1", by=None, reason="delivery"
        )

    outcomes = run_together([job] * 10)

    assert outcomes == Counter({"ok": 10})
    balance = StockBalance.objects.get(material=material, location=location)
    assert balance.on_hand == Decimal("10")
    assert StockMovement.objects.filter(balance=balance, kind="receipt").count() == 10
    assert_matches_ledger(balance)
