"""A co-op member books machine time in the workbench, sees it, and cancels it: on a
phone and on a desktop, with no accessibility violations and nothing wider than the screen."""

import re

import pytest
from playwright.sync_api import expect

from fablab.models import Booking, Certification
from tests.e2e.browser import assert_accessible, sign_in
from tests.fablab.bookings_setup import laser_cutter, local, next_weekday

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCROLLS_SIDEWAYS = "() => document.documentElement.scrollWidth > window.innerWidth"


@pytest.fixture
def cutter(network):
    machine = laser_cutter(description="Epilog Fusion, 24 × 12 in bed, 60 W CO2 laser.")
    Certification.objects.create(
        person=network["manager"],
        capability=machine.capability,
        expires_on=next_weekday(0, weeks_ahead=52),
    )
    return machine


def test_a_member_books_a_machine_sees_the_booking_and_cancels_it(live_server, page, cutter):
    base = live_server.url
    day = next_weekday(2)
    sign_in(page, base, "marcus")
    page.goto(f"{base}/workbench/")
    page.get_by_role("navigation", name="Workbench").get_by_role("link", name="Machines").click()

    expect(page.get_by_role("heading", name="Laser cutter")).to_be_visible()
    expect(page.get_by_text("$18.00 an hour")).to_be_visible()
    assert not page.evaluate(SCROLLS_SIDEWAYS)
    assert_accessible(page)

    page.get_by_role("link", name="Book time on Laser cutter").click()
    expect(page.get_by_role("heading", name="Book time")).to_be_visible()
    assert not page.evaluate(SCROLLS_SIDEWAYS)
    assert_accessible(page)
    page.get_by_label("Day").fill(day.isoformat())
    page.get_by_label("From").fill("10:00")
    page.get_by_label("Until").fill("12:30")
    page.get_by_label("Note (optional)").fill("Signs for the market")
    page.get_by_role("button", name="Book", exact=True).click()

    expect(page.locator(".messages")).to_contain_text(re.compile(r"Booked: .*10 am–12:30 pm"))
    expect(page.get_by_role("heading", name=re.compile("^Laser cutter, "))).to_be_visible()
    expect(page.get_by_text("Signs for the market")).to_be_visible()
    booking = Booking.objects.get()
    assert booking.starts_at == local(day, 10)
    assert not page.evaluate(SCROLLS_SIDEWAYS)
    assert_accessible(page)

    page.get_by_role("button", name=re.compile("^Cancel the booking of Laser cutter")).click()

    expect(page.locator(".messages")).to_contain_text("Cancelled:")
    expect(page.get_by_text("Nothing booked.")).to_be_visible()
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    assert_accessible(page)


def test_a_refused_time_is_explained_next_to_the_form(live_server, page, cutter):
    base = live_server.url
    sign_in(page, base, "marcus")
    page.goto(f"{base}/workbench/machines/{cutter.slug}/")

    page.get_by_label("Day").fill(next_weekday(2).isoformat())
    page.get_by_label("From").fill("07:00")
    page.get_by_label("Until").fill("09:00")
    page.get_by_role("button", name="Book", exact=True).click()

    expect(page.get_by_role("alert")).to_contain_text("not open for the whole of that time")
    assert not Booking.objects.exists()
    assert_accessible(page)
