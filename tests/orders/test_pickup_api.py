"""Pickup points through the API: choosing one on an order, and keepers marking arrivals."""

import pytest

from orders.models import CounterPayment, Job, Order
from orders.services import job_accept, job_ready, job_start
from tests.factories import MembershipFactory, order_body, place

pytestmark = pytest.mark.django_db


def ready(job: Job) -> Job:
    for move in (job_accept, job_start, job_ready):
        job = move(job=job, by=None)
    return job


def arrived_url(point, job) -> str:
    return f"/api/v1/pickup-points/{point.slug}/jobs/{job.pk}/arrived/"


def test_anyone_lists_the_open_pickup_points(api, center):
    response = api.get("/api/v1/pickup-points/")

    assert response.status_code == 200
    assert response.json() == [
        {
            "slug": "the-center",
            "name": "The Center",
            "address": "1000 W Capitol St",
            "opening_hours": "Tue–Sat 10 am–6 pm",
            "active": True,
        }
    ]


def test_an_order_placed_with_a_pickup_point_keeps_it_and_shows_it(api, stool, tote, center):
    response = api.post(
        "/api/v1/orders/",
        order_body((stool, 1), (tote, 1), pickup_point="the-center"),
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert response.json()["pickup_point"]["address"] == "1000 W Capitol St"
    assert Order.objects.get().pickup_point == center


def test_an_unknown_pickup_point_is_a_field_error(api, stool, center):
    response = api.post(
        "/api/v1/orders/", order_body((stool, 1), pickup_point="the-moon"), format="json"
    )

    assert response.status_code == 400
    assert response.json()["errors"]["pickup_point"] == [
        "No open pickup point is called “the-moon”."
    ]
    assert not Order.objects.exists()


def test_a_closed_pickup_point_is_a_field_error(api, stool, center):
    center.active = False
    center.save()

    response = api.post(
        "/api/v1/orders/", order_body((stool, 1), pickup_point="the-center"), format="json"
    )

    assert response.status_code == 400
    assert "pickup_point" in response.json()["errors"]


def test_a_pickup_point_with_delivery_is_a_field_error(api, stool, center):
    body = order_body(
        (stool, 1), pickup_point="the-center", fulfilment="delivery", delivery_address="1 Main St"
    )

    response = api.post("/api/v1/orders/", body, format="json")

    assert response.status_code == 400
    assert response.json()["errors"]["pickup_point"] == [
        "A pickup point is for orders you collect, not for delivery."
    ]
    assert not Order.objects.exists()


def test_the_co_op_sees_where_to_drop_its_part_on_its_job(api, stool, center):
    member = MembershipFactory(producer=stool.producer).user
    job = place((stool, 1), pickup_point=center).jobs.get()

    response = api.as_user(member).get(f"/api/v1/jobs/{job.pk}/")

    assert response.status_code == 200
    assert response.json()["drop_off"]["name"] == "The Center"


def test_keepers_list_the_parts_due_in(api, stool, tote, center, technician):
    order = place((stool, 1), (tote, 1), pickup_point=center)

    response = api.as_user(technician).get("/api/v1/pickup-points/the-center/jobs/")

    assert response.status_code == 200
    rows = response.json()
    assert {row["producer"]["slug"] for row in rows} == {"woodshop", "sewing"}
    assert {row["order"] for row in rows} == {order.number}
    assert all(row["arrived_at_point_at"] is None for row in rows)


def test_a_keeper_marks_a_ready_part_arrived(api, stool, center, technician):
    job = ready(place((stool, 1), pickup_point=center).jobs.get())

    response = api.as_user(technician).post(arrived_url(center, job))

    assert response.status_code == 200
    assert response.json()["arrived_at_point_at"] is not None
    job.refresh_from_db()
    assert job.arrived_at_point_by == technician


def test_marking_a_part_that_is_not_ready_is_a_conflict(api, stool, center, technician):
    job = place((stool, 1), pickup_point=center).jobs.get()

    response = api.as_user(technician).post(arrived_url(center, job))

    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"
    job.refresh_from_db()
    assert job.arrived_at_point_at is None


def test_a_part_bound_for_another_place_is_not_found_at_this_point(api, stool, center, technician):
    job = ready(place((stool, 1)).jobs.get())

    response = api.as_user(technician).post(arrived_url(center, job))

    assert response.status_code == 404


def test_a_co_op_cannot_hand_over_alone_a_part_gathered_at_the_point(api, stool, center):
    member = MembershipFactory(producer=stool.producer).user
    job = ready(place((stool, 1), pickup_point=center).jobs.get())
    cash = {"payment": {"method": "cash", "amount": str(job.total)}}

    response = api.as_user(member).post(f"/api/v1/jobs/{job.pk}/hand-over/", cash, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "collected_at_pickup_point"
    job.refresh_from_db()
    assert job.status == Job.Status.READY
    assert not CounterPayment.objects.exists()
