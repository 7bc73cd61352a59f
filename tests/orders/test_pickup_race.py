"""The last two parts of an order reach the pickup point at the same moment: one email.

Real threads on PostgreSQL. SQLite runs one writer at a time, so the race cannot happen
there and the test is skipped (see `pytest_collection_modifyitems` in tests/conftest.py).
"""

import threading

import pytest
from django.db import connection

from orders.models import Email, Job
from orders.services import job_accept, job_arrive_at_point, job_ready, job_start
from producers.models import Membership
from tests.factories import MembershipFactory, UserFactory, place

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROUNDS = 5


def ready(job: Job) -> Job:
    for move in (job_accept, job_start, job_ready):
        job = move(job=job, by=None)
    return job


def arrive_together(jobs: list[Job], keepers: list) -> list[BaseException]:
    barrier = threading.Barrier(len(jobs))
    errors: list[BaseException] = []

    def arrive(job, keeper):
        try:
            barrier.wait()
            job_arrive_at_point(job=job, by=keeper)
        except BaseException as error:  # noqa: BLE001 - reported by the test
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=arrive, args=pair) for pair in zip(jobs, keepers, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_two_keepers_marking_the_last_two_parts_at_once_send_exactly_one_email(stool, tote, center):
    keepers = [
        MembershipFactory(
            producer=center.keeper, role=Membership.Role.MEMBER, user=UserFactory()
        ).user
        for _ in range(2)
    ]
    for _ in range(ROUNDS):
        order = place((stool, 1), (tote, 1), pickup_point=center)
        jobs = [ready(job) for job in order.jobs.order_by("pk")]

        errors = arrive_together(jobs, keepers)

        assert errors == []
        assert Email.objects.filter(order=order, kind="order.at_point").count() == 1
        assert not order.jobs.filter(arrived_at_point_at__isnull=True).exists()
