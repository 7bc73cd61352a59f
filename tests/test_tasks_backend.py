"""The test suite's task backend runs tasks when production's worker would: after commit."""

import datetime

import pytest
from django.db import transaction
from django.tasks import task
from django.tasks.base import TaskResultStatus
from django.utils import timezone

from catalog.services.products import product_stock_receive
from orders.services import Contact, order_place
from producers.models import Membership, Producer
from tests.factories import MembershipFactory, ProducerFactory, make_product
from tests.tasks_backend import deferred_tasks, run_deferred_tasks

pytestmark = pytest.mark.django_db

ran: list[str] = []


@task()
def record(*, label: str) -> str:
    ran.append(label)
    return label


@task()
def explode(*, label: str) -> None:
    raise LookupError(label)


@task()
def count_producers() -> int:
    count = Producer.objects.count()
    ran.append(f"producers={count}")
    return count


class Abort(Exception):
    pass


def in_rolled_back_transaction(action) -> None:
    with transaction.atomic():
        action()
        raise Abort


def in_transaction(action) -> None:
    with transaction.atomic():
        action()


@pytest.fixture(autouse=True)
def _clear_ran():
    ran.clear()
    yield
    ran.clear()


def test_a_task_enqueued_outside_any_transaction_runs_at_once():
    result = record.enqueue(label="now")

    assert ran == ["now"]
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == "now"


def test_a_task_enqueued_in_a_transaction_waits_for_the_commit():
    with transaction.atomic():
        record.enqueue(label="after")
        assert ran == []

    assert ran == ["after"]


def test_a_task_enqueued_in_a_nested_block_waits_for_the_outermost_block():
    with transaction.atomic():
        with transaction.atomic():
            record.enqueue(label="inner")
        assert ran == []

    assert ran == ["inner"]


def test_a_task_in_a_durable_block_runs_when_that_block_commits():
    with transaction.atomic(durable=True):
        record.enqueue(label="durable")
        assert ran == []

    assert ran == ["durable"]


def test_a_task_enqueued_in_a_rolled_back_transaction_never_runs():
    with pytest.raises(Abort):
        in_rolled_back_transaction(lambda: record.enqueue(label="lost"))

    assert ran == []


def test_a_task_in_a_rolled_back_savepoint_never_runs_while_the_outer_one_does():
    with transaction.atomic():
        record.enqueue(label="kept")
        with pytest.raises(Abort):
            in_rolled_back_transaction(lambda: record.enqueue(label="lost"))

    assert ran == ["kept"]


def test_a_task_sees_what_its_transaction_wrote():
    with transaction.atomic():
        ProducerFactory()
        count_producers.enqueue()

    assert ran == [f"producers={Producer.objects.count()}"]


def test_a_failing_task_raises_its_error_after_the_commit():
    def make_a_producer_and_fail():
        ProducerFactory(slug="made-before-the-task")
        explode.enqueue(label="boom")

    with pytest.raises(LookupError, match="boom"):
        in_transaction(make_a_producer_and_fail)

    assert Producer.objects.filter(slug="made-before-the-task").exists()


def test_a_failing_task_outside_a_transaction_raises_at_once():
    with pytest.raises(LookupError, match="now"):
        explode.enqueue(label="now")


def test_a_task_to_run_later_is_kept_and_not_run():
    later = timezone.now() + datetime.timedelta(minutes=5)

    result = record.using(run_after=later).enqueue(label="later")

    assert ran == []
    assert result.status == TaskResultStatus.READY
    assert deferred_tasks() == [result]


def test_kept_tasks_run_once_they_are_due():
    later = timezone.now() + datetime.timedelta(minutes=5)
    record.using(run_after=later).enqueue(label="later")
    record.using(run_after=later + datetime.timedelta(hours=1)).enqueue(label="much-later")

    assert run_deferred_tasks(now=later - datetime.timedelta(seconds=1)) == []
    run_deferred_tasks(now=later)

    assert ran == ["later"]
    assert len(deferred_tasks()) == 1


def test_a_task_to_run_later_from_a_rolled_back_transaction_is_not_kept():
    later = timezone.now() + datetime.timedelta(minutes=5)

    with pytest.raises(Abort):
        in_rolled_back_transaction(lambda: record.using(run_after=later).enqueue(label="lost"))

    assert deferred_tasks() == []


@pytest.mark.django_db(transaction=True)
def test_with_real_transactions_a_task_runs_after_the_commit_and_not_after_a_rollback():
    with transaction.atomic():
        record.enqueue(label="committed")
        assert ran == []
    with pytest.raises(Abort):
        in_rolled_back_transaction(lambda: record.enqueue(label="rolled-back"))

    assert ran == ["committed"]


# --- An order's work, under the backend ----------------------------------------------------


def place_a_pay_at_pickup_order():
    woodshop = ProducerFactory()
    MembershipFactory(producer=woodshop, role=Membership.Role.MANAGER)
    stool = make_product(producer=woodshop, title="Stool")
    product_stock_receive(product=stool, quantity=5, by=None, reason="made")
    return order_place(
        customer=None,
        contact=Contact(name="Keisha Brown", email="keisha@example.org", phone="601-555-0142"),
        lines=[(stool, 1)],
        fulfilment="pickup",
        payment_method="pay_at_pickup",
    )


def test_a_placed_order_emails_its_coop_once_the_placement_commits(mailoutbox):
    order = place_a_pay_at_pickup_order()

    # The resident's confirmation goes out too; the co-op gets its own.
    (message,) = [m for m in mailoutbox if "keisha@example.org" not in m.to]
    assert order.number in message.subject


def test_a_placement_rolled_back_by_its_caller_emails_nobody(mailoutbox):
    with pytest.raises(Abort):
        in_rolled_back_transaction(place_a_pay_at_pickup_order)

    assert mailoutbox == []
