"""A co-op records the piece a job left, finds it by size and uses it; the Fab Lab throws
one away. In a browser, at phone and desktop widths."""

import re

import pytest
from playwright.sync_api import expect

from catalog.models import Material, Offcut
from tests.e2e.browser import assert_accessible, sign_in, switch_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def record(page, *, width: str, height: str, kept_at: str) -> None:
    form = page.get_by_role("region", name="Record an offcut")
    plywood = "Birch plywood 3 mm (PLY-BIRCH-3MM, per sheet)"
    form.get_by_label("Material").select_option(label=plywood)
    form.get_by_label("Shelf").select_option(label="Sheet rack — Community Fab Lab")
    form.get_by_label("Width (mm)").fill(width)
    form.get_by_label("Height (mm)").fill(height)
    form.get_by_label("Where is it kept?").fill(kept_at)
    form.get_by_label("Left over from").fill("Job 41, church sign")
    form.get_by_role("button", name="Record offcut").click()


def test_a_coop_records_finds_and_uses_an_offcut_and_the_fab_lab_discards_one(
    live_server, page, network
):
    Material.objects.filter(pk=network["plywood"].pk).update(
        sheet_width_mm=1220, sheet_height_mm=2440
    )
    base = live_server.url
    sign_in(page, base, "marcus")
    page.goto(f"{base}/workbench/")
    page.get_by_role("navigation", name="Workbench").get_by_role("link", name="Offcuts").click()

    expect(page.get_by_role("heading", name="Offcuts", level=1)).to_be_visible()
    expect(page.get_by_text("No offcuts are recorded yet.")).to_be_visible()
    assert_accessible(page)
    no_sideways_scroll(page)

    record(page, width="1300", height="2500", kept_at="Rack B")
    expect(page.get_by_text(re.compile("larger than a whole sheet"))).to_be_visible()
    assert_accessible(page)
    assert not Offcut.objects.exists()

    record(page, width="600", height="300", kept_at="Rack B, top slot")
    expect(page.locator(".messages")).to_contain_text("600 × 300 mm of Birch plywood 3 mm")
    record(page, width="900", height="500", kept_at="Rack B, second slot")
    expect(page.locator(".messages")).to_contain_text("900 × 500 mm")

    search = page.get_by_role("region", name="Find a piece")
    search.get_by_label("At least this wide (mm)").fill("280")
    search.get_by_label("At least this high (mm)").fill("550")
    search.get_by_role("button", name="Search").click()
    small, large = Offcut.objects.order_by("quantity")
    pieces = page.locator(".wb-offcuts > li")
    expect(pieces).to_have_count(2)
    expect(pieces.first).to_contain_text("600 × 300 mm")  # smallest first, either way round
    assert_accessible(page)
    no_sideways_scroll(page)

    card = page.locator(f"#offcut-{small.pk}")
    card.get_by_text(f"Use or discard offcut #{small.pk}").click()
    card.get_by_label("What is it for?").fill("Coasters")
    card.get_by_role("button", name=f"Draw down offcut #{small.pk}").click()
    expect(page.locator(".messages")).to_contain_text(
        f"Offcut #{small.pk} drawn down for West Jackson Woodshop."
    )
    expect(page.locator(f"#offcut-{small.pk}")).to_have_count(0)
    assert_accessible(page)

    switch_to(page, base, "tasha")
    page.goto(f"{base}/workbench/offcuts/")
    card = page.locator(f"#offcut-{large.pk}")
    card.get_by_text(f"Use or discard offcut #{large.pk}").click()
    expect(card.get_by_label("Why throw it away?")).to_have_attribute("required", "")
    assert_accessible(page)
    card.get_by_label("Why throw it away?").fill("Warped by the damp")
    card.get_by_role("button", name=f"Discard offcut #{large.pk}").click()
    expect(page.locator(".messages")).to_contain_text(f"Offcut #{large.pk} discarded")
    expect(page.get_by_text("No offcuts are recorded yet.")).to_be_visible()
    no_sideways_scroll(page)
