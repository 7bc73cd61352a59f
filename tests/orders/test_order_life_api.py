"""The API side of an order in the resident's hands and of no-shows (issue 16, parts 3, 4)."""

import pytest
from django.utils import timezone

from catalog.models import Product, StockBalance
from orders import services
from orders.models import Email, Job, Order
from producers.models import Membership
from tests.factories import MembershipFactory, UserFactory, make_product, place

pytestmark = pytest.mark.django_db

J = Job.Status


@pytest.fixture
def woodshop_member(woodshop):
    return MembershipFactory(
        producer=woodshop, role=Membership.Role.MEMBER, user=UserFactory(username="carver")
    ).user


def cancel_url(order) -> str:
    return f"/api/v1/orders/{order.number}/cancel/?token={order.access_token}"


def ready_job(product):
    job = place((product, 1)).jobs.get()
    for move in (services.job_accept, services.job_start, services.job_ready):
        job = move(job=job, by=None)
    return job


def test_cancelling_after_production_started_is_refused_with_409(api, stool):
    order = place((stool, 1))
    job = services.job_accept(job=order.jobs.get(), by=None)
    services.job_start(job=job, by=None)

    response = api.post(cancel_url(order))

    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"
    assert Order.objects.get(pk=order.pk).status == Order.Status.IN_PRODUCTION


def test_a_second_cancel_says_the_order_is_already_cancelled(api, stool):
    order = place((stool, 1))
    assert api.post(cancel_url(order)).status_code == 200

    response = api.post(cancel_url(order))

    assert response.status_code == 409
    body = response.json()
    assert (body["code"], body["status"]) == ("invalid_transition", "cancelled")
    assert body["detail"] == "This order is already cancelled."
    balance = StockBalance.objects.get(material=stool.stock_item)
    assert (balance.on_hand, balance.reserved) == (5, 0)


def test_order_lines_carry_their_own_expected_date(api, woodshop, stool):
    bookshelf = make_product(
        producer=woodshop,
        title="Bookshelf",
        fulfilment=Product.Fulfilment.MADE_TO_ORDER,
        lead_time_days=21,
    )
    order = place((stool, 1), (bookshelf, 1))
    today = timezone.localdate()

    body = api.get(f"/api/v1/orders/{order.number}/?token={order.access_token}").json()

    dates = {line["title"]: line["expected_date"] for line in body["lines"]}
    assert dates == {
        "Stool": str(today + timezone.timedelta(days=1)),
        "Bookshelf": str(today + timezone.timedelta(days=21)),
    }


def test_a_member_marks_a_ready_job_not_collected(api, stool, woodshop_member):
    job = ready_job(stool)

    response = api.as_user(woodshop_member).post(f"/api/v1/jobs/{job.pk}/no-show/")

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "cancelled"
    assert Job.objects.get(pk=job.pk).status == J.CANCELLED
    assert Email.objects.filter(kind="order.not_collected", order=job.order).count() == 1
    assert StockBalance.objects.get(material=stool.stock_item).on_hand == 5


def test_a_job_that_is_not_ready_cannot_be_marked_not_collected(api, stool, woodshop_member):
    job = services.job_accept(job=place((stool, 1)).jobs.get(), by=None)

    response = api.as_user(woodshop_member).post(f"/api/v1/jobs/{job.pk}/no-show/")

    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"
    assert Job.objects.get(pk=job.pk).status == J.ACCEPTED


def test_another_coops_job_cannot_be_marked_not_collected(api, stool, other_manager):
    job = ready_job(stool)

    response = api.as_user(other_manager).post(f"/api/v1/jobs/{job.pk}/no-show/")

    assert response.status_code == 404
    assert Job.objects.get(pk=job.pk).status == J.READY
