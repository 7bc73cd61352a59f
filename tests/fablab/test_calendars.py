"""A machine's day and week: cut into booked, out-of-service, closed and free time in
Chicago's hours, shown to those who may book the machine and to nobody else."""

import datetime
import zoneinfo

import pytest
from django.urls import reverse

from fablab.calendars import Segment, machine_day, machine_week
from fablab.models import OpeningHours, OutOfService
from producers.models import Membership
from tests.factories import (
    FabLabFactory,
    MembershipFactory,
    UserFactory,
    make_booking,
    make_machine,
)

pytestmark = pytest.mark.django_db

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")
UTC = datetime.UTC
WEDNESDAY = datetime.date(2026, 12, 2)


def at(day: datetime.date, hour: int, minute: int = 0, *, fold: int = 0) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=CHICAGO, fold=fold)


@pytest.fixture
def laser():
    return make_machine(name="Laser cutter A")


@pytest.fixture
def ana(woodshop):
    user = UserFactory(username="ana", first_name="Ana", last_name="Reyes")
    MembershipFactory(user=user, producer=woodshop)
    return user


@pytest.fixture
def busy_wednesday(laser, woodshop, ana):
    """Woodshop 10:00–11:30, lens cleaning 13:00–14:00."""
    booking = make_booking(
        machine=laser,
        producer=woodshop,
        booked_by=ana,
        starts_at=at(WEDNESDAY, 10),
        minutes=90,
        note="Walnut coasters",
    )
    OutOfService.objects.create(
        machine=laser,
        starts_at=at(WEDNESDAY, 13),
        ends_at=at(WEDNESDAY, 14),
        reason="Lens cleaning",
    )
    return booking


def kinds(segments):
    return [(s.kind, s.starts_at.astimezone(CHICAGO).strftime("%H:%M")) for s in segments]


def test_a_day_is_cut_into_closed_free_booked_and_out_of_service_time(laser, busy_wednesday):
    day = machine_day(laser, WEDNESDAY, detailed_for=None)

    assert kinds(day.segments) == [
        (Segment.CLOSED, "00:00"),
        (Segment.FREE, "09:00"),
        (Segment.BOOKED, "10:00"),
        (Segment.FREE, "11:30"),
        (Segment.OUT_OF_SERVICE, "13:00"),
        (Segment.FREE, "14:00"),
        (Segment.CLOSED, "17:00"),
    ]
    assert day.segments[2].booking == busy_wednesday
    assert day.segments[4].outage.reason == "Lens cleaning"
    # The page shows 9 am to 5 pm, an hour a row; 11 am holds the booking's end and free time.
    assert [r.starts_at.astimezone(CHICAGO).hour for r in day.rows] == list(range(9, 17))
    eleven = day.rows[2]
    assert [(e.segment.kind, e.continued) for e in eleven.entries] == [
        (Segment.BOOKED, True),
        (Segment.FREE, False),
    ]
    assert eleven.kind == "mixed"
    assert day.rows[4].kind == Segment.OUT_OF_SERVICE


def test_a_booking_outranks_the_closed_hours_it_runs_into(laser, woodshop):
    make_booking(machine=laser, producer=woodshop, starts_at=at(WEDNESDAY, 16), minutes=120)

    day = machine_day(laser, WEDNESDAY, detailed_for=None)

    assert kinds(day.shown) == [(Segment.FREE, "09:00"), (Segment.BOOKED, "16:00")]
    assert day.shown[-1].ends_at == at(WEDNESDAY, 18)
    assert day.rows[-1].starts_at == at(WEDNESDAY, 17)


def test_details_show_only_for_the_co_ops_named(laser, busy_wednesday, woodshop, sewing):
    mine = machine_day(laser, WEDNESDAY, detailed_for={woodshop.pk}).bookings
    theirs = machine_day(laser, WEDNESDAY, detailed_for={sewing.pk}).bookings

    assert [s.detailed for s in mine] == [True]
    assert [s.detailed for s in theirs] == [False]


