"""The Fab Lab certifies a co-op's member, and the co-op can then start laser work."""

import re

import pytest
from playwright.sync_api import expect

from orders.services import job_accept
from producers.models import Capability
from tests.e2e.browser import assert_accessible, switch_to
from tests.fablab.days import days_from_today
from tests.factories import make_stocked_product, place

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_technician_certifies_a_member_and_the_job_can_start(live_server, page, network):
    base = live_server.url
    woodshop, marcus = network["woodshop"], network["manager"]
    laser = Capability.objects.get(slug="laser_cutting")
    woodshop.capabilities.add(laser)
    sign = make_stocked_product(
        producer=woodshop, title="Laser-cut house sign", required_capabilities=[laser]
    )
    job = job_accept(job=place((sign, 1)).jobs.get(), by=marcus)

    # Nobody at the woodshop is certified: starting the job is refused, and says why.
    switch_to(page, base, "marcus")
    page.goto(f"{base}/workbench/")
    card = page.locator(".wb-job", has_text=job.order.number)
    card.get_by_role("button", name=re.compile("^Start making")).click()
    expect(page.locator(".messages")).to_contain_text(
        "Nobody at West Jackson Woodshop holds a current certification for laser cutting. "
        "Ask the Fab Lab to certify a member first."
    )
    page.get_by_role("link", name="Certifications").click()
    expect(page.get_by_text("jobs that need it cannot start")).to_be_visible()
    assert no_sideways_scroll(page)
    assert_accessible(page)

    # The technician certifies Marcus after his training.
    switch_to(page, base, "tasha")
    page.goto(f"{base}/workbench/certifications/")
    expect(page.get_by_text("Nobody is certified yet.")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Person", exact=True).select_option(str(marcus.pk))
    page.get_by_label("Capability", exact=True).select_option(label="Laser cutting")
    page.get_by_label("Runs out on").fill(days_from_today(20).isoformat())
    page.get_by_label("Note (optional)").fill("Epilog laser, two hours")
    page.get_by_role("button", name="Certify").click()
    expect(page.locator(".messages")).to_contain_text(
        re.compile(r"Certified .*\(marcus\)|Certified marcus")
    )
    certified = page.locator(".lab-cert", has_text="Laser cutting")
    expect(certified).to_contain_text("Runs out in 20 days")
    expect(certified).to_contain_text("West Jackson Woodshop")
    assert no_sideways_scroll(page)
    assert_accessible(page)

    # He renews it for a year.
    certified.get_by_label(re.compile("^Renew until")).fill(days_from_today(365).isoformat())
    certified.get_by_role("button", name=re.compile("^Renew")).click()
    expect(page.locator(".messages")).to_contain_text("Renewed")
    expect(page.locator(".lab-cert", has_text="Laser cutting")).to_contain_text("Runs out on")

    # Marcus sees it, and the job starts.
    switch_to(page, base, "marcus")
    page.goto(f"{base}/workbench/certifications/")
    expect(page.locator(".lab-cert", has_text="Laser cutting")).to_contain_text("Runs out on")
    expect(page.get_by_text("jobs that need it cannot start")).to_have_count(0)
    assert_accessible(page)
    page.goto(f"{base}/workbench/")
    card = page.locator(".wb-job", has_text=job.order.number)
    card.get_by_role("button", name=re.compile("^Start making")).click()
    expect(page.locator(".messages")).to_contain_text(
        re.compile(rf"Order {job.order.number} for [^:]+: started\.")
    )
