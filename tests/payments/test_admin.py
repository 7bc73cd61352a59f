import pytest

from orders.services import order_cancel
from tests.factories import UserFactory, hand_over

pytestmark = pytest.mark.django_db


def test_staff_find_the_payouts_owed_to_coops_without_a_stripe_account(
    client, stool, tote, paid_card_order
):
    order = paid_card_order((stool, 1), (tote, 1))
    for job in order.jobs.all():
        hand_over(job)
    client.force_login(UserFactory(username="boss", is_staff=True, is_superuser=True))

    response = client.get("/admin/orders/payout/", {"status__exact": "owed"})

    assert response.status_code == 200
    assert [payout.producer.slug for payout in response.context["cl"].result_list] == ["sewing"]


def test_staff_see_a_card_orders_payment_and_refunds_on_its_page(client, stool, paid_card_order):
    order = paid_card_order((stool, 1))
    order_cancel(order=order, by=None)
    client.force_login(UserFactory(username="boss", is_staff=True, is_superuser=True))

    page = client.get(f"/admin/orders/order/{order.pk}/change/").content.decode()

    assert order.payment.payment_intent_id in page
    assert order.refunds.get().stripe_refund_id in page
