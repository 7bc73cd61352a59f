"""Stripe delivering the same event twice at the same moment, on PostgreSQL.

SQLite serialises every writer, so this proves nothing there and is skipped.
"""

import threading
import time

import pytest
from django.db import connection

from orders.models import Order, StripeEvent
from orders.payments import events
from tests.payments.stripe_events import stripe_event

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def another_backend_waits_for_a_lock(deadline_seconds: float = 5.0) -> bool:
    """Wait until some other connection is blocked on a row lock (or give up)."""
    deadline = time.monotonic() + deadline_seconds
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            # Inside a transaction PostgreSQL keeps one snapshot of backend activity.
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE wait_event_type = 'Lock' AND datname = current_database() "
                "AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0]:
                return True
            time.sleep(0.01)
    return False


def test_two_identical_deliveries_racing_are_acted_on_once(
    stool, card_order, fake_stripe, stripe_sender, monkeypatch
):
    order = card_order((stool, 1))
    payload = stripe_event("checkout.session.completed", fake_stripe.pay("cs_test_1"))
    calls = []
    real = events.HANDLERS["checkout.session.completed"]

    def counted(obj, current):
        calls.append(threading.get_ident())
        # Hold the first delivery inside the handler until the second is queued
        # behind it, so the two really overlap.
        another_backend_waits_for_a_lock()
        real(obj, current)

    monkeypatch.setitem(events.HANDLERS, "checkout.session.completed", counted)
    barrier = threading.Barrier(2)
    statuses = []

    def deliver():
        try:
            barrier.wait()
            statuses.append(stripe_sender(payload).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert statuses == [200, 200]
    assert len(calls) == 1
    assert StripeEvent.objects.count() == 1
    assert Order.objects.get(pk=order.pk).status == Order.Status.PAID