def test_a_week_runs_monday_to_sunday_in_chicago(laser, woodshop):
    # Sunday 11:30 pm in Chicago is already Monday in UTC: it stays on Sunday.
    late = make_booking(
        machine=laser, producer=woodshop, starts_at=at(datetime.date(2026, 12, 6), 23, 30)
    )
    assert late.starts_at.astimezone(UTC).date() == datetime.date(2026, 12, 7)

    week = machine_week(laser, datetime.date(2026, 12, 3), detailed_for=None)

    assert week.monday == datetime.date(2026, 11, 30)
    assert [d.date.isoformat() for d in week.days] == [
        "2026-11-30",
        "2026-12-01",
        "2026-12-02",
        "2026-12-03",
        "2026-12-04",
        "2026-12-05",
        "2026-12-06",
    ]
    assert [d.is_closed for d in week.days] == [False] * 6 + [True]
    sunday = week.days[6]
    assert [s.booking for s in sunday.bookings] == [late]
    assert sunday.bookings[0].ends_at == at(datetime.date(2026, 12, 7), 0)
    assert week.days[0].bookings == []


def test_the_week_the_clocks_go_back_keeps_nine_am_at_nine_am(laser, woodshop):
    sunday = datetime.date(2026, 11, 1)
    OpeningHours.objects.create(
        machine=laser, weekday=6, opens=datetime.time(0), closes=datetime.time(4)
    )
    # From 1:30 am before the clocks go back to 1:30 am after: one hour.
    booking = make_booking(
        machine=laser, producer=woodshop, starts_at=at(sunday, 1, 30), minutes=60
    )
    assert booking.ends_at.astimezone(CHICAGO) == at(sunday, 1, 30, fold=1)

    week = machine_week(laser, datetime.date(2026, 10, 29), detailed_for=None)

    assert week.monday == datetime.date(2026, 10, 26)
    monday, sun = week.days[0], week.days[6]
    assert monday.opening[0][0].astimezone(UTC) == datetime.datetime(2026, 10, 26, 14, tzinfo=UTC)
    assert sun.hours == 25
    assert sun.clock_change
    assert not monday.clock_change
    # Midnight to 4 am that Sunday is five hours: 1 am comes twice.
    labels = [r.starts_at.astimezone(CHICAGO).strftime("%-I %p %Z") for r in sun.rows]
    assert labels == ["12 AM CDT", "1 AM CDT", "1 AM CST", "2 AM CST", "3 AM CST"]
    assert [(e.segment.kind, e.continued) for e in sun.rows[2].entries] == [
        (Segment.BOOKED, True),
        (Segment.FREE, False),
    ]
    # The next Monday opens at 9 am Chicago time, now 15:00 UTC.
    next_week = machine_week(laser, datetime.date(2026, 11, 2), detailed_for=None)
    assert next_week.days[0].opening[0][0].astimezone(UTC) == datetime.datetime(
        2026, 11, 2, 15, tzinfo=UTC
    )


def test_the_day_the_clocks_go_forward_has_23_hours(laser):
    day = machine_day(laser, datetime.date(2026, 3, 8), detailed_for=None)

    assert day.hours == 23
    assert day.is_closed
    assert day.rows == []


def test_cancelled_bookings_leave_the_time_free(laser, woodshop):
    make_booking(machine=laser, producer=woodshop, starts_at=at(WEDNESDAY, 10), status="cancelled")

    assert machine_day(laser, WEDNESDAY, detailed_for=None).bookings == []


# --- The pages -------------------------------------------------------------------------------


def day_url(machine, date=WEDNESDAY):
    return f"{reverse('workbench:machine-day', args=[machine.slug])}?date={date.isoformat()}"


def week_url(machine, date=WEDNESDAY):
    return f"{reverse('workbench:machine-week', args=[machine.slug])}?date={date.isoformat()}"


def test_the_booking_co_op_sees_who_booked_and_for_which_job(client, laser, ana, busy_wednesday):
    client.force_login(ana)

    page = client.get(day_url(laser)).content.decode()

    assert "Booked by Woodshop" in page
    assert "Ana Reyes" in page
    assert "Walnut coasters" in page
    assert "Lens cleaning" in page
    assert "10:00 a.m.–11:30 a.m." in page or "10:00 am–11:30 am" in page


