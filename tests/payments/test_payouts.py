"""Paying each co-op for its handed-over jobs, less the community-fund share."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from orders import outbox, stripe_client
from orders.models import OutboxState, Payment, Payout
from orders.payments.payouts import fund_percent, payouts_release_owed
from tests.factories import hand_over, make_stocked_product, place

pytestmark = pytest.mark.django_db

TRANSFERS = "/v1/transfers"


def test_a_handed_over_job_is_transferred_to_its_coop_less_the_community_share(
    stool, paid_card_order, fake_stripe
):
    order = paid_card_order((stool, 2))

    hand_over(order.jobs.get())

    (request,) = fake_stripe.received("POST", TRANSFERS)
    assert request.form["amount"] == "11400"  # 120.00 less 5% (6.00)
    assert request.form["currency"] == "usd"
    assert request.form["destination"] == "acct_wood"


def test_the_transfer_is_grouped_with_the_order_and_paid_from_its_charge(
    stool, paid_card_order, fake_stripe
):
    order = paid_card_order((stool, 1))

    hand_over(order.jobs.get())

    (request,) = fake_stripe.received("POST", TRANSFERS)
    assert request.form["transfer_group"] == order.number
    assert request.form["source_transaction"] == Payment.objects.get(order=order).charge_id
    assert request.form["source_transaction"] in fake_stripe.charges


def test_the_transfer_has_an_idempotency_key_per_job(stool, paid_card_order, fake_stripe):
    order = paid_card_order((stool, 1))
    job = order.jobs.get()

    hand_over(job)

    (request,) = fake_stripe.received("POST", TRANSFERS)
    assert request.idempotency_key == f"payout-job-{job.pk}"


def test_the_payout_and_the_community_share_are_recorded_per_job(
    stool, paid_card_order, fake_stripe
):
    order = paid_card_order((stool, 1))

    job = hand_over(order.jobs.get())

    payout = Payout.objects.get(job=job)
    assert (payout.amount, payout.community_share) == (Decimal("57.00"), Decimal("3.00"))
    assert payout.community_percent == Decimal("5.00")
    assert payout.status == Payout.Status.PAID
    assert payout.stripe_transfer_id in fake_stripe.transfers


def test_the_community_share_follows_the_setting(stool, paid_card_order, settings):
    settings.COMMUNITY_FUND_PERCENT = "12.5"
    order = paid_card_order((stool, 1))

    job = hand_over(order.jobs.get())

    assert Payout.objects.get(job=job).community_share == Decimal("7.50")


def test_a_coop_without_a_stripe_account_is_recorded_as_owed(sewing, paid_card_order, fake_stripe):
    tote = make_stocked_product(producer=sewing, title="Tote", price=Decimal("28.45"))
    order = paid_card_order((tote, 1))

    job = hand_over(order.jobs.get())

    payout = Payout.objects.get(job=job)
    assert payout.status == Payout.Status.OWED
    assert payout.state == OutboxState.HELD
    assert payout.amount == Decimal("27.03")  # 28.45 less 1.42 (5%, rounded half up)
    assert fake_stripe.received("POST", TRANSFERS) == []


def test_an_owed_payout_is_paid_once_the_coop_connects_an_account(
    tote, sewing, paid_card_order, fake_stripe
):
    order = paid_card_order((tote, 1))
    job = hand_over(order.jobs.get())
    sewing.stripe_account_id = "acct_sewing"
    sewing.save()

    assert payouts_release_owed() == 1

    (request,) = fake_stripe.received("POST", TRANSFERS)
    assert request.form["destination"] == "acct_sewing"
    assert Payout.objects.get(job=job).status == Payout.Status.PAID


def test_a_failed_transfer_is_recorded_with_its_error(stool, paid_card_order, fake_stripe):
    order = paid_card_order((stool, 1))
    fake_stripe.fail(3)

    job = hand_over(order.jobs.get())

    payout = Payout.objects.get(job=job)
    assert payout.state == OutboxState.PENDING
    assert payout.status == Payout.Status.PENDING
    assert "Something went wrong at Stripe" in payout.last_error
    assert payout.next_attempt_at > timezone.now()


def test_a_failed_transfer_is_retried_with_the_same_key_into_one_transfer(
    stool, paid_card_order, fake_stripe
):
    order = paid_card_order((stool, 1))
    fake_stripe.fail(3)
    job = hand_over(order.jobs.get())
    overdue = timezone.now() - outbox.SWEEP_GRACE - datetime.timedelta(seconds=1)
    Payout.objects.update(next_attempt_at=overdue)

    outbox.requeue_due()

    assert Payout.objects.get(job=job).status == Payout.Status.PAID
    assert len(fake_stripe.transfers) == 1
    keys = {request.idempotency_key for request in fake_stripe.received("POST", TRANSFERS)}
    assert keys == {f"payout-job-{job.pk}"}


def test_a_transfer_stripe_answers_late_is_made_once(
    stool, paid_card_order, fake_stripe, monkeypatch
):
    order = paid_card_order((stool, 1))
    monkeypatch.setattr(stripe_client, "TIMEOUT_SECONDS", (2.0, 0.3))
    fake_stripe.stall(1)

    job = hand_over(order.jobs.get())

    assert len(fake_stripe.received("POST", TRANSFERS)) == 2
    assert len(fake_stripe.transfers) == 1
    assert Payout.objects.get(job=job).status == Payout.Status.PAID


def test_the_charge_is_asked_of_stripe_when_the_payment_does_not_know_it(
    stool, paid_card_order, fake_stripe
):
    order = paid_card_order((stool, 1))
    Payment.objects.filter(order=order).update(charge_id="")

    hand_over(order.jobs.get())

    (request,) = fake_stripe.received("POST", TRANSFERS)
    intent = fake_stripe.payment_intents[order.payment.payment_intent_id]
    assert request.form["source_transaction"] == intent["latest_charge"]


def test_a_paid_payout_is_never_sent_again(stool, paid_card_order, fake_stripe):
    order = paid_card_order((stool, 1))
    job = hand_over(order.jobs.get())

    assert outbox.send_outbox_message.call(kind="payout", pk=job.payout.pk) == "skipped"
    assert len(fake_stripe.received("POST", TRANSFERS)) == 1


def test_pay_at_pickup_jobs_have_no_payout(stool, fake_stripe):
    order = place((stool, 1))

    hand_over(order.jobs.get())

    assert not Payout.objects.exists()
    assert fake_stripe.requests == []


@pytest.mark.parametrize("value", ["-1", "100.01", "five", "NaN"])
def test_a_community_fund_percent_outside_0_to_100_is_refused(settings, value):
    settings.COMMUNITY_FUND_PERCENT = value

    with pytest.raises(ImproperlyConfigured):
        fund_percent()


def test_a_payout_whose_coop_disconnected_stripe_before_it_was_sent_is_held_as_owed(
    stool, woodshop, paid_card_order, fake_stripe
):
    order = paid_card_order((stool, 1))
    job = hand_over(order.jobs.get())
    payout = Payout.objects.get(job=job)
    Payout.objects.filter(pk=payout.pk).update(
        state=OutboxState.PENDING, status=Payout.Status.PENDING, stripe_transfer_id=""
    )
    woodshop.stripe_account_id = ""
    woodshop.save()

    assert outbox.send_outbox_message.call(kind="payout", pk=payout.pk) == "skipped"

    payout.refresh_from_db()
    assert (payout.state, payout.status) == (OutboxState.HELD, Payout.Status.OWED)
    assert payout.attempts == 1  # the first, real transfer; the held one is not a try
