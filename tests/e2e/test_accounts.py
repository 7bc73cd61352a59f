"""A resident's account in a real browser: sign up, confirm the email from the link in the
email, find the order placed earlier as a guest; and reset a forgotten password."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from orders.models import Email
from orders.services.inputs import Contact
from tests.e2e.browser import assert_accessible
from tests.factories import UserFactory, make_stocked_product, place

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_guest_signs_up_confirms_the_email_and_finds_the_earlier_order(live_server, page, media):
    base = live_server.url
    board = make_stocked_product(title="Walnut cutting board")
    earlier = place((board, 1), contact=Contact(name="Rosa Parks", email="rosa@example.org"))

    page.goto(f"{base}/accounts/sign-up/")
    assert_accessible(page)
    no_sideways_scroll(page)
    page.get_by_label("Email").fill("Rosa@Example.org")
    page.get_by_label("Your name (optional)").fill("Rosa")
    page.get_by_label("Password", exact=True).fill("sweet-potato-garden-42")
    page.get_by_label("Password again").fill("sweet-potato-garden-42")
    page.get_by_role("button", name="Make my account").click()

    expect(page.get_by_role("heading", name="My orders")).to_be_visible()
    expect(page.get_by_text("appear here once you confirm your email")).to_be_visible()
    expect(page.get_by_text(earlier.number)).to_have_count(0)
    assert_accessible(page)
    no_sideways_scroll(page)

    body = Email.objects.get(kind="account.verify").body_text
    path = re.search(r"https?://[^/\s]+(/accounts/verify-email/[^/\s]+/)", body)[1]
    page.goto(f"{base}{path}")

    expect(page.get_by_text("rosa@example.org is confirmed")).to_be_visible()
    expect(page.get_by_role("link", name=earlier.number)).to_be_visible()
    expect(page.get_by_text("Send the link again")).to_have_count(0)
    assert_accessible(page)


def test_a_resident_resets_a_forgotten_password_and_signs_in_with_it(live_server, page):
    base = live_server.url
    UserFactory(username="keisha", email="keisha@example.org")

    page.goto(f"{base}/accounts/sign-in/")
    page.get_by_role("link", name="Forgot your password?").click()
    assert_accessible(page)
    no_sideways_scroll(page)
    page.get_by_label("Email").fill("keisha@example.org")
    page.get_by_role("button", name="Send me a link").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    assert_accessible(page)

    link = re.search(r"https?://[^/\s]+(/accounts/password-reset/\S+/)", mail.outbox[-1].body)[1]
    page.goto(f"{base}{link}")
    expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
    page.get_by_label("New password", exact=True).fill("12345678")
    page.get_by_label("New password again").fill("12345678")
    page.get_by_role("button", name="Save my new password").click()
    expect(page.get_by_text("This password is entirely numeric.")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("New password", exact=True).fill("quilting-bee-on-tuesday")
    page.get_by_label("New password again").fill("quilting-bee-on-tuesday")
    page.get_by_role("button", name="Save my new password").click()
    expect(page.get_by_role("heading", name="Your password is changed")).to_be_visible()

    page.goto(f"{base}{link}")
    expect(page.get_by_role("heading", name="This link does not work")).to_be_visible()
    assert_accessible(page)

    page.goto(f"{base}/accounts/sign-in/")
    page.get_by_label("Email or username").fill("Keisha@example.org")
    page.get_by_label("Password").fill("quilting-bee-on-tuesday")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")
    expect(page.get_by_role("button", name=re.compile("Sign out"))).to_be_visible()
