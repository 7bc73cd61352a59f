"""The bookings API: book, see, move and cancel machine time; each refusal is a 400 with
the field or a 409 with its code, and changes nothing."""

import datetime

import pytest

from fablab.models import Booking, OutOfService
from tests.fablab.bookings_setup import (
    lab_world,
    laser_cutter,
    local,
    next_clock_change,
    next_weekday,
    uncertified_member,
)
from tests.factories import FabLabFactory, MembershipFactory, ProducerFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def lab():
    return lab_world()


@pytest.fixture
def day():
    return next_weekday(3)


def body(lab, day, start=10, end=12, **extra):
    return {
        "machine": lab.machine.slug,
        "starts_at": local(day, start).isoformat(),
        "ends_at": local(day, end).isoformat(),
        **extra,
    }


def test_the_api_root_lists_machines_and_bookings(api):
    root = api.get("/api/v1/").json()

    assert root["machine-list"].endswith("/api/v1/machines/")
    assert root["booking-list"].endswith("/api/v1/bookings/")


def test_a_member_sees_the_machines_with_hours_and_outages_ahead(api, lab, day):
    OutOfService.objects.create(
        machine=lab.machine, starts_at=local(day, 9), ends_at=local(day, 12), reason="Cleaning"
    )
    OutOfService.objects.create(
        machine=lab.machine,
        starts_at=local(day, 9) - datetime.timedelta(days=30),
        ends_at=local(day, 12) - datetime.timedelta(days=30),
        reason="Long over",
    )
    api.as_user(lab.member)

    machines = api.get("/api/v1/machines/").json()["results"]

    assert [m["slug"] for m in machines] == ["laser-cutter"]
    machine = machines[0]
    assert machine["capability_name"] == "Laser cutting"
    assert machine["keeper"] == "fab-lab"
    assert machine["rate_per_hour"] == "18.00"
    assert machine["opening_hours"][0] == {
        "weekday": 0,
        "day": "Monday",
        "opens": "09:00:00",
        "closes": "17:00:00",
    }
    assert [o["reason"] for o in machine["out_of_service"]] == ["Cleaning"]


def test_a_machine_page_shows_its_free_time(api, lab):
    api.as_user(lab.member)

    machine = api.get("/api/v1/machines/laser-cutter/").json()

    assert machine["free"], "open every day from 9 to 5, and nothing booked"
    assert machine["free"][0]["starts_at"].endswith(("-06:00", "-05:00"))


def test_another_coops_own_machine_is_not_listed_nor_found(api, lab):
    laser_cutter(keeper=ProducerFactory(slug="elsewhere"), name="Theirs", slug="theirs")
    api.as_user(lab.member)

    assert [m["slug"] for m in api.get("/api/v1/machines/").json()["results"]] == ["laser-cutter"]
    assert api.get("/api/v1/machines/theirs/").status_code == 404


def test_a_member_books_and_gets_the_booking_in_chicago_time(api, lab, day):
    api.as_user(lab.member)

    response = api.post("/api/v1/bookings/", body(lab, day, note="Coasters"), format="json")

    assert response.status_code == 201, response.content
    data = response.json()
    assert data["machine"] == "laser-cutter"
    assert data["producer"] == "makers"
    assert data["minutes"] == 120
    assert data["cost"] == "36.00"
    assert data["status"] == "booked"
    assert data["starts_at"] == local(day, 10).isoformat()
    booking = Booking.objects.get()
    assert booking.starts_at == local(day, 10)
    assert api.get("/api/v1/bookings/").json()["results"][0]["id"] == booking.pk


def test_times_without_an_offset_are_read_in_chicago(api, lab):
    api.as_user(lab.member)
    day = next_clock_change(11)  # 9 am is 15:00 UTC after the clocks fall back

    response = api.post(
        "/api/v1/bookings/",
        {"machine": "laser-cutter", "starts_at": f"{day}T09:00", "ends_at": f"{day}T11:00"},
        format="json",
    )

    assert response.status_code == 201, response.content
    assert Booking.objects.get().starts_at == datetime.datetime.combine(
        day, datetime.time(15), datetime.UTC
    )


@pytest.mark.parametrize(
    ("hours", "field"),
    [((12, 10), "ends_at"), ((9, 14), "ends_at")],
)
def test_bad_times_answer_400_with_the_field(api, lab, day, hours, field):
    api.as_user(lab.member)

    response = api.post("/api/v1/bookings/", body(lab, day, *hours), format="json")

    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not Booking.objects.exists()


def test_a_time_in_the_past_answers_400(api, lab):
    api.as_user(lab.member)
    last_week = next_weekday(3, weeks_ahead=-1)

    response = api.post("/api/v1/bookings/", body(lab, last_week), format="json")

    assert response.status_code == 400
    assert "starts_at" in response.json()["errors"]


def test_rules_answer_409_with_their_code_and_save_nothing(api, lab, day):
    OutOfService.objects.create(
        machine=lab.machine, starts_at=local(day, 14), ends_at=local(day, 15), reason="Repair"
    )
    api.as_user(lab.member)
    api.post("/api/v1/bookings/", body(lab, day, 10, 12), format="json")
    codes = {}
    for name, sent in {
        "hours": body(lab, day, 7, 9),
        "outage": body(lab, day, 13, 15),
        "overlap": body(lab, day, 11, 13),
    }.items():
        response = api.post("/api/v1/bookings/", sent, format="json")
        assert response.status_code == 409
        codes[name] = response.json()["code"]

    assert codes == {
        "hours": "outside_opening_hours",
        "outage": "machine_out_of_service",
        "overlap": "booking_overlaps",
    }
    assert Booking.objects.count() == 1


