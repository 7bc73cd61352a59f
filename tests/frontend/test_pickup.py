"""Pickup points in the storefront and the workbench: choosing one at checkout, the drop-off
on the co-op's job card, the keepers' page, and the order page."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from orders.models import Job, Order
from orders.services import job_accept, job_arrive_at_point, job_ready, job_start
from tests.factories import MembershipFactory, place

pytestmark = pytest.mark.django_db


def checkout_form(client, **fields):
    page = client.get("/checkout/")
    token = re.search(r'name="checkout_token" value="([^"]+)"', page.content.decode()).group(1)
    return {
        "name": "Keisha Brown",
        "email": "keisha@example.org",
        "fulfilment": "pickup",
        "payment_method": "pay_at_pickup",
        "checkout_token": token,
        **fields,
    }


def ready(job: Job) -> Job:
    for move in (job_accept, job_start, job_ready):
        job = move(job=job, by=None)
    return job


def point_url(point) -> str:
    return reverse("workbench:pickup-point", args=[point.slug])


def arrived_url(point, job) -> str:
    return reverse("workbench:pickup-arrived", args=[point.slug, job.pk])


@pytest.fixture
def two_coop_cart(client, stool, tote):
    client.post("/cart/add/stool/", {"quantity": 1})
    client.post("/cart/add/tote/", {"quantity": 1})
    return client


@pytest.fixture
def order(stool, tote, center):
    return place((stool, 1), (tote, 1), pickup_point=center)


# --- Checkout -----------------------------------------------------------------------------


def test_a_cart_from_two_co_ops_is_offered_the_center_ticked(two_coop_cart, center):
    page = two_coop_cart.get("/checkout/").content.decode()

    assert "Your order comes from 2 co-ops." in page
    assert re.search(r'<input[^>]*value="the-center"[^>]*checked', page)
    assert "The Center, 1000 W Capitol St — open Tue–Sat 10 am–6 pm" in page


def test_a_cart_from_one_co_op_collects_at_the_co_op_unless_chosen(client, stool, center):
    client.post("/cart/add/stool/", {"quantity": 1})

    page = client.get("/checkout/").content.decode()

    assert not re.search(r'<input[^>]*value="the-center"[^>]*checked', page)


def test_checking_out_with_the_center_keeps_it_on_the_order(two_coop_cart, center):
    response = two_coop_cart.post(
        "/checkout/", checkout_form(two_coop_cart, pickup_point="the-center")
    )

    assert response.status_code == 302
    assert Order.objects.get().pickup_point == center


def test_an_unknown_pickup_point_is_said_beside_the_choice(two_coop_cart, center):
    response = two_coop_cart.post("/checkout/", checkout_form(two_coop_cart, pickup_point="moon"))

    assert "That pickup point is not open for orders: choose another." in response.content.decode()
    assert not Order.objects.exists()


def test_a_delivery_leaves_the_ticked_pickup_point_behind(two_coop_cart, center):
    data = checkout_form(
        two_coop_cart, pickup_point="the-center", fulfilment="delivery", delivery_address="1 Main"
    )

    two_coop_cart.post("/checkout/", data)

    order = Order.objects.get()
    assert order.fulfilment == "delivery"
    assert order.pickup_point is None


# --- The co-op's job card -----------------------------------------------------------------


def test_the_job_card_says_where_to_drop_the_part_and_by_when(client, order, woodshop):
    job = order.jobs.get(producer=woodshop)
    client.force_login(MembershipFactory(producer=woodshop).user)

    page = client.get("/workbench/").content.decode()

    due = job.due_date.strftime("%a %-d %b")
    assert f"Drop at The Center, 1000 W Capitol St, by {due}" in page


def test_a_ready_part_for_a_point_is_not_handed_over_by_its_co_op(client, order, woodshop):
    job = ready(order.jobs.get(producer=woodshop))
    client.force_login(MembershipFactory(producer=woodshop).user)

    page = client.get("/workbench/").content.decode()

    assert reverse("workbench:job-action", args=[job.pk, "hand-over"]) not in page


# --- The keepers' page --------------------------------------------------------------------


def test_keepers_see_the_parts_due_in_by_order_co_op_status_and_date(client, order, technician):
    ready(order.jobs.get(producer__slug="woodshop"))
    client.force_login(technician)

    page = client.get(point_url(order.pickup_point)).content.decode()

    assert f"Order {order.number}" in page
    assert "Woodshop" in page
    assert "Sewing" in page
    assert "Ready at the co-op" in page
    assert "Waiting for the co-op" in page
    assert "Mark arrived" in page


def test_a_co_op_member_who_keeps_no_point_cannot_open_it(client, order, woodshop):
    client.force_login(MembershipFactory(producer=woodshop).user)

    response = client.get(point_url(order.pickup_point))

    assert response.status_code == 404


def test_the_index_has_a_helpful_empty_state_for_co_ops(client, woodshop, center):
    client.force_login(MembershipFactory(producer=woodshop).user)

    page = client.get(reverse("workbench:pickup-points")).content.decode()

    assert "Your co-op keeps no pickup point." in page


def test_a_keeper_marks_a_ready_part_arrived(client, order, technician):
    job = ready(order.jobs.get(producer__slug="woodshop"))
    client.force_login(technician)

    response = client.post(arrived_url(order.pickup_point, job), follow=True)

    assert "the part from Woodshop is here" in response.content.decode()
    job.refresh_from_db()
    assert job.arrived_at_point_by == technician


def test_marking_a_part_not_yet_ready_is_refused_in_the_services_words(client, order, technician):
    job = order.jobs.get(producer__slug="woodshop")
    client.force_login(technician)

    response = client.post(arrived_url(order.pickup_point, job))

    assert response.status_code == 409
    assert "only a part its co-op marked ready can arrive" in response.content.decode()
    job.refresh_from_db()
    assert job.arrived_at_point_at is None


def test_the_keeper_hands_the_whole_order_over_when_everything_is_here(client, order, technician):
    for job in order.jobs.all():
        job_arrive_at_point(job=ready(job), by=technician)
    client.force_login(technician)
    url = reverse("workbench:pickup-hand-over", args=["the-center", order.number])

    response = client.post(url, {"method": "cash"}, follow=True)

    assert f"Order {order.number} handed over to Keisha Brown." in response.content.decode()
    order.refresh_from_db()
    assert order.status == Order.Status.COMPLETED
    assert {job.counter_payment.amount for job in order.jobs.all()} == {
        job.total for job in order.jobs.all()
    }


def test_handing_over_a_pay_at_pickup_order_asks_how_it_was_paid(client, order, technician):
    for job in order.jobs.all():
        job_arrive_at_point(job=ready(job), by=technician)
    client.force_login(technician)
    url = reverse("workbench:pickup-hand-over", args=["the-center", order.number])

    response = client.post(url)

    assert response.status_code == 400
    assert "Say how the resident paid." in response.content.decode()
    order.refresh_from_db()
    assert order.status != Order.Status.COMPLETED


def test_handing_over_with_a_part_still_due_is_refused(client, order, technician):
    job_arrive_at_point(job=ready(order.jobs.get(producer__slug="woodshop")), by=technician)
    client.force_login(technician)
    url = reverse("workbench:pickup-hand-over", args=["the-center", order.number])

    response = client.post(url)

    assert response.status_code == 409
    assert "Not everything has arrived: still due from Sewing." in response.content.decode()


# --- The order page -----------------------------------------------------------------------


def test_the_order_page_shows_each_part_waiting_at_the_center(client, order, technician):
    job_arrive_at_point(job=ready(order.jobs.get(producer__slug="woodshop")), by=technician)

    page = client.get(f"/orders/{order.number}/?token={order.access_token}").content.decode()

    assert page.count("Waiting at The Center") == 1
    assert "Expected at The Center by" in page
    assert "Pick up at The Center, 1000 W Capitol St (open Tue–Sat 10 am–6 pm)" in page


def test_the_keepers_page_costs_the_same_queries_however_many_orders_wait(
    client, stool, tote, center, technician, django_assert_max_num_queries
):
    client.force_login(technician)
    place((stool, 1), (tote, 1), pickup_point=center)
    client.get(point_url(center))  # sessions and the like, once
    with CaptureQueriesContext(connection) as one:
        client.get(point_url(center))
    for _ in range(3):
        place((stool, 1), (tote, 1), pickup_point=center)

    with django_assert_max_num_queries(len(one.captured_queries)):
        client.get(point_url(center))
