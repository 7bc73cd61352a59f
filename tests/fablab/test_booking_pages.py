"""The workbench's machine pages: a member sees the machines, books one in Chicago time,
sees each refusal in words, moves and cancels the booking."""

import datetime

import pytest
from django.utils import timezone

from fablab.hours import duration_in_words
from fablab.models import Booking, OutOfService
from frontend.workbench.fablab_bookings import hours_in_words
from tests.fablab.bookings_setup import (
    lab_world,
    laser_cutter,
    local,
    next_clock_change,
    next_weekday,
    uncertified_member,
)
from tests.factories import ProducerFactory, UserFactory, make_stocked_product, place

pytestmark = pytest.mark.django_db


@pytest.fixture
def lab():
    return lab_world()


@pytest.fixture
def day():
    return next_weekday(4)


def signed_in(client, user):
    client.force_login(user)
    return client


def form(day, start="10:00", end="12:00", **extra):
    return {"date": day.isoformat(), "start": start, "end": end, "note": "", **extra}


def test_the_machines_page_lists_what_the_coop_may_book(client, lab):
    laser_cutter(
        keeper=ProducerFactory(slug="elsewhere"), name="Somebody else's cutter", slug="theirs"
    )
    OutOfService.objects.create(
        machine=lab.machine,
        starts_at=timezone.now() + datetime.timedelta(days=2),
        ends_at=timezone.now() + datetime.timedelta(days=3),
        reason="New laser tube",
    )

    page = signed_in(client, lab.member).get("/workbench/machines/").content.decode()

    assert "Laser cutter" in page
    assert "Somebody else" not in page
    assert "Laser cutting" in page
    assert "$18.00 an hour" in page
    assert "Mon–Sun 9 am–5 pm" in page
    assert "New laser tube" in page
    assert 'aria-current="page">Machines' in page


def test_the_machines_page_has_a_friendly_empty_state(client):
    coop = ProducerFactory(slug="lonely", certified=False)
    member = UserFactory()
    coop.memberships.create(user=member)

    page = signed_in(client, member).get("/workbench/machines/").content.decode()

    assert "No machines to book yet" in page


def test_hours_read_as_words():
    class Row:
        def __init__(self, weekday, opens, closes):
            self.weekday, self.opens, self.closes = weekday, opens, closes

    rows = [Row(d, datetime.time(9), datetime.time(17, 30)) for d in range(5)]
    rows.append(Row(5, datetime.time(10), datetime.time(12)))

    assert hours_in_words(rows) == "Mon–Fri 9 am–5:30 pm; Sat 10 am–noon"
    assert hours_in_words([]) == "Not open for booking"


def test_a_member_books_on_the_machine_page_in_chicago_time(client, lab, day):
    response = signed_in(client, lab.member).post(
        "/workbench/machines/laser-cutter/", form(day, note="Coasters"), follow=True
    )

    booking = Booking.objects.get()
    assert booking.starts_at == local(day, 10)
    assert booking.note == "Coasters"
    page = response.content.decode()
    assert "Booked:" in page
    assert "Laser cutter" in page
    assert response.redirect_chain[-1][0] == "/workbench/bookings/"


def test_a_booking_for_an_open_job_needing_the_machine(client, lab, day):
    product = make_stocked_product(producer=lab.coop)
    product.required_capabilities.add(lab.machine.capability)
    job = place((product, 1)).jobs.get()
    client = signed_in(client, lab.member)

    page = client.get("/workbench/machines/laser-cutter/").content.decode()
    client.post("/workbench/machines/laser-cutter/", form(day, job=job.pk))

    assert f"Order {job.order.number}" in page
    assert Booking.objects.get().job == job


@pytest.mark.parametrize(
    ("sent", "status", "words"),
    [
        ({"start": "12:00", "end": "10:00"}, 400, "The end must be after the start."),
        ({"start": "07:00", "end": "09:00"}, 409, "not open for the whole of that time"),
        ({"start": "09:00", "end": "14:00"}, 400, "may last at most 4 hours"),
    ],
)
def test_each_refusal_is_said_in_words_and_saves_nothing(client, lab, day, sent, status, words):
    response = signed_in(client, lab.member).post(
        "/workbench/machines/laser-cutter/", form(day, **sent)
    )

    assert response.status_code == status
    assert words in response.content.decode()
    assert not Booking.objects.exists()


def test_an_overlap_and_an_outage_are_explained(client, lab, day):
    lab.book(local(day, 10), local(day, 12))
    OutOfService.objects.create(
        machine=lab.machine, starts_at=local(day, 14), ends_at=local(day, 16), reason="Repair"
    )
    client = signed_in(client, lab.member)

    overlap = client.post("/workbench/machines/laser-cutter/", form(day, "11:00", "13:00"))
    outage = client.post("/workbench/machines/laser-cutter/", form(day, "13:00", "15:00"))

    assert overlap.status_code == 409
    assert "already booked for part of that time" in overlap.content.decode()
    assert outage.status_code == 409
    assert "out of service then (Repair)" in outage.content.decode()


