"""A co-op manager counts finished goods and downloads the co-op's export, in a browser."""

import io
import json
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from catalog.models import Product
from tests.e2e.browser import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_manager_counts_finished_goods_and_the_storefront_shows_the_new_stock(
    live_server, page, network
):
    base = live_server.url
    board = Product.objects.get(slug="walnut-cutting-board")
    sign_in(page, base, "marcus")
    page.goto(f"{base}/workbench/co-ops/woodshop/")
    page.get_by_role("link", name="Finished goods").first.click()

    expect(page.get_by_role("heading", name="Finished goods")).to_be_visible()
    assert_accessible(page)
    no_sideways_scroll(page)
    page.get_by_text("Walnut cutting board: 5 free").click()
    count = page.get_by_role("form", name="Count: Walnut cutting board")
    count.get_by_label("Counted on the shelf").fill("0")
    count.get_by_role("button", name="Record count").click()
    expect(page.get_by_text("Count recorded: Walnut cutting board changed by -5")).to_be_visible()
    row = page.locator(f"#goods-row-{board.pk}")
    expect(row).to_contain_text("low")

    page.get_by_text("Walnut cutting board: 0 free").click()
    count = page.get_by_role("form", name="Count: Walnut cutting board")
    count.get_by_label("Counted on the shelf").fill("-1")
    count.get_by_role("button", name="Record count").click()
    expect(count.get_by_text("Enter a quantity greater than zero.")).to_be_visible()
    assert_accessible(page)
    count.get_by_label("Counted on the shelf").fill("12")
    count.get_by_role("button", name="Record count").click()
    expect(row).to_contain_text("12")
    assert_accessible(page)
    no_sideways_scroll(page)

    page.goto(f"{base}/products/walnut-cutting-board/")
    expect(page.get_by_text("12 in stock")).to_be_visible()


def test_a_manager_downloads_the_export_with_only_the_co_ops_own_data(live_server, page, network):
    base = live_server.url
    sign_in(page, base, "marcus")
    page.goto(f"{base}/workbench/co-ops/woodshop/export/")
    assert_accessible(page)
    no_sideways_scroll(page)

    with page.expect_download() as download:
        page.get_by_role("link", name="Download the export (zip)").click()

    archive = zipfile.ZipFile(io.BytesIO(Path(download.value.path()).read_bytes()))
    data = json.loads(archive.read("export.json"))
    assert data["producer"]["slug"] == "woodshop"
    assert {p["slug"] for p in data["products"]} == {"walnut-cutting-board", "walnut-serving-tray"}
    for name in archive.namelist():
        text = archive.read(name)
        assert b"Market tote" not in text, name
        assert b"Common Thread" not in text, name


def test_the_ledger_and_payouts_pages_read_well_at_every_width(live_server, page, network):
    base = live_server.url
    sign_in(page, base, "marcus")
    for section, heading in (("ledger", "Ledger"), ("payouts", "Getting paid")):
        page.goto(f"{base}/workbench/co-ops/woodshop/{section}/")
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
        assert_accessible(page)
        no_sideways_scroll(page)
    page.goto(f"{base}/workbench/co-ops/woodshop/ledger/?month=someday")
    expect(page.get_by_text("Give the month as year and month")).to_be_visible()
    assert_accessible(page)
