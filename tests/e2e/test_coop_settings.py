"""A co-op's managers look after its members and webhook in the browser; members only look."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from producers.models import Membership, Producer
from tests.e2e.browser import assert_accessible, sign_in
from tests.factories import MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def assert_fits(page) -> None:
    """Nothing makes the page scroll sideways (tables scroll inside their own box)."""
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than the screen"


def test_a_manager_invites_someone_who_accepts_and_sees_the_job_board(
    live_server, page, browser, network
):
    base = live_server.url
    sign_in(page, base, "marcus")
    page.goto(f"{base}/workbench/co-ops/woodshop/members/")
    assert_accessible(page)
    assert_fits(page)

    page.get_by_label("Email").fill("dana@example.org")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("Invitation sent to dana@example.org")).to_be_visible()
    expect(page.get_by_text("dana@example.org as member")).to_be_visible()

    [email] = mail.outbox
    link = re.search(r"https?://\S+/invitations/(\S+?)/", email.body).group(0)
    path = link[link.index("/invitations/") :]

    # Dana opens the link in her own browser, not signed in.
    dana = browser.new_context(viewport=page.viewport_size).new_page()
    dana.goto(f"{base}{path}")
    expect(dana.get_by_role("heading", name="Join West Jackson Woodshop")).to_be_visible()
    assert_accessible(dana)
    assert_fits(dana)
    dana.get_by_label("Username").fill("dana")
    dana.get_by_label("Password", exact=True).fill("walnut-board-42")
    dana.get_by_label("Password confirmation").fill("walnut-board-42")
    dana.get_by_role("button", name="Make my account and join").click()

    expect(dana.get_by_text("Welcome to West Jackson Woodshop")).to_be_visible()
    assert dana.url == f"{base}/workbench/"
    expect(dana.get_by_role("heading", name="Job board")).to_be_visible()
    assert Membership.objects.filter(user__username="dana", producer__slug="woodshop").exists()

    # The link works once.
    dana.goto(f"{base}{path}")
    expect(dana.get_by_role("heading", name="This invitation was already used")).to_be_visible()
    dana.context.close()


def test_a_manager_rotates_the_secret_and_a_test_event_reaches_the_receiver(
    live_server, page, network, receiver
):
    base = live_server.url
    Producer.objects.filter(slug="woodshop").update(webhook_url=receiver.url)
    sign_in(page, base, "marcus")
    page.goto(f"{base}/workbench/co-ops/woodshop/settings/")
    assert_accessible(page)
    assert_fits(page)

    page.get_by_role("button", name="Make a new secret").click()
    expect(page.get_by_text("it will not be shown again")).to_be_visible()
    secret = page.locator("[data-secret]").inner_text().strip()
    assert secret == Producer.objects.get(slug="woodshop").webhook_secret
    assert_accessible(page)
    assert_fits(page)

    # The co-op puts the new secret in its receiver, which verifies with standardwebhooks.
    receiver.secret = secret
    page.get_by_role("button", name="Send a test event").click()
    result = page.locator("#test-result")
    expect(result).to_contain_text("HTTP 200")
    expect(page.locator("[data-secret]")).to_have_count(0)
    [request] = receiver.requests
    assert request.verified
    assert request.payload["type"] == "webhook.test"
    assert_accessible(page)

    page.reload()
    expect(page.get_by_text(secret)).to_have_count(0)


def test_a_member_sees_the_settings_and_members_but_cannot_change_them(live_server, page, network):
    base = live_server.url
    woodshop = network["woodshop"]
    MembershipFactory(producer=woodshop, user=UserFactory(username="ruth"))
    sign_in(page, base, "ruth")

    page.goto(f"{base}/workbench/co-ops/woodshop/settings/")
    expect(page.get_by_text("your co-op's managers make the changes")).to_be_visible()
    expect(page.get_by_role("button", name="Save profile")).to_have_count(0)
    expect(page.get_by_role("button", name="Make a new secret")).to_have_count(0)
    assert_accessible(page)
    assert_fits(page)

    page.goto(f"{base}/workbench/co-ops/woodshop/members/")
    expect(page.get_by_role("cell", name="marcus")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("^Make"))).to_have_count(0)
    expect(page.get_by_role("button", name="Send invitation")).to_have_count(0)
    assert_accessible(page)
    assert_fits(page)

    # Sent by hand, a change is refused and nothing changes.
    response = page.request.post(
        f"{base}/workbench/co-ops/woodshop/members/invite/",
        form={"email": "x@example.org", "role": "manager"},
        headers={"X-CSRFToken": page.context.cookies()[0]["value"]},
    )
    assert response.status == 403
    assert not woodshop.invitations.exists()
