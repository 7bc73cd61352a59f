"""What browser tests do again and again: sign in through the form, check a page with axe."""

from axe_playwright_python.sync_playwright import Axe


def sign_in(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("pass-word-123")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base_url}/")


def assert_accessible(page) -> None:
    result = Axe().run(page)
    assert result.violations_count == 0, result.generate_report()
