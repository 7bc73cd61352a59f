"""Confirming an email: a signed link that expires; opening it marks the email verified and
brings the guest orders placed with it into My orders. Bad links change nothing."""

import re
import time

import pytest
from django.core import mail, signing
from django.test import Client

from backend import sign_in_limit
from orders.models import Email
from producers.accounts import email_is_verified, email_verified_mark, email_verify_token
from producers.models import EmailVerification
from tests.factories import GUEST, UserFactory, make_stocked_product, place

pytestmark = pytest.mark.django_db


@pytest.fixture
def keisha():
    return UserFactory(username="keisha", email=GUEST.email)


@pytest.fixture
def guest_order():
    return place((make_stocked_product(), 1))


def link(user) -> str:
    return f"/accounts/verify-email/{email_verify_token(user=user)}/"


def test_opening_the_link_marks_the_email_verified(client, keisha):
    response = client.get(link(keisha))

    assert response.status_code == 302
    assert email_is_verified(keisha)


def test_opening_the_link_joins_the_guest_orders_placed_with_that_email(client, keisha):
    order = place((make_stocked_product(), 1))

    client.get(link(keisha))

    order.refresh_from_db()
    assert order.customer == keisha


def test_my_orders_shows_a_joined_guest_order(client, keisha, guest_order):
    client.force_login(keisha)
    assert guest_order.number not in client.get("/orders/").content.decode()

    client.get(link(keisha))

    assert guest_order.number in client.get("/orders/").content.decode()


def test_the_link_from_the_sign_up_email_works(client, guest_order):
    client.post(
        "/accounts/sign-up/",
        {"email": GUEST.email, "password1": "a-long-pass-7", "password2": "a-long-pass-7"},
    )
    body = Email.objects.get(kind="account.verify").body_text
    path = re.search(r"https?://[^/\s]+(/accounts/verify-email/[^/\s]+/)", body)[1]

    response = client.get(path)

    assert response.url == "/orders/"
    assert guest_order.number in client.get("/orders/").content.decode()


def test_a_tampered_link_shows_a_clear_page_and_changes_nothing(client, keisha, guest_order):
    token = email_verify_token(user=keisha)
    value, signature = token.rsplit(":", 1)
    forged = f"{value}:{'A' if signature[0] != 'A' else 'B'}{signature[1:]}"

    response = client.get(f"/accounts/verify-email/{forged}/")

    assert response.status_code == 400
    assert "This link to confirm an email is not valid." in response.content.decode()
    assert not EmailVerification.objects.exists()
    guest_order.refresh_from_db()
    assert guest_order.customer is None


def test_a_link_for_another_account_cannot_be_made_by_editing_it(client, keisha):
    other = UserFactory(username="andre")
    token = email_verify_token(user=keisha)
    payload = signing.loads(token, salt="producers.accounts.email-verify")
    unsigned = signing.dumps({**payload, "user": other.pk}, salt="another-salt")

    response = client.get(f"/accounts/verify-email/{unsigned}/")

    assert response.status_code == 400
    assert not EmailVerification.objects.exists()


def test_an_expired_link_shows_a_clear_page_and_changes_nothing(
    client, keisha, guest_order, monkeypatch
):
    eight_days_ago = int(time.time()) - 8 * 24 * 60 * 60
    monkeypatch.setattr(
        signing.TimestampSigner,
        "timestamp",
        lambda self: signing.b62_encode(eight_days_ago),
    )
    token = email_verify_token(user=keisha)
    monkeypatch.undo()

    response = client.get(f"/accounts/verify-email/{token}/")

    assert response.status_code == 400
    assert "too old" in response.content.decode()
    assert not EmailVerification.objects.exists()
    guest_order.refresh_from_db()
    assert guest_order.customer is None


def test_a_link_stops_working_once_the_account_changes_its_email(client, keisha):
    path = link(keisha)
    keisha.email = "keisha.new@example.org"
    keisha.save()

    response = client.get(path)

    assert response.status_code == 400
    assert not email_is_verified(keisha)


def test_a_verification_counts_only_for_the_email_it_proved(keisha):
    email_verified_mark(user=keisha)
    keisha.email = "keisha.new@example.org"
    keisha.save()

    assert not email_is_verified(keisha)


def test_an_unverified_email_never_joins_orders(client, guest_order):
    # Someone signs up with another person's address and never opens its link.
    client.post(
        "/accounts/sign-up/",
        {"email": GUEST.email, "password1": "a-long-pass-7", "password2": "a-long-pass-7"},
    )
    client.logout()
    client.post("/accounts/sign-in/", {"username": GUEST.email, "password": "a-long-pass-7"})

    guest_order.refresh_from_db()
    assert guest_order.customer is None
    assert guest_order.number not in client.get("/orders/").content.decode()


def test_signing_in_joins_guest_orders_placed_after_the_email_was_verified(client, keisha):
    email_verified_mark(user=keisha)
    later = place((make_stocked_product(), 1))

    response = client.post(
        "/accounts/sign-in/", {"username": "keisha", "password": "pass-word-123"}, follow=True
    )

    later.refresh_from_db()
    assert later.customer == keisha
    assert "1 order you placed as a guest" in response.content.decode()


def test_a_second_account_cannot_verify_an_email_another_account_proved(client, keisha):
    email_verified_mark(user=keisha)
    twin = UserFactory(username="twin", email=keisha.email.upper())

    response = client.get(link(twin))

    assert response.status_code == 400
    assert "Another account has already confirmed this email." in response.content.decode()
    assert not email_is_verified(twin)


def test_my_orders_tells_an_unverified_account_that_guest_orders_come_after_confirming(
    client, keisha
):
    client.force_login(keisha)

    page = client.get("/orders/").content.decode()

    assert "appear here once you confirm your email" in page
    assert "Send the link again" in page


def test_my_orders_says_nothing_about_confirming_once_verified(client, keisha):
    email_verified_mark(user=keisha)
    client.force_login(keisha)

    assert "Send the link again" not in client.get("/orders/").content.decode()


def test_an_unverified_account_can_ask_for_the_link_again(client, keisha):
    client.force_login(keisha)

    response = client.post("/accounts/verify-email/resend/")

    assert response.status_code == 302
    assert Email.objects.get(kind="account.verify").recipients == [keisha.email]


def test_asking_for_the_link_again_is_limited(client, keisha, monkeypatch):
    monkeypatch.setattr(sign_in_limit, "MAX_VERIFY_RESENDS", 2)
    client.force_login(keisha)
    for _ in range(3):
        response = client.post("/accounts/verify-email/resend/", follow=True)

    assert "Too many attempts" in response.content.decode()
    assert Email.objects.filter(kind="account.verify").count() == 2


def test_asking_for_the_link_again_needs_an_account(keisha):
    response = Client().post("/accounts/verify-email/resend/")

    assert response.status_code == 302
    assert response.url.startswith("/accounts/sign-in/")
    assert not Email.objects.exists()


def test_the_confirmation_email_is_delivered_once_the_sign_up_commits(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/accounts/sign-up/",
            {
                "email": "rosa@example.org",
                "password1": "a-long-pass-7",
                "password2": "a-long-pass-7",
            },
        )

    assert [message.to for message in mail.outbox] == [["rosa@example.org"]]
    assert "/accounts/verify-email/" in mail.outbox[0].body
    assert Email.objects.get(kind="account.verify").sent_at is not None
