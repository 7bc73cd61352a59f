"""Calendar feeds: real iCalendar a calendar app reads, behind a secret link that can be reset."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from fablab.feeds import booking_uid
from fablab.models import CoopCalendar
from fablab.services.calendars import coop_calendar_ensure
from producers.models import Membership
from tests.factories import MembershipFactory, UserFactory, make_booking, make_machine, place

pytestmark = pytest.mark.django_db

UTC = datetime.UTC


def soon(days: int, hour: int = 15) -> datetime.datetime:
    """`days` from now at `hour`:00 UTC (10 am in Chicago in winter)."""
    day = timezone.now().astimezone(UTC).date() + datetime.timedelta(days=days)
    return datetime.datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


@pytest.fixture
def laser():
    return make_machine(name="Laser cutter A")


@pytest.fixture
def router():
    return make_machine(name="CNC router", slug="cnc-router")


@pytest.fixture
def ana(woodshop):
    user = UserFactory(username="ana", first_name="Ana", last_name="Reyes")
    MembershipFactory(user=user, producer=woodshop, role=Membership.Role.MANAGER)
    return user


def machine_feed_url(machine) -> str:
    return reverse("frontend:machine_calendar_feed", args=[machine.calendar_token])


def coop_feed_url(producer) -> str:
    return reverse(
        "frontend:coop_calendar_feed", args=[coop_calendar_ensure(producer=producer).token]
    )


def events(response) -> dict[str, object]:
    """The feed's events by UID, read with the library's own parser."""
    assert response.status_code == 200
    calendar = Calendar.from_ical(response.content)
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def test_a_machine_feed_is_a_calendar_a_calendar_app_reads(
    client, settings, laser, woodshop, sewing, ana
):
    settings.SITE_URL = "https://lab.example.org"
    mine = make_booking(machine=laser, producer=woodshop, booked_by=ana, starts_at=soon(2))
    theirs = make_booking(machine=laser, producer=sewing, starts_at=soon(3), minutes=90)

    response = client.get(machine_feed_url(laser))

    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    assert "noindex" in response["X-Robots-Tag"]
    calendar = Calendar.from_ical(response.content)
    assert str(calendar["VERSION"]) == "2.0"
    assert "Community Production" in str(calendar["PRODID"])
    assert str(calendar["X-WR-CALNAME"]) == "Laser cutter A bookings"
    assert str(calendar["X-WR-TIMEZONE"]) == "America/Chicago"
    found = events(response)
    assert set(found) == {
        f"booking-{mine.pk}@lab.example.org",
        f"booking-{theirs.pk}@lab.example.org",
    }
    event = found[booking_uid(theirs)]
    assert str(event["SUMMARY"]) == "Laser cutter A — Sewing"
    assert str(event["STATUS"]) == "CONFIRMED"
    assert event.decoded("DTSTART") == theirs.starts_at
    assert event.decoded("DTEND") == theirs.starts_at + datetime.timedelta(minutes=90)
    assert event.decoded("DTSTART").utcoffset() == datetime.timedelta(0)
    assert "DTSTAMP" in event
    assert "LAST-MODIFIED" in event
    # Times go out in UTC, written with a Z.
    assert f"DTSTART:{theirs.starts_at:%Y%m%dT%H%M%S}Z" in response.content.decode()
    # A machine's feed is read by every co-op that may book it: it says who, not what.
    assert "Ana Reyes" not in response.content.decode()


def test_uids_stay_the_same_from_one_read_to_the_next(client, laser, woodshop):
    make_booking(machine=laser, producer=woodshop, starts_at=soon(1))

    assert set(events(client.get(machine_feed_url(laser)))) == set(
        events(client.get(machine_feed_url(laser)))
    )


def test_cancelled_and_far_off_bookings_are_left_out(client, laser, woodshop):
    kept = make_booking(machine=laser, producer=woodshop, starts_at=soon(-20))
    make_booking(machine=laser, producer=woodshop, starts_at=soon(4), status="cancelled")
    make_booking(machine=laser, producer=woodshop, starts_at=soon(-40))
    make_booking(machine=laser, producer=woodshop, starts_at=soon(200))

    assert set(events(client.get(machine_feed_url(laser)))) == {booking_uid(kept)}


def test_a_co_op_feed_has_its_bookings_on_every_machine_and_no_one_elses(
    client, laser, router, woodshop, sewing, ana, stool
):
    job = place((stool, 1)).jobs.get()
    cut = make_booking(
        machine=laser, producer=woodshop, booked_by=ana, starts_at=soon(1), job=job, note="Lids"
    )
    rout = make_booking(machine=router, producer=woodshop, booked_by=ana, starts_at=soon(2))
    make_booking(machine=laser, producer=sewing, starts_at=soon(3))

    response = client.get(coop_feed_url(woodshop))

    found = events(response)
    assert set(found) == {booking_uid(cut), booking_uid(rout)}
    assert str(Calendar.from_ical(response.content)["X-WR-CALNAME"]) == "Woodshop machine bookings"
    description = str(found[booking_uid(cut)]["DESCRIPTION"])
    assert "Ana Reyes" in description
    assert f"order {job.order.number}" in description
    assert "Lids" in description
    assert str(found[booking_uid(rout)]["SUMMARY"]) == "CNC router — Woodshop"


def test_an_empty_feed_is_still_a_calendar(client, laser):
    response = client.get(machine_feed_url(laser))

    assert events(response) == {}


def test_an_unknown_link_is_not_found(client, laser):
    for name in ("frontend:machine_calendar_feed", "frontend:coop_calendar_feed"):
        assert client.get(reverse(name, args=["not-a-real-token"])).status_code == 404


def test_the_feed_reads_a_bounded_number_of_queries(
    client, laser, router, woodshop, sewing, django_assert_max_num_queries
):
    for day in range(1, 15):
        make_booking(machine=laser, producer=woodshop, starts_at=soon(day))
        make_booking(machine=router, producer=woodshop, starts_at=soon(day))
        make_booking(machine=laser, producer=sewing, starts_at=soon(day, hour=18))
    url = coop_feed_url(woodshop)

    with django_assert_max_num_queries(3):
        assert len(events(client.get(url))) == 28
    with django_assert_max_num_queries(3):
        assert len(events(client.get(machine_feed_url(laser)))) == 28


# --- The calendars page and its reset buttons --------------------------------------------


def test_the_calendars_page_gives_each_link_and_makes_the_co_op_calendar(client, laser, ana):
    client.force_login(ana)

    page = client.get(reverse("workbench:calendars")).content.decode()

    calendar = CoopCalendar.objects.get(producer__slug="woodshop")
    assert f"http://testserver/calendars/co-ops/{calendar.token}.ics" in page
    assert f"http://testserver/calendars/machines/{laser.calendar_token}.ics" in page
    assert page.count(">Reset link<") == 1  # the co-op's; machines are reset by the Fab Lab


def test_a_manager_resets_the_co_op_link_and_the_old_one_stops_working(client, woodshop, ana):
    old = coop_feed_url(woodshop)
    client.force_login(ana)

    response = client.post(reverse("workbench:coop-calendar-reset", args=["woodshop"]))

    assert response.status_code == 302
    assert client.get(old).status_code == 404
    assert client.get(coop_feed_url(woodshop)).status_code == 200


def test_a_member_who_is_not_a_manager_cannot_reset_the_co_op_link(client, woodshop, sewing):
    old = coop_feed_url(woodshop)
    member = MembershipFactory(producer=woodshop, user=UserFactory(username="ben")).user
    outsider = MembershipFactory(producer=sewing, user=UserFactory(username="cy")).user
    url = reverse("workbench:coop-calendar-reset", args=["woodshop"])

    client.force_login(member)
    assert client.post(url).status_code == 403
    client.force_login(outsider)
    assert client.post(url).status_code == 404
    assert client.get(old).status_code == 200


def test_fab_lab_staff_reset_a_machine_link_and_members_cannot(client, laser, technician, ana):
    old = machine_feed_url(laser)
    url = reverse("workbench:machine-calendar-reset", args=[laser.slug])

    client.force_login(ana)
    assert client.post(url).status_code == 403
    assert client.get(old).status_code == 200

    client.force_login(technician)
    assert client.post(url).status_code == 302
    assert client.get(old).status_code == 404
    laser.refresh_from_db()
    assert client.get(machine_feed_url(laser)).status_code == 200


def test_a_reset_is_a_post(client, laser, technician):
    client.force_login(technician)

    assert (
        client.get(reverse("workbench:machine-calendar-reset", args=[laser.slug])).status_code
        == 405
    )


def test_a_calendar_app_may_ask_with_head_first(client, laser):
    response = client.head(machine_feed_url(laser))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
