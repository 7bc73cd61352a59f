"""Machine hours per co-op and machine in the usage report, at each machine's rate."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from fablab.models import Booking, Machine
from fablab.selectors import machine_usage
from tests.factories import CapabilityFactory, UserFactory

pytestmark = pytest.mark.django_db

MARCH = datetime.date(2026, 3, 1)


def chicago(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


@pytest.fixture
def laser(fablab):
    return Machine.objects.create(
        name="Laser cutter A",
        slug="laser-a",
        capability=CapabilityFactory(slug="laser_cutting", name="Laser cutting"),
        keeper=fablab,
        rate_per_hour=Decimal("18.00"),
    )


def book(machine, producer, start, minutes, **fields):
    return Booking.objects.create(
        machine=machine,
        producer=producer,
        booked_by=UserFactory(),
        starts_at=start,
        ends_at=start + datetime.timedelta(minutes=minutes),
        **fields,
    )


def test_hours_and_cost_add_up_per_coop_and_machine(laser, coop, technician):
    book(laser, coop, chicago(datetime.date(2026, 3, 3), 9), 90)
    book(laser, coop, chicago(datetime.date(2026, 3, 10), 13), 50)

    [row] = machine_usage(month=MARCH, user=technician)

    assert (row["producer__slug"], row["machine__slug"]) == (coop.slug, "laser-a")
    assert row["bookings"] == 2
    assert row["minutes"] == 140
    assert row["hours"] == Decimal("2.33")
    # 140 minutes at $18.00 an hour: $42.00.
    assert row["cost"] == Decimal("42.00")


def test_cancelled_bookings_do_not_count(laser, coop, technician):
    book(laser, coop, chicago(datetime.date(2026, 3, 3), 9), 60, status=Booking.Status.CANCELLED)

    assert machine_usage(month=MARCH, user=technician) == []


def test_a_booking_counts_in_the_month_it_starts_in_on_the_local_clock(laser, coop, technician):
    # 8 pm on the last day of March in Chicago is already April in UTC.
    book(laser, coop, chicago(datetime.date(2026, 3, 31), 20), 60)

    assert len(machine_usage(month=MARCH, user=technician)) == 1
    assert machine_usage(month=datetime.date(2026, 4, 1), user=technician) == []


def test_a_coop_member_sees_only_their_own_coops_machine_time(laser, coop, other_coop, coop_member):
    book(laser, coop, chicago(datetime.date(2026, 3, 3), 9), 60)
    book(laser, other_coop, chicago(datetime.date(2026, 3, 3), 11), 60)

    rows = machine_usage(month=MARCH, user=coop_member)

    assert [row["producer__slug"] for row in rows] == [coop.slug]


def test_the_api_reports_machine_hours_with_totals(api, laser, coop, technician):
    book(laser, coop, chicago(datetime.date(2026, 3, 3), 9), 120)

    body = api.as_user(technician).get("/api/v1/reports/machine-usage/?month=2026-03").json()

    assert body["month"] == "2026-03"
    assert body["rows"][0]["machine"] == "laser-a"
    assert body["rows"][0]["hours"] == "2.00"
    assert body["rows"][0]["rate_per_hour"] == "18.00"
    assert (body["total_hours"], body["total_cost"]) == ("2.00", "36.00")


def test_the_api_refuses_a_month_that_is_not_one(api, technician):
    response = api.as_user(technician).get("/api/v1/reports/machine-usage/?month=2026-13")

    assert response.status_code == 400
    assert "month" in response.json()["errors"]


def test_the_workbench_report_shows_machine_time_beside_materials(client, laser, coop, technician):
    book(laser, coop, chicago(datetime.date(2026, 3, 3), 9), 120)
    client.force_login(technician)

    content = client.get("/workbench/report/?month=2026-03").content.decode()

    assert "Machine time" in content
    assert "Laser cutter A" in content
    assert "2.00 h" in content
    assert "$36.00" in content


def test_the_workbench_report_says_when_no_machine_time_was_booked(client, technician):
    client.force_login(technician)

    content = client.get("/workbench/report/?month=2026-03").content.decode()

    assert "No machine time was booked in March 2026." in content
