"""The order page, My orders and the job card for an order in the resident's hands and for
no-shows (issue 16, parts 3 and 4)."""

import re
from decimal import Decimal

import pytest
from django.utils import timezone

from catalog.models import Product, StockBalance
from orders import services
from orders.models import Job, Order
from producers.models import Membership
from tests.factories import (
    MembershipFactory,
    UserFactory,
    hand_over,
    make_product,
    make_stocked_product,
    place,
)

pytestmark = pytest.mark.django_db

J = Job.Status
POLLING = 'hx-trigger="every 15s"'


def page_of(client, order, *, token=True) -> str:
    url = f"/orders/{order.number}/" + (f"?token={order.access_token}" if token else "")
    return client.get(url).content.decode()


def status_of(client, order):
    return client.get(f"/orders/{order.number}/status/?token={order.access_token}")


def cancel(client, order, *, token=True):
    return client.post(
        f"/orders/{order.number}/cancel/", {"token": order.access_token} if token else {}
    )


def moved(job, *moves):
    for move in moves:
        job = move(job=job, by=None)
    return job


START = (services.job_accept, services.job_start)
READY = (*START, services.job_ready)


@pytest.fixture
def bookshelf(woodshop):
    return make_product(
        producer=woodshop,
        title="Bookshelf",
        fulfilment=Product.Fulfilment.MADE_TO_ORDER,
        lead_time_days=21,
    )


# --- Cancelling from the order page -----------------------------------------------------------


def test_an_order_not_yet_being_made_offers_a_cancel_step(client, stool):
    order = place((stool, 1))

    page = page_of(client, order)

    assert "<summary>Cancel this order</summary>" in page
    assert f"Yes, cancel order {order.number}" in page


def test_the_token_holder_cancels_from_the_order_page(client, stool):
    order = place((stool, 2))

    response = cancel(client, order)

    assert response.status_code == 302
    assert response["Location"] == f"/orders/{order.number}/?token={order.access_token}"
    assert Order.objects.get(pk=order.pk).status == Order.Status.CANCELLED
    assert StockBalance.objects.get(material=stool.stock_item).reserved == 0
    assert f"Order {order.number} is cancelled" in client.get(response["Location"]).content.decode()


def test_the_signed_in_owner_cancels_without_the_token(client, stool, resident):
    order = place((stool, 1), customer=resident)
    client.force_login(resident)

    response = cancel(client, order, token=False)

    assert response.status_code == 302
    assert Order.objects.get(pk=order.pk).status == Order.Status.CANCELLED


def test_nobody_else_can_cancel_an_order(client, stool, resident):
    order = place((stool, 1))
    client.force_login(resident)

    response = cancel(client, order, token=False)

    assert response.status_code == 404
    assert Order.objects.get(pk=order.pk).status == Order.Status.PAID


def test_cancelling_after_production_started_says_why_with_409(client, stool):
    order = place((stool, 1))
    moved(order.jobs.get(), *START)

    response = cancel(client, order)

    assert response.status_code == 409
    assert "not yet being made can be cancelled" in response.content.decode()
    assert Order.objects.get(pk=order.pk).status == Order.Status.IN_PRODUCTION


def test_a_second_cancel_says_the_order_is_already_cancelled(client, stool):
    order = place((stool, 1))
    cancel(client, order)

    response = cancel(client, order)

    assert response.status_code == 409
    assert "This order is already cancelled." in response.content.decode()


def test_once_production_started_the_cancel_step_is_gone(client, stool):
    order = place((stool, 1))
    moved(order.jobs.get(), *START)

    assert "Cancel this order" not in page_of(client, order)


# --- The status refreshes itself ----------------------------------------------------------------


def test_an_open_orders_status_asks_for_news_every_15_seconds(client, stool):
    order = place((stool, 1))

    page = page_of(client, order)

    status_url = f"/orders/{order.number}/status/?token={order.access_token}"
    assert f'hx-get="{status_url}"' in page
    assert POLLING in page


def test_the_status_fragment_is_only_the_part_that_changes(client, stool):
    order = place((stool, 1))
    moved(order.jobs.get(), *READY)

    response = status_of(client, order)

    fragment = response.content.decode()
    assert response.status_code == 200
    assert fragment.lstrip().startswith('<div id="order-status"')
    assert "<html" not in fragment
    assert "Ready to collect" in fragment
    assert POLLING in fragment


@pytest.mark.parametrize("end", ["cancelled", "completed"])
def test_a_done_order_stops_asking_for_news(client, stool, end):
    order = place((stool, 1))
    if end == "cancelled":
        services.order_cancel(order=order, by=None)
    else:
        hand_over(order.jobs.get())

    assert "hx-trigger" not in status_of(client, order).content.decode()
    assert "hx-trigger" not in page_of(client, order)


def test_the_status_fragment_needs_the_token(client, stool):
    order = place((stool, 1))

    response = client.get(f"/orders/{order.number}/status/")

    assert response.status_code == 404


# --- Steps, decline reasons and dates in plain words ------------------------------------------


def test_timeline_steps_read_as_words(client, stool):
    order = place((stool, 1))
    hand_over(order.jobs.get())

    page = page_of(client, order)

    steps = re.findall(r'<span class="step">([^<]+)</span>', page)
    assert steps == [
        "Sent to the co-op",
        "Accepted by the co-op",
        "In production",
        "Ready to collect",
        "Handed over",
    ]
    assert "Inproduction" not in page
    assert "Handedover" not in page


