import pytest
from playwright.sync_api import expect

from catalog.models import DesignFile, Product
from tests import design_samples as samples
from tests.e2e.browser import assert_accessible, sign_in, sign_out
from tests.factories import place

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_co_op_shares_a_cut_file_and_the_shop_shows_its_licence(
    live_server, page, network, width
):
    base = live_server.url
    tray = Product.objects.get(title="Walnut serving tray")
    sign_in(page, base, "marcus")
    page.goto(f"{base}/workbench/co-ops/woodshop/products/{tray.pk}/")
    page.get_by_role("link", name="Design files", exact=True).click()
    expect(page.get_by_text("No design files yet.")).to_be_visible()
    assert_accessible(page)

    # A drawing with a script is refused, next to the field, and nothing is kept.
    page.get_by_label("Design file", exact=True).set_input_files(
        files=[
            {
                "name": "tray.svg",
                "mimeType": "image/svg+xml",
                "buffer": samples.svg_with(b"<script>alert(1)</script>"),
            }
        ]
    )
    page.get_by_role("button", name="Upload design file").click()
    expect(page.get_by_text("drawings with scripts are refused")).to_be_visible()
    assert_accessible(page)
    assert not DesignFile.objects.exists()

    for note in ("First cut", "Deeper handles"):
        page.get_by_label("Design file", exact=True).set_input_files(
            files=[{"name": "tray.svg", "mimeType": "image/svg+xml", "buffer": samples.SVG}]
        )
        page.get_by_label("What changed (optional)").fill(note)
        page.get_by_role("button", name="Upload design file").click()
    expect(page.get_by_text("Added tray.svg, version 2, to Walnut serving tray.")).to_be_visible()
    expect(page.get_by_text("version 2 (current)")).to_be_visible()
    expect(page.get_by_text("version 1 (older)")).to_be_visible()

    page.get_by_label("Design licence").select_option(label="CC BY-SA 4.0")
    page.get_by_role("button", name="Save licence").click()
    expect(page.get_by_text("Walnut serving tray is now under “CC BY-SA 4.0”.")).to_be_visible()
    assert_accessible(page)

    # An order for it: the job card links the current file, and the link downloads it.
    order = place((tray, 1))
    page.goto(f"{base}/workbench/")
    card = page.locator(f"#job-{order.jobs.get().pk}")
    expect(card.get_by_text("Design files")).to_be_visible()
    with page.expect_download() as caught:
        card.get_by_role("link", name="tray.svg").click()
    assert caught.value.suggested_filename == "tray.svg"
    assert_accessible(page)

    # Anyone sees the licence on the product page and may download the shared file.
    sign_out(page)
    page.goto(f"{base}/products/{tray.slug}/")
    expect(page.get_by_role("link", name="CC BY-SA 4.0")).to_have_attribute(
        "href", "https://creativecommons.org/licenses/by-sa/4.0/"
    )
    with page.expect_download() as caught:
        page.get_by_role("link", name="tray.svg").click()
    assert caught.value.suggested_filename == "tray.svg"
    assert_accessible(page)
