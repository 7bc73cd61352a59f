"""The migration that split refunds' and payouts' one `status` into the money's status and the
outbox's sending `state`: every existing row keeps its meaning."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

# Producers as they were then, too: later producer columns did not exist yet.
BEFORE = [("orders", "0002_payments"), ("producers", "0004_api_tokens")]
AFTER = [("orders", "0003_outbox")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def migrate_to_latest():
    """Leave the schema as the other tests expect it: every migration applied, later ones too."""
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.fixture
def old_rows():
    """Refunds and payouts as the old code left them, then the migration run over them."""
    apps = migrate(BEFORE)
    Producer = apps.get_model("producers", "Producer")
    Order = apps.get_model("orders", "Order")
    Job = apps.get_model("orders", "Job")
    Refund = apps.get_model("orders", "Refund")
    Payout = apps.get_model("orders", "Payout")
    producer = Producer.objects.create(slug="woodshop", name="Woodshop")
    order = Order.objects.create(
        contact_name="K",
        contact_email="k@example.org",
        fulfilment="pickup",
        payment_method="stripe",
    )
    later = timezone.now() + datetime.timedelta(hours=1)
    refunds = {
        "sent": {"stripe_refund_id": "re_1", "status": "succeeded", "attempts": 1},
        "retrying": {"status": "failed", "attempts": 3, "next_attempt_at": later},
        "given_up": {"status": "failed", "attempts": 12, "next_attempt_at": None},
        "new": {"status": "pending"},
    }
    for key, fields in refunds.items():
        Refund.objects.create(order=order, amount=Decimal("1"), idempotency_key=key, **fields)
    payouts = {
        "paid": {"status": "paid", "stripe_transfer_id": "tr_1", "attempts": 1},
        "owed": {"status": "owed"},
        "retrying": {"status": "failed", "attempts": 2, "next_attempt_at": later},
        "given_up": {"status": "failed", "attempts": 12},
    }
    for key, fields in payouts.items():
        job = Job.objects.create(
            order=order, producer=producer, due_date=datetime.date(2026, 12, 1), routing_reason=key
        )
        Payout.objects.create(
            job=job,
            producer=producer,
            amount=Decimal("1"),
            community_share=Decimal("0"),
            community_percent=Decimal("0"),
            **fields,
        )
    apps = migrate(AFTER)
    refunds = {r.idempotency_key: r for r in apps.get_model("orders", "Refund").objects.all()}
    payouts = {p.job.routing_reason: p for p in apps.get_model("orders", "Payout").objects.all()}
    yield refunds, payouts
    migrate_to_latest()


@pytest.mark.django_db(transaction=True)
def test_each_old_refund_and_payout_gets_the_state_its_status_meant(old_rows):
    refunds, payouts = old_rows

    assert {key: (r.status, r.state) for key, r in refunds.items()} == {
        "sent": ("succeeded", "delivered"),
        "retrying": ("pending", "pending"),
        "given_up": ("pending", "failed"),
        "new": ("pending", "pending"),
    }
    assert {key: (p.status, p.state) for key, p in payouts.items()} == {
        "paid": ("paid", "delivered"),
        "owed": ("owed", "held"),
        "retrying": ("pending", "pending"),
        "given_up": ("pending", "failed"),
    }