def test_a_declined_part_shows_the_coops_reason_as_soon_as_it_happens(client, stool):
    order = place((stool, 1))
    services.job_decline(job=order.jobs.get(), by=None, reason="The lathe is broken")

    fragment = status_of(client, order).content.decode()

    assert "The co-op could not make it: The lathe is broken" in fragment


def test_each_line_shows_its_own_expected_date(client, stool, bookshelf):
    order = place((stool, 1), (bookshelf, 1))
    today = timezone.localdate()

    page = page_of(client, order)

    for days in (1, 21):
        assert f'<time datetime="{today + timezone.timedelta(days=days):%Y-%m-%d}">' in page


# --- Money words ----------------------------------------------------------------------------


def test_a_pay_at_pickup_order_reads_to_pay_at_pickup_never_paid(client, woodshop):
    table = make_stocked_product(producer=woodshop, title="Table", price=Decimal("1200.00"))
    order = place((table, 1), fulfilment="pickup")

    page = page_of(client, order)

    assert "To pay at pickup: $1,200.00" in page
    assert not re.search(r"\bPaid\b", page)


def test_a_pay_at_pickup_order_with_one_part_collected_reads_what_is_still_to_pay(
    client, stool, tote
):
    order = place((stool, 1), (tote, 1))  # 60.00 + 28.00
    hand_over(order.jobs.get(producer=stool.producer))

    page = page_of(client, order)

    assert "To pay at pickup: $28.00" in page


# --- My orders -------------------------------------------------------------------------------


def test_my_orders_shows_each_part_its_progress_and_its_dates(client, stool, tote, resident):
    order = place((stool, 2), (tote, 1), customer=resident)
    moved(order.jobs.get(producer=stool.producer), *START)
    client.force_login(resident)

    page = client.get("/orders/").content.decode()

    assert f"Order {order.number}" in page
    assert "2 × Stool" in page
    assert "1 × Tote" in page
    assert 'Woodshop</strong>: <span class="status status-in_production">In production' in page
    assert 'Sewing</strong>: <span class="status status-routed">Sent to the co-op' in page
    assert "To pay at pickup: $148.00" in page
    tomorrow = timezone.localdate() + timezone.timedelta(days=1)
    assert f'<time datetime="{tomorrow:%Y-%m-%d}">' in page


def test_my_orders_shows_only_my_own(client, stool, resident):
    place((stool, 1), customer=UserFactory(username="neighbour"))
    client.force_login(resident)

    page = client.get("/orders/").content.decode()

    assert "You have not ordered anything yet" in page
    assert "See what is made nearby" in page


def test_my_orders_costs_the_same_queries_however_many_orders(
    client, stool, tote, resident, django_assert_max_num_queries
):
    client.force_login(resident)
    place((stool, 1), customer=resident)
    with django_assert_max_num_queries(12) as few:
        client.get("/orders/")
    for _ in range(3):
        place((stool, 1), (tote, 1), customer=resident)

    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/orders/")


# --- The job card: a part not collected ------------------------------------------------------


@pytest.fixture
def carver(woodshop):
    return MembershipFactory(
        producer=woodshop, role=Membership.Role.MEMBER, user=UserFactory(username="carver")
    ).user


def test_a_ready_job_card_offers_not_collected_behind_a_confirm_step(client, stool, carver):
    job = moved(place((stool, 1)).jobs.get(), *READY)
    client.force_login(carver)

    page = client.get("/workbench/").content.decode()

    assert "Not collected" in page
    assert f'action="/workbench/jobs/{job.pk}/no-show/"' in page


def test_a_job_not_ready_has_no_not_collected_step(client, stool, carver):
    job = moved(place((stool, 1)).jobs.get(), *START)
    client.force_login(carver)

    page = client.get("/workbench/").content.decode()

    assert f"/workbench/jobs/{job.pk}/no-show/" not in page


def test_a_member_marks_a_ready_job_not_collected_from_the_board(client, stool, carver):
    job = moved(place((stool, 1)).jobs.get(), *READY)
    client.force_login(carver)

    response = client.post(f"/workbench/jobs/{job.pk}/no-show/", follow=True)

    assert "marked not collected" in response.content.decode()
    assert Job.objects.get(pk=job.pk).status == J.CANCELLED
    assert StockBalance.objects.get(material=stool.stock_item).on_hand == 5


def test_marking_a_job_not_ready_as_not_collected_is_refused_in_words(client, stool, carver):
    job = moved(place((stool, 1)).jobs.get(), *START)
    client.force_login(carver)

    response = client.post(f"/workbench/jobs/{job.pk}/no-show/", follow=True)

    assert "cannot be marked not collected" in response.content.decode()
    assert Job.objects.get(pk=job.pk).status == J.IN_PRODUCTION


def test_another_coops_member_cannot_mark_a_job_not_collected(client, stool, other_manager):
    job = moved(place((stool, 1)).jobs.get(), *READY)
    client.force_login(other_manager)

    response = client.post(f"/workbench/jobs/{job.pk}/no-show/")

    assert response.status_code == 404
    assert Job.objects.get(pk=job.pk).status == J.READY