def test_an_uncertified_member_is_told_to_get_certified(client, lab, day):
    response = signed_in(client, uncertified_member(lab.coop)).post(
        "/workbench/machines/laser-cutter/", form(day)
    )

    assert response.status_code == 409
    assert "Ask a Fab Lab technician to certify you first." in response.content.decode()


def test_a_time_the_clocks_skip_is_refused(client, lab):
    response = signed_in(client, lab.member).post(
        "/workbench/machines/laser-cutter/",
        form(next_clock_change(3), "02:30", "03:30"),
    )

    assert response.status_code == 400
    assert "The clocks skip that time" in response.content.decode()


def test_another_coops_machine_page_is_not_found(client, lab):
    laser_cutter(keeper=ProducerFactory(slug="elsewhere"), name="Theirs", slug="theirs")

    assert signed_in(client, lab.member).get("/workbench/machines/theirs/").status_code == 404


def test_your_bookings_lists_them_and_cancel_frees_the_slot(client, lab, day):
    booking = lab.book(local(day, 10), local(day, 12))
    client = signed_in(client, lab.member)

    page = client.get("/workbench/bookings/").content.decode()
    response = client.post(f"/workbench/bookings/{booking.pk}/cancel/", follow=True)

    assert "Laser cutter" in page
    assert "10:00 AM" in page
    assert "Cancelled:" in response.content.decode()
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    assert "Nothing booked." in response.content.decode()


def test_someone_else_in_the_coop_may_not_cancel(client, lab, day):
    booking = lab.book(local(day, 10), local(day, 12))

    response = signed_in(client, uncertified_member(lab.coop)).post(
        f"/workbench/bookings/{booking.pk}/cancel/", follow=True
    )

    assert "may change this booking" in response.content.decode()
    booking.refresh_from_db()
    assert booking.status == Booking.Status.BOOKED


def test_moving_a_booking_checks_it_again(client, lab, day):
    booking = lab.book(local(day, 10), local(day, 12))
    lab.book(local(day, 13), local(day, 15))
    client = signed_in(client, lab.member)
    url = f"/workbench/bookings/{booking.pk}/move/"

    shown = client.get(url).content.decode()
    clash = client.post(url, form(day, "12:00", "14:00"))
    moved = client.post(url, form(day, "15:00", "16:30"), follow=True)

    assert 'value="10:00"' in shown
    assert clash.status_code == 409
    assert "already booked" in clash.content.decode()
    assert "Moved to" in moved.content.decode()
    booking.refresh_from_db()
    assert booking.starts_at == local(day, 15)


def test_another_coops_booking_is_not_found(client, lab, day):
    booking = lab.book(local(day, 10), local(day, 12))
    outsider = UserFactory()
    ProducerFactory(slug="outside").memberships.create(user=outsider)
    client = signed_in(client, outsider)

    assert client.get(f"/workbench/bookings/{booking.pk}/move/").status_code == 404
    assert client.post(f"/workbench/bookings/{booking.pk}/cancel/").status_code == 404


def test_a_member_of_two_coops_says_which_one_the_time_is_for(client, lab, day):
    second = ProducerFactory(slug="second-coop", name="Second Co-op", certified=False)
    second.memberships.create(user=lab.member)
    client = signed_in(client, lab.member)

    page = client.get("/workbench/machines/laser-cutter/").content.decode()
    client.post("/workbench/machines/laser-cutter/", form(day, producer=second.pk))

    assert "For the co-op" in page
    assert Booking.objects.get().producer == second


def test_the_bookings_page_reads_in_a_fixed_number_of_queries(
    client, lab, django_assert_max_num_queries
):
    for week in range(1, 7):
        day = next_weekday(3, weeks_ahead=week)
        lab.book(local(day, 10), local(day, 12))
    # Someone else of the co-op, who may change none of them: every check is asked.
    client = signed_in(client, uncertified_member(lab.coop))

    with django_assert_max_num_queries(8):
        response = client.get("/workbench/bookings/")

    page = response.content.decode()
    assert page.count('class="lab-booking"') == 6
    assert "Cancel the booking" not in page


@pytest.mark.parametrize(
    ("minutes", "words"),
    [(240, "4 hours"), (60, "1 hour"), (90, "1 hour 30 minutes"), (45, "45 minutes")],
)
def test_lengths_read_as_words(minutes, words):
    assert duration_in_words(minutes) == words


def test_your_bookings_show_the_length_and_the_cost(client, lab, day):
    lab.book(local(day, 10), local(day, 11, 30))

    page = signed_in(client, lab.member).get("/workbench/bookings/").content.decode()

    assert "(1 hour 30 minutes)" in page
    assert "$27.00 at $18.00 an hour" in page
