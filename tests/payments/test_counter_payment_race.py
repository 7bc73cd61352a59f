"""Two people handing over the same pay-at-pickup job at once: one counter payment.

SQLite serialises every writer, so this proves nothing there and is skipped.
"""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from backend.errors import InvalidTransition
from orders.models import CounterPayment, JobTransition
from orders.services import CounterPaymentInput, job_accept, job_hand_over, job_ready, job_start
from tests.factories import ProducerFactory, make_stocked_product, place

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

HANDS = 4


def test_racing_hand_overs_record_one_counter_payment():
    stool = make_stocked_product(producer=ProducerFactory(), title="Stool", price=Decimal("60"))
    job = place((stool, 2)).jobs.get()
    for move in (job_accept, job_start, job_ready):
        job = move(job=job, by=None)
    barrier = threading.Barrier(HANDS)
    outcomes: list[str] = []

    def hand_over():
        try:
            barrier.wait()
            job_hand_over(
                job=job,
                by=None,
                payment=CounterPaymentInput(method="cash", amount=Decimal("120.00")),
            )
            outcomes.append("handed over")
        except InvalidTransition:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=hand_over) for _ in range(HANDS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["handed over"] + ["refused"] * (HANDS - 1)
    assert CounterPayment.objects.filter(job=job).count() == 1
    assert JobTransition.objects.filter(job=job, to_status="handed_over").count() == 1
