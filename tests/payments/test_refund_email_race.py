"""Two of Stripe's events about one refund, handled at the same moment, on PostgreSQL: the
resident hears of the refund once.

SQLite serialises every writer, so this proves nothing there and is skipped.
"""

import threading

import pytest
from django.db import connection, transaction

from orders.models import Email, Refund
from orders.payments.refunds import refund_update_from_stripe
from tests.payments.test_webhook_race import another_backend_waits_for_a_lock

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_events_saying_a_refund_succeeded_at_once_email_the_resident_once(
    stool, paid_card_order
):
    order = paid_card_order((stool, 1))
    key = f"refund-{order.number}-rest"
    # Ours, asked of Stripe, whose answer was lost: Stripe's events carry its key.
    Refund.objects.create(order=order, amount=order.total, idempotency_key=key, reason="test")
    refund = {
        "id": "re_raced",
        "object": "refund",
        "amount": 6000,
        "status": "succeeded",
        "payment_intent": order.payment.payment_intent_id,
        "metadata": {"refund": key},
    }
    first_holds_its_lock = threading.Event()
    errors = []

    def first():
        try:
            with transaction.atomic():
                refund_update_from_stripe(refund=refund)
                first_holds_its_lock.set()
                # Commit only once the second is queued behind this refund's row lock.
                another_backend_waits_for_a_lock()
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    def second():
        try:
            first_holds_its_lock.wait(timeout=5)
            with transaction.atomic():
                refund_update_from_stripe(refund=refund)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert Refund.objects.get(idempotency_key=key).status == Refund.Status.SUCCEEDED
    assert Email.objects.filter(order=order, kind="order.refunded").count() == 1
