"""What browser tests do again and again: sign in through the form, move a job, check with axe."""

import re

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect


def sign_in(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("pass-word-123")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base_url}/")


def sign_out(page) -> None:
    """Leave the page first: an answer still in flight could set a cookie after they are cleared."""
    page.goto("about:blank")
    page.context.clear_cookies()


def switch_to(page, base_url: str, username: str) -> None:
    sign_out(page)
    sign_in(page, base_url, username)


# What the board says once each button has done its work.
JOB_BUTTON_VERBS = {"Accept": "accepted", "Start making": "started", "Mark ready": "marked ready"}


def press_job_buttons(page, within, order_number: str, *buttons: str) -> None:
    """Press each button in turn, waiting for its own message, not the one before it."""
    for button in buttons:
        within.get_by_role("button", name=re.compile(f"^{button}")).click()
        done = re.compile(rf"Order {order_number} for [^:]+: {JOB_BUTTON_VERBS[button]}\.")
        expect(page.locator(".messages")).to_contain_text(done)


def assert_accessible(page) -> None:
    result = Axe().run(page)
    assert result.violations_count == 0, result.generate_report()


def open_filters(page) -> None:
    """Open the catalog's filter panel: a phone shows it folded behind its button."""
    # catalog.js (deferred) opens it on wide screens: let it run before deciding to click,
    # or the click folds the panel it has just opened.
    page.wait_for_load_state("domcontentloaded")
    panel = page.locator("#filter-panel")
    if panel.get_attribute("open") is None:
        panel.locator("summary").click()
