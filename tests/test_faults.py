"""Faults injected in the middle of the work: the database failing or going away while an
order is placed, and a task worker dying while a webhook is on its way.

Stripe timing out is covered in tests/payments: a call that times out is retried with
the same idempotency key and makes one session (test_checkout.py) and one transfer
(test_payouts.py).
"""

import datetime
import time

import pytest
from django.db import OperationalError, connection
from django.db.models import F

from catalog.models import StockBalance, StockMovement
from orders import http_client, outbox
from orders.models import (
    Allocation,
    IdempotencyRecord,
    Job,
    JobTransition,
    Order,
    OrderLine,
    WebhookAttempt,
    WebhookDelivery,
)
from orders.services import allocation
from tests.factories import order_body
from tests.orders.receivers import Receiver, make_job, send

pytestmark = pytest.mark.slow

ORDERS = "/api/v1/orders/"


def balances():
    return sorted(
        StockBalance.objects.values_list("material_id", "location_id", "on_hand", "reserved")
    )


def written():
    """How many rows placing an order writes, table by table."""
    return {
        model.__name__: model.objects.count()
        for model in (
            Order,
            Job,
            JobTransition,
            OrderLine,
            Allocation,
            StockMovement,
            IdempotencyRecord,
            WebhookDelivery,
        )
    }


# --- The database failing half-way through placing an order -----------------------------


@pytest.mark.django_db
def test_a_database_error_half_way_through_placing_an_order_writes_nothing(
    api, monkeypatch, stool, shelf
):
    before, stock_before = written(), balances()
    calls = []

    def fail_once(objs, *args, **kwargs):
        calls.append(objs)
        raise OperationalError("the disk is full")

    # Stock is reserved by then: the order, its jobs and lines and the ledger rows exist.
    monkeypatch.setattr(Allocation.objects, "bulk_create", fail_once)

    response = api.post(
        ORDERS,
        order_body((stool, 1), (shelf, 1)),
        format="json",
        headers={"Idempotency-Key": "db-error-1"},
    )

    assert response.status_code == 503
    assert response.json()["code"] == "service_unavailable"

    assert calls, "the fault was never reached"
    assert written() == before
    assert balances() == stock_before


@pytest.mark.django_db
def test_the_same_request_retried_after_a_database_error_places_one_order(
    api, monkeypatch, stool, shelf
):
    original = Allocation.objects.bulk_create
    failures = []

    def fail_once(objs, *args, **kwargs):
        if not failures:
            failures.append(objs)
            raise OperationalError("the disk is full")
        return original(objs, *args, **kwargs)

    monkeypatch.setattr(Allocation.objects, "bulk_create", fail_once)
    body, key = order_body((stool, 1), (shelf, 1)), {"Idempotency-Key": "db-error-2"}
    assert api.post(ORDERS, body, format="json", headers=key).status_code == 503

    retried = api.post(ORDERS, body, format="json", headers=key)
    replayed = api.post(ORDERS, body, format="json", headers=key)

    assert retried.status_code == 201
    assert replayed.status_code == 201
    assert replayed.headers["Idempotent-Replayed"] == "true"
    assert replayed.json()["number"] == retried.json()["number"]
    order = Order.objects.get()
    assert order.number == retried.json()["number"]
    assert order.lines.count() == 2
    assert Allocation.objects.filter(job__order=order).count() == 2


# --- The database connection killed in the middle of a checkout --------------------------


def _kill_backend(pid: int) -> None:
    """From a second connection, end the backend serving the first, and wait until it is gone."""
    other = connection.copy()
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid])
                if cursor.fetchone()[0] == 0:
                    return
                time.sleep(0.02)
    finally:
        other.close()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_connection_killed_mid_checkout_answers_503_and_writes_nothing(
    api, monkeypatch, stool, shelf
):
    reserve = allocation.stock_reserve
    killed = []

    def kill_then_reserve(**kwargs):
        if not killed:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                pid = cursor.fetchone()[0]
            # The order, its jobs and lines are written (not committed) by now.
            assert Order.objects.count() == 1
            _kill_backend(pid)
            killed.append(pid)
        return reserve(**kwargs)

    monkeypatch.setattr(allocation, "stock_reserve", kill_then_reserve)
    before, stock_before = written(), balances()
    try:
        response = api.post(
            ORDERS,
            order_body((stool, 1), (shelf, 1)),
            format="json",
            headers={"Idempotency-Key": "killed-1"},
        )

        assert killed
        assert response.status_code == 503
        assert response.json()["code"] == "service_unavailable"
        assert response.headers["Retry-After"] == "5"
    finally:
        connection.close()
    assert written() == before
    assert balances() == stock_before

    monkeypatch.setattr(allocation, "stock_reserve", reserve)
    retried = api.post(
        ORDERS,
        order_body((stool, 1), (shelf, 1)),
        format="json",
        headers={"Idempotency-Key": "killed-1"},
    )
    assert retried.status_code == 201
    assert Order.objects.count() == 1


# --- A worker dying in the middle of a webhook delivery -----------------------------------


class WorkerKilled(Exception):
    pass


@pytest.fixture
def endpoint():
    """The co-op's webhook receiver on 127.0.0.1."""
    endpoint = Receiver()
    endpoint.start()
    yield endpoint
    endpoint.release.set()
    endpoint.stop()


@pytest.mark.django_db
def test_a_delivery_whose_worker_died_mid_call_is_requeued_and_sent_with_the_same_id(
    endpoint, monkeypatch
):
    job = make_job(receiver=endpoint)
    interrupted = []

    def die_mid_call(url, *, body, headers):
        interrupted.append(headers)
        raise WorkerKilled()

    monkeypatch.setattr(http_client, "post", die_mid_call)
    # The task's error reaches the test, as it reaches the worker that ran it.
    with pytest.raises(WorkerKilled):
        send(job)
    monkeypatch.undo()
    delivery = WebhookDelivery.objects.get(job=job)

    # Claimed and counted, never recorded: the lease keeps other workers off it.
    delivery.refresh_from_db()
    assert len(interrupted) == 1
    assert delivery.state == WebhookDelivery.State.PENDING
    assert delivery.attempts == 1
    assert not WebhookAttempt.objects.filter(delivery=delivery).exists()
    assert endpoint.requests == []
    assert outbox.requeue_due()["webhook"] == 0
    assert outbox.send_outbox_message.call(kind="webhook", pk=delivery.pk) == "skipped"

    # Time passes beyond the lease: housekeeping picks it up.
    later = outbox.POLICIES["webhook"].lease + datetime.timedelta(seconds=1)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(leased_until=F("leased_until") - later)
    assert outbox.requeue_due()["webhook"] == 1

    (request,) = endpoint.requests
    assert request.verified
    assert request.headers["webhook-id"] == interrupted[0]["webhook-id"] == delivery.message_id
    delivery.refresh_from_db()
    assert delivery.state == WebhookDelivery.State.DELIVERED
    assert delivery.attempts == 2
    assert list(delivery.attempt_log.values_list("number", "status_code")) == [(2, 200)]
    assert outbox.requeue_due()["webhook"] == 0
