"""Card orders in the resident's hands: cancelling refunds, a no-show refunds its part, and the
order page says "Paid by card" only once Stripe took the payment (issue 16, parts 3, 4)."""

import pytest

from orders import services
from orders.models import Email, Order, Refund
from tests.payments.stripe_events import stripe_event

pytestmark = pytest.mark.django_db

REFUNDS = "/v1/refunds"


def order_page(client, order):
    return client.get(f"/orders/{order.number}/?token={order.access_token}")


def test_cancelling_a_paid_card_order_through_the_api_refunds_it_on_stripe(
    api, stool, paid_card_order, fake_stripe
):
    order = paid_card_order((stool, 2))

    response = api.post(f"/api/v1/orders/{order.number}/cancel/?token={order.access_token}")

    assert response.status_code == 200
    assert response.json()["status"] == "refunded"
    (request,) = fake_stripe.received("POST", REFUNDS)
    assert request.form["amount"] == "12000"
    assert Refund.objects.get(order=order).status == Refund.Status.SUCCEEDED


def test_cancelling_a_paid_card_order_from_its_page_refunds_it(
    client, stool, paid_card_order, fake_stripe
):
    order = paid_card_order((stool, 1))

    response = client.post(
        f"/orders/{order.number}/cancel/", {"token": order.access_token}, follow=True
    )

    assert "Your card payment is being refunded" in response.content.decode()
    assert len(fake_stripe.received("POST", REFUNDS)) == 1
    assert Order.objects.get(pk=order.pk).status == Order.Status.REFUNDED


def test_a_card_paid_part_marked_not_collected_is_refunded(
    stool, tote, paid_card_order, fake_stripe
):
    order = paid_card_order((stool, 1), (tote, 1))
    job = order.jobs.get(producer=stool.producer)
    for move in (services.job_accept, services.job_start, services.job_ready):
        job = move(job=job, by=None)

    services.job_no_show(job=job, by=None)

    (request,) = fake_stripe.received("POST", REFUNDS)
    assert request.form["amount"] == "6000"
    assert request.idempotency_key == f"refund-{order.number}-job-{job.pk}"
    email = Email.objects.get(kind="order.not_collected")
    assert "refunded" in email.body_text
    assert "You paid nothing" not in email.body_text


def test_a_card_order_reads_paid_by_card_only_once_the_payment_succeeded(
    client, stool, card_order, fake_stripe, stripe_sender
):
    order = card_order((stool, 1))
    assert "Paid by card" not in order_page(client, order).content.decode()
    assert "To pay by card: $60.00" in order_page(client, order).content.decode()

    paid = Order.objects.get(pk=order.pk)
    session = fake_stripe.pay(paid.payment.checkout_session_id)
    stripe_sender(stripe_event("checkout.session.completed", session))

    assert "Paid by card: $60.00" in order_page(client, order).content.decode()


def test_a_card_order_with_a_part_refunded_says_how_much_came_back(
    client, stool, tote, paid_card_order, fake_stripe
):
    order = paid_card_order((stool, 1), (tote, 1))  # 60.00 + 28.00
    job = order.jobs.get(producer=stool.producer)
    for move in (services.job_accept, services.job_start, services.job_ready):
        job = move(job=job, by=None)

    services.job_no_show(job=job, by=None)

    page = order_page(client, order).content.decode()
    assert "Paid by card: $88.00, of which $60.00 refunded" in page
