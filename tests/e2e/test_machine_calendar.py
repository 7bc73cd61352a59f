"""A co-op manager opens a machine's day and week, on a phone and at a desk, and finds the
calendar link for their calendar app."""

import datetime
import zoneinfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from fablab.models import OutOfService
from tests.e2e.browser import assert_accessible, sign_in
from tests.factories import make_booking, make_machine

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")


def assert_fits(page) -> None:
    """Nothing makes the page scroll sideways."""
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than the screen"


def next_wednesday() -> datetime.date:
    today = timezone.localdate()
    return today + datetime.timedelta(days=(2 - today.weekday()) % 7 or 7)


def test_a_manager_reads_a_machine_s_day_and_week(live_server, page, network):
    base = live_server.url
    day = next_wednesday()
    laser = make_machine(name="Laser cutter A")
    at = lambda hour, minute=0: datetime.datetime.combine(  # noqa: E731
        day, datetime.time(hour, minute), tzinfo=CHICAGO
    )
    make_booking(
        machine=laser,
        producer=network["woodshop"],
        booked_by=network["manager"],
        starts_at=at(10),
        minutes=90,
        note="Walnut coaster lids for the winter market",
    )
    make_booking(machine=laser, producer=network["sewing"], starts_at=at(14), minutes=60)
    OutOfService.objects.create(
        machine=laser, starts_at=at(12), ends_at=at(13), reason="Lens cleaning"
    )
    sign_in(page, base, "marcus")

    page.goto(f"{base}/workbench/calendars/")
    expect(page.get_by_label("Calendar link").first).to_have_value(
        f"{base}/calendars/co-ops/{network['woodshop'].calendar.token}.ics"
    )
    assert_accessible(page)
    assert_fits(page)

    page.get_by_role("link", name="Today on Laser cutter A").click()
    page.wait_for_url(f"{base}/workbench/machines/laser-cutter-a/day/")
    expect(page.get_by_role("heading", level=2)).to_contain_text("today")
    page.goto(f"{base}/workbench/machines/laser-cutter-a/day/?date={day.isoformat()}")
    table = page.get_by_role("table")
    expect(table.get_by_role("rowheader", name="10 a.m.")).to_be_visible()
    expect(table).to_contain_text("Booked by West Jackson Woodshop")
    expect(table).to_contain_text("Walnut coaster lids")
    expect(table).to_contain_text("Booked by Common Thread Sewing")
    expect(table).to_contain_text("Out of service")
    expect(table).to_contain_text("Lens cleaning")
    assert_accessible(page)
    assert_fits(page)

    page.get_by_role("link", name="Next day").click()
    page.wait_for_url(f"**?date={day + datetime.timedelta(days=1)}")
    expect(page.get_by_role("heading", level=2)).to_contain_text(
        (day + datetime.timedelta(days=1)).strftime("%A")
    )

    page.get_by_role("link", name="Week", exact=True).click()
    page.wait_for_url("**/week/**")
    week = page.get_by_role("list").filter(has_text="Sunday")
    expect(week.get_by_role("listitem").filter(has_text="Sunday")).to_contain_text("Closed all day")
    expect(page.locator(".lab-week")).to_contain_text("Booked by West Jackson Woodshop")
    assert_accessible(page)
    assert_fits(page)

    page.get_by_role("link", name="Next week").click()
    page.wait_for_url(f"**?date={day + datetime.timedelta(days=5)}")  # the next Monday
    expect(page.locator(".lab-week")).not_to_contain_text("Booked by")
    page.get_by_role("link", name="Previous week").click()
    page.wait_for_url(f"**?date={day - datetime.timedelta(days=2)}")  # its Monday
    expect(page.locator(".lab-week")).to_contain_text("Booked by West Jackson Woodshop")


def test_a_manager_resets_the_co_op_calendar_link(live_server, page, network):
    base = live_server.url
    sign_in(page, base, "marcus")
    page.goto(f"{base}/workbench/calendars/")
    link = page.get_by_label("Calendar link").first
    old = link.input_value()

    page.get_by_role("button", name="Reset link of West Jackson Woodshop's calendar").click()

    expect(page.get_by_text("has a new link")).to_be_visible()
    assert page.get_by_label("Calendar link").first.input_value() != old
    assert page.request.get(old).status == 404
    assert_accessible(page)
