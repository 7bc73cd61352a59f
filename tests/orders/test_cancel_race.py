"""A resident cancelling while the co-op starts making it: exactly one of them wins, and the
stock and its ledger agree with whoever did.

Both take the order's row lock first, so they queue; this proves it with real threads.
SQLite serialises every writer, so this proves nothing there and is skipped.
"""

import threading

import pytest
from django.db import connection

from catalog.models import StockBalance, StockMovement
from orders import services
from orders.exceptions import InvalidTransition
from orders.models import Job, Order
from tests.factories import make_stocked_product, place

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROUNDS = 12


def race(order, job) -> dict[str, object]:
    barrier = threading.Barrier(2)
    outcome: dict[str, object] = {}

    def run(name, call):
        try:
            barrier.wait()
            call()
            outcome[name] = "won"
        except InvalidTransition:
            outcome[name] = "refused"
        except Exception as error:  # noqa: BLE001 - the test reports anything else
            outcome[name] = error
        finally:
            connection.close()

    threads = [
        threading.Thread(
            target=run, args=("cancel", lambda: services.order_cancel(order=order, by=None))
        ),
        threading.Thread(target=run, args=("start", lambda: services.job_start(job=job, by=None))),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcome


def test_cancel_and_start_at_once_one_wins_and_the_stock_agrees():
    stool = make_stocked_product(title="Stool", quantity=ROUNDS)
    winners = []
    for _ in range(ROUNDS):
        order = place((stool, 1))
        job = services.job_accept(job=order.jobs.get(), by=None)

        outcome = race(order, job)

        assert sorted(outcome.values()) == ["refused", "won"], outcome
        order.refresh_from_db()
        job.refresh_from_db()
        kinds = sorted(
            StockMovement.objects.filter(reference=f"job-{job.pk}").values_list("kind", flat=True)
        )
        if outcome["cancel"] == "won":
            winners.append("cancel")
            assert (order.status, job.status) == (Order.Status.CANCELLED, Job.Status.CANCELLED)
            assert kinds == ["release", "reserve"]
        else:
            winners.append("start")
            assert (order.status, job.status) == (Order.Status.IN_PRODUCTION, "in_production")
            assert kinds == ["consume", "reserve"]

    balance = StockBalance.objects.get(material=stool.stock_item)
    started = winners.count("start")
    assert (balance.on_hand, balance.reserved) == (ROUNDS - started, 0)
    last = StockMovement.objects.filter(balance=balance).latest("pk")
    assert (last.on_hand_after, last.reserved_after) == (balance.on_hand, balance.reserved)