def test_an_uncertified_member_is_told_to_get_certified(api, lab, day):
    api.as_user(uncertified_member(lab.coop))

    response = api.post("/api/v1/bookings/", body(lab, day), format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "certification_required"
    assert response.json()["capability"] == "laser_cutting"


def test_booking_for_a_coop_you_are_not_in_names_the_producer(api, lab, day):
    ProducerFactory(slug="other-coop")
    api.as_user(lab.member)

    response = api.post("/api/v1/bookings/", body(lab, day, producer="other-coop"), format="json")

    assert response.status_code == 400
    assert "producer" in response.json()["errors"]


def test_a_job_of_another_coop_names_the_job(api, lab, day):
    api.as_user(lab.member)

    response = api.post("/api/v1/bookings/", body(lab, day, job=999), format="json")

    assert response.status_code == 400
    assert "job" in response.json()["errors"]


def test_a_resident_outside_any_coop_is_refused(api, lab):
    api.as_user(UserFactory(username="resident"))

    assert api.get("/api/v1/bookings/").status_code == 403
    assert api.get("/api/v1/machines/").status_code == 403


def test_bookings_are_scoped_to_your_coops_and_fab_lab_staff_see_all(api, lab, day):
    booking = lab.book(local(day, 10), local(day, 12))
    outsider = MembershipFactory(producer=ProducerFactory(slug="outside")).user
    technician = MembershipFactory(producer=FabLabFactory()).user

    assert api.as_user(outsider).get("/api/v1/bookings/").json()["results"] == []
    assert api.get(f"/api/v1/bookings/{booking.pk}/").status_code == 404
    assert [
        b["id"] for b in api.as_user(technician).get("/api/v1/bookings/").json()["results"]
    ] == [booking.pk]


def test_moving_a_booking_checks_it_again(api, lab, day):
    booking = lab.book(local(day, 10), local(day, 12))
    lab.book(local(day, 13), local(day, 15))
    api.as_user(lab.member)
    url = f"/api/v1/bookings/{booking.pk}/"

    clash = api.patch(
        url,
        {"starts_at": local(day, 12).isoformat(), "ends_at": local(day, 14).isoformat()},
        format="json",
    )
    moved = api.patch(
        url,
        {"starts_at": local(day, 15).isoformat(), "ends_at": local(day, 16).isoformat()},
        format="json",
    )

    assert clash.status_code == 409
    assert clash.json()["code"] == "booking_overlaps"
    assert moved.status_code == 200
    assert moved.json()["starts_at"] == local(day, 15).isoformat()


def test_cancelling_frees_the_slot_and_only_the_right_people_may(api, lab, day):
    booking = lab.book(local(day, 10), local(day, 12))
    url = f"/api/v1/bookings/{booking.pk}/cancel/"

    refused = api.as_user(uncertified_member(lab.coop)).post(url)
    cancelled = api.as_user(lab.member).post(url)
    again = api.post(url)
    rebooked = api.post("/api/v1/bookings/", body(lab, day), format="json")

    assert refused.status_code == 403
    assert refused.json()["code"] == "booking_not_allowed"
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    assert again.status_code == 409
    assert rebooked.status_code == 201


@pytest.mark.parametrize(
    ("starts_at", "ends_at"),
    [
        ("9999-12-31T22:00:00-06:00", "9999-12-31T23:00:00-06:00"),
        ("0001-01-01T00:00:00+00:00", "0001-01-01T01:00:00+00:00"),
    ],
)
def test_times_at_the_ends_of_the_calendar_answer_400(api, lab, starts_at, ends_at):
    api.as_user(lab.member)

    response = api.post(
        "/api/v1/bookings/",
        {"machine": "laser-cutter", "starts_at": starts_at, "ends_at": ends_at},
        format="json",
    )

    assert response.status_code == 400
    assert not Booking.objects.exists()


def test_the_bookings_list_reads_in_a_fixed_number_of_queries(
    api, lab, django_assert_max_num_queries
):
    for week in range(1, 7):
        day = next_weekday(3, weeks_ahead=week)
        lab.book(local(day, 10), local(day, 12))
    api.as_user(lab.member)

    with django_assert_max_num_queries(6):
        response = api.get("/api/v1/bookings/")

    assert response.json()["count"] == 6


def test_the_machine_list_reads_in_a_fixed_number_of_queries(
    api, lab, django_assert_max_num_queries
):
    for number in range(5):
        laser_cutter(capability=lab.machine.capability, name=f"Cutter {number}", slug=f"c-{number}")
    api.as_user(lab.member)

    with django_assert_max_num_queries(7):
        response = api.get("/api/v1/machines/")

    assert response.json()["count"] == 6


def test_fields_a_client_may_not_set_are_ignored(api, lab, day):
    other = UserFactory(username="someone-else")
    api.as_user(lab.member)

    created = api.post(
        "/api/v1/bookings/",
        body(
            lab,
            day,
            status="cancelled",
            booked_by=other.username,
            cancelled_at="2001-01-01T00:00:00Z",
            cost="0.01",
        ),
        format="json",
    )
    booking = Booking.objects.get()
    moved = api.patch(
        f"/api/v1/bookings/{booking.pk}/",
        {
            "starts_at": local(day, 13).isoformat(),
            "ends_at": local(day, 14).isoformat(),
            "status": "cancelled",
            "machine": "somewhere-else",
            "note": "changed",
        },
        format="json",
    )

    assert created.status_code == 201
    assert created.json()["cost"] == "36.00"
    assert moved.status_code == 200
    booking.refresh_from_db()
    assert booking.status == Booking.Status.BOOKED
    assert booking.booked_by == lab.member
    assert booking.cancelled_at is None
    assert booking.machine == lab.machine
    assert booking.note == ""
    assert booking.starts_at == local(day, 13)