def test_another_co_op_sees_only_which_co_op_booked(client, laser, sewing, busy_wednesday):
    member = UserFactory(username="lorraine")
    MembershipFactory(user=member, producer=sewing)
    client.force_login(member)

    for url in (day_url(laser), week_url(laser)):
        page = client.get(url).content.decode()
        assert "Booked by Woodshop" in page
        assert "Ana Reyes" not in page
        assert "Walnut coasters" not in page


def test_fab_lab_staff_see_every_booking_in_full(client, laser, technician, busy_wednesday):
    client.force_login(technician)

    page = client.get(week_url(laser)).content.decode()

    assert "Ana Reyes" in page
    assert "Closed all day" in page  # Sunday


def test_a_job_booking_names_its_order(client, laser, woodshop, ana, stool):
    from tests.factories import place

    job = place((stool, 1)).jobs.get()
    make_booking(
        machine=laser, producer=woodshop, booked_by=ana, starts_at=at(WEDNESDAY, 9), job=job
    )
    client.force_login(ana)

    assert f"order {job.order.number}" in client.get(day_url(laser)).content.decode()


def test_the_day_links_to_the_days_around_it_and_its_week(client, laser, ana):
    client.force_login(ana)

    page = client.get(day_url(laser)).content.decode()

    assert 'href="/workbench/machines/laser-cutter-a/day/?date=2026-12-01"' in page
    assert 'href="/workbench/machines/laser-cutter-a/day/?date=2026-12-03"' in page
    assert 'href="/workbench/machines/laser-cutter-a/week/?date=2026-12-02"' in page
    week = client.get(week_url(laser)).content.decode()
    assert 'href="/workbench/machines/laser-cutter-a/week/?date=2026-11-23"' in week
    assert 'href="/workbench/machines/laser-cutter-a/week/?date=2026-12-07"' in week


def test_a_co_ops_own_machine_is_not_found_by_another_co_op(client, woodshop, sewing, ana):
    bandsaw = make_machine(name="Band saw", keeper=woodshop)
    stranger = MembershipFactory(producer=sewing, user=UserFactory(username="stranger")).user

    client.force_login(stranger)
    assert client.get(day_url(bandsaw)).status_code == 404
    assert client.get(week_url(bandsaw)).status_code == 404

    client.force_login(ana)
    assert client.get(day_url(bandsaw)).status_code == 200


def test_staff_see_every_machine_and_others_are_kept_out(client, woodshop, staff, resident):
    bandsaw = make_machine(name="Band saw", keeper=woodshop, active=False)
    technician = MembershipFactory(
        producer=FabLabFactory(), user=UserFactory(username="tasha"), role=Membership.Role.MEMBER
    ).user

    for user in (staff, technician):
        client.force_login(user)
        assert client.get(week_url(bandsaw)).status_code == 200
    client.force_login(resident)
    assert client.get(day_url(bandsaw)).status_code == 403
    client.logout()
    assert client.get(day_url(bandsaw)).status_code == 302


def test_an_inactive_machine_is_hidden_from_members(client, ana):
    retired = make_machine(name="Old laser", active=False)
    client.force_login(ana)

    assert client.get(day_url(retired)).status_code == 404


@pytest.mark.parametrize("bad", ["2026-13-01", "yesterday", "1900-01-01", "9999-12-31"])
def test_a_date_that_is_not_one_is_refused(client, laser, ana, bad):
    client.force_login(ana)

    response = client.get(f"{reverse('workbench:machine-week', args=[laser.slug])}?date={bad}")

    assert response.status_code == 400
    assert "is not a date we can show" in response.content.decode()


def test_the_week_page_reads_a_bounded_number_of_queries(
    client, laser, woodshop, ana, django_assert_max_num_queries
):
    for hour in range(9, 17):
        make_booking(machine=laser, producer=woodshop, starts_at=at(WEDNESDAY, hour), minutes=30)
    client.force_login(ana)

    with django_assert_max_num_queries(9):
        assert client.get(week_url(laser)).status_code == 200
