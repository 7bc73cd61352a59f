"""Refunds through Stripe when a paid order is cancelled or part of it cannot be made."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from orders import outbox
from orders.housekeeping import housekeeping
from orders.models import Job, Order, OutboxAttempt, OutboxState, Refund
from orders.services import job_decline, order_cancel
from tests.factories import ProducerFactory, make_stocked_product, place

pytestmark = pytest.mark.django_db

REFUNDS = "/v1/refunds"


def job_of(order, producer) -> Job:
    return order.jobs.get(producer=producer)


def test_cancelling_a_paid_card_order_refunds_all_of_it(
    stool, sewing, paid_card_order, fake_stripe
):
    tote = make_stocked_product(producer=sewing, title="Tote", price=Decimal("28.45"))
    order = paid_card_order((stool, 1), (tote, 1))

    order_cancel(order=order, by=None)

    (request,) = fake_stripe.received("POST", REFUNDS)
    assert request.form["amount"] == "8845"
    assert request.form["payment_intent"] == order.payment.payment_intent_id
    assert Refund.objects.get(order=order).status == Refund.Status.SUCCEEDED


def test_a_cancelled_paid_card_order_ends_refunded(stool, paid_card_order):
    order = paid_card_order((stool, 1))

    order_cancel(order=order, by=None)

    assert Order.objects.get(pk=order.pk).status == Order.Status.REFUNDED


def test_each_refund_has_its_own_idempotency_key(
    stool, tote, woodshop, paid_card_order, fake_stripe
):
    order = paid_card_order((stool, 1), (tote, 1))
    job = job_of(order, woodshop)

    job_decline(job=job, by=None, reason="Out of oak")
    order_cancel(order=order, by=None)

    keys = [request.idempotency_key for request in fake_stripe.received("POST", REFUNDS)]
    assert keys == [f"refund-{order.number}-job-{job.pk}", f"refund-{order.number}-rest"]


def test_cancelling_a_card_order_not_paid_yet_refunds_nothing(stool, card_order, fake_stripe):
    order = card_order((stool, 1))

    order_cancel(order=order, by=None)

    assert fake_stripe.received("POST", REFUNDS) == []
    assert Order.objects.get(pk=order.pk).status == Order.Status.CANCELLED


def test_cancelling_a_pay_at_pickup_order_refunds_nothing(stool, fake_stripe):
    order = place((stool, 1))

    order_cancel(order=order, by=None)

    assert not Refund.objects.exists()
    assert Order.objects.get(pk=order.pk).status == Order.Status.CANCELLED


def test_declining_a_job_nobody_else_can_make_refunds_exactly_its_lines(
    stool, tote, woodshop, paid_card_order, fake_stripe
):
    order = paid_card_order((stool, 2), (tote, 1))

    job_decline(job=job_of(order, woodshop), by=None, reason="Out of oak")

    (request,) = fake_stripe.received("POST", REFUNDS)
    assert request.form["amount"] == "12000"
    refund = Refund.objects.get()
    assert refund.amount == Decimal("120.00")
    assert refund.job == job_of(order, woodshop)
    assert Order.objects.get(pk=order.pk).status == Order.Status.PAID


def test_cancelling_after_a_declined_job_refunds_only_the_rest(
    stool, sewing, woodshop, paid_card_order, fake_stripe
):
    tote = make_stocked_product(producer=sewing, title="Tote", price=Decimal("28.45"))
    order = paid_card_order((stool, 2), (tote, 1))
    job_decline(job=job_of(order, woodshop), by=None, reason="Out of oak")

    order_cancel(order=order, by=None)

    amounts = [request.form["amount"] for request in fake_stripe.received("POST", REFUNDS)]
    assert amounts == ["12000", "2845"]


def test_a_declined_open_design_another_coop_takes_is_not_refunded(
    puzzle, paid_card_order, fake_stripe
):
    ProducerFactory(slug="laser-two", capabilities=["laser_cutting"])
    order = paid_card_order((puzzle, 1))
    job = order.jobs.get()

    job_decline(job=job, by=None, reason="Laser down")

    assert fake_stripe.received("POST", REFUNDS) == []
    assert order.jobs.exclude(pk=job.pk).get().status == Job.Status.ROUTED


def test_a_refund_stripe_refuses_is_recorded_with_its_error(stool, paid_card_order, fake_stripe):
    order = paid_card_order((stool, 1))
    fake_stripe.fail(3)

    order_cancel(order=order, by=None)

    refund = Refund.objects.get()
    assert refund.state == OutboxState.PENDING
    assert refund.status == Refund.Status.PENDING  # Stripe has not said anything of it yet
    assert "Something went wrong at Stripe" in refund.last_error
    assert refund.attempts == 1
    assert refund.next_attempt_at > timezone.now()


def test_each_try_at_a_refund_is_logged_with_what_went_wrong(stool, paid_card_order, fake_stripe):
    order = paid_card_order((stool, 1))
    fake_stripe.fail(3)

    order_cancel(order=order, by=None)

    refund = Refund.objects.get()
    (attempt,) = OutboxAttempt.objects.filter(kind="refund", object_id=refund.pk)
    assert attempt.number == 1
    assert "Something went wrong at Stripe" in attempt.error


def test_a_failed_refund_is_retried_by_the_housekeeping_task_with_the_same_key(
    stool, paid_card_order, fake_stripe
):
    order = paid_card_order((stool, 1))
    fake_stripe.fail(3)
    order_cancel(order=order, by=None)
    overdue = timezone.now() - outbox.SWEEP_GRACE - datetime.timedelta(seconds=1)
    Refund.objects.update(next_attempt_at=overdue)

    housekeeping.call(repeat=False)

    refund = Refund.objects.get()
    assert refund.status == Refund.Status.SUCCEEDED
    assert len(fake_stripe.refunds) == 1
    keys = {request.idempotency_key for request in fake_stripe.received("POST", REFUNDS)}
    assert keys == {f"refund-{order.number}-rest"}


def test_a_failed_refund_waits_for_its_back_off(stool, paid_card_order, fake_stripe):
    order = paid_card_order((stool, 1))
    fake_stripe.fail(3)
    order_cancel(order=order, by=None)

    queued = outbox.requeue_due()

    assert queued["refund"] == 0
    assert len(fake_stripe.received("POST", REFUNDS)) == 3


def test_a_sent_refund_is_never_sent_again(stool, paid_card_order, fake_stripe):
    order = paid_card_order((stool, 1))
    order_cancel(order=order, by=None)
    refund = Refund.objects.get()

    assert outbox.send_outbox_message.call(kind="refund", pk=refund.pk) == "skipped"
    assert len(fake_stripe.received("POST", REFUNDS)) == 1
