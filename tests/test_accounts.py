"""Accounts: sign-up asks for an email (one account per email), is rate-limited and sends a
confirmation link; sign-in takes an email or a username, at every door."""

import re

import pytest
from django.contrib.auth import get_user_model

from backend import sign_in_limit
from orders.models import Email
from producers.accounts import email_is_verified
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-pass-phrase-7"


def sign_up(client, email="newcomer@example.org", name="Keisha Brown", **fields):
    data = {"email": email, "name": name, "password1": PASSWORD, "password2": PASSWORD}
    return client.post("/accounts/sign-up/", {**data, **fields})


def test_a_newcomer_makes_an_account_with_an_email_and_is_signed_in(client):
    response = sign_up(client)

    assert response.status_code == 302
    user = get_user_model().objects.get(email="newcomer@example.org")
    assert user.first_name == "Keisha Brown"
    assert client.session["_auth_user_id"] == str(user.pk)


def test_the_name_is_optional(client):
    response = sign_up(client, name="")

    assert response.status_code == 302
    assert get_user_model().objects.get(email="newcomer@example.org").first_name == ""


def test_a_new_account_starts_unverified_and_is_sent_a_confirmation_link(client):
    sign_up(client, email="Newcomer@Example.org")

    user = get_user_model().objects.get()
    assert user.email == "newcomer@example.org"
    assert not email_is_verified(user)
    email = Email.objects.get(kind="account.verify")
    assert email.recipients == ["newcomer@example.org"]
    assert re.search(r"/accounts/verify-email/[^/\s]+/", email.body_text)


def test_an_email_already_in_use_is_refused_whatever_its_case(client):
    UserFactory(username="keisha", email="keisha@example.org")

    response = sign_up(client, email="KEISHA@Example.ORG")

    assert response.status_code == 400
    assert "This email cannot be used for a new account" in response.content.decode()
    assert get_user_model().objects.count() == 1
    assert not Email.objects.exists()


def test_an_email_that_is_someones_username_is_refused(client):
    UserFactory(username="keisha@example.org", email="other@example.org")

    response = sign_up(client, email="keisha@example.org")

    assert response.status_code == 400
    assert get_user_model().objects.count() == 1


def test_the_refusal_of_a_used_email_names_no_account(client):
    UserFactory(username="keisha", email="keisha@example.org")

    page = sign_up(client, email="keisha@example.org").content.decode()

    assert "keisha" not in page.replace("keisha@example.org", "")


def test_the_sign_up_form_shows_short_hints_and_no_list_of_password_rules(client):
    page = client.get("/accounts/sign-up/").content.decode()

    assert "At least 8 characters." in page
    assert "can’t be too similar" not in page
    assert "Your name (optional)" in page
    assert 'name="username"' not in page


def test_a_password_that_breaks_a_rule_is_refused_with_that_rule(client):
    response = sign_up(client, password1="12345678", password2="12345678")

    page = response.content.decode()
    assert response.status_code == 400
    assert "This password is entirely numeric." in page
    assert not get_user_model().objects.exists()


def test_two_different_passwords_are_refused(client):
    response = sign_up(client, password2="another-long-phrase-8")

    assert response.status_code == 400
    assert "The two passwords differ" in response.content.decode()
    assert not get_user_model().objects.exists()


def test_too_many_sign_ups_from_one_address_answer_429(client, monkeypatch):
    monkeypatch.setattr(sign_in_limit, "MAX_SIGN_UPS", 3)
    for _ in range(3):
        sign_up(client, email="bad")

    blocked = sign_up(client)

    assert blocked.status_code == 429
    assert "Too many attempts" in blocked.content.decode()
    assert int(blocked.headers["Retry-After"]) > 0
    assert not get_user_model().objects.exists()


def test_a_blocked_sign_up_does_not_say_whether_the_email_is_taken(client, monkeypatch):
    monkeypatch.setattr(sign_in_limit, "MAX_SIGN_UPS", 1)
    UserFactory(username="keisha", email="keisha@example.org")
    sign_up(client, email="bad")

    blocked = sign_up(client, email="keisha@example.org")

    assert "cannot be used" not in blocked.content.decode()


def test_the_sign_in_label_reads_email_or_username(client):
    assert "Email or username" in client.get("/accounts/sign-in/").content.decode()


def test_sign_in_accepts_the_email_whatever_its_case(client):
    UserFactory(username="keisha", email="keisha@example.org")

    response = client.post(
        "/accounts/sign-in/", {"username": "Keisha@Example.org", "password": "pass-word-123"}
    )

    assert response.status_code == 302
    assert client.session["_auth_user_id"]


def test_sign_in_accepts_the_username(client):
    UserFactory(username="keisha", email="keisha@example.org")

    response = client.post(
        "/accounts/sign-in/", {"username": "keisha", "password": "pass-word-123"}
    )

    assert response.status_code == 302


def test_a_new_account_signs_in_with_its_email(client):
    sign_up(client)
    client.logout()

    response = client.post(
        "/accounts/sign-in/", {"username": "NEWCOMER@example.org", "password": PASSWORD}
    )

    assert response.status_code == 302


def test_an_email_shared_by_two_accounts_is_refused_with_a_word_about_the_username(client):
    UserFactory(username="keisha", email="family@example.org")
    UserFactory(username="andre", email="Family@example.org")

    response = client.post(
        "/accounts/sign-in/", {"username": "family@example.org", "password": "pass-word-123"}
    )

    assert response.status_code == 200
    assert "More than one account uses this email" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_an_account_that_shares_its_email_still_signs_in_with_its_username(client):
    UserFactory(username="keisha", email="family@example.org")
    UserFactory(username="andre", email="family@example.org")

    response = client.post("/accounts/sign-in/", {"username": "andre", "password": "pass-word-123"})

    assert response.status_code == 302


def test_a_user_name_that_looks_like_an_email_wins_over_someone_elses_email(client):
    UserFactory(username="keisha", email="shared@example.org")
    UserFactory(username="shared@example.org", email="other@example.org")

    client.post(
        "/accounts/sign-in/", {"username": "shared@example.org", "password": "pass-word-123"}
    )

    user = get_user_model().objects.get(pk=client.session["_auth_user_id"])
    assert user.username == "shared@example.org"


def test_failures_by_email_and_by_username_count_against_one_account(client, monkeypatch):
    monkeypatch.setattr(sign_in_limit, "MAX_FAILURES", 4)
    UserFactory(username="keisha", email="keisha@example.org")
    for entered in ("keisha", "KEISHA@example.org", "keisha", "keisha@example.org"):
        client.post("/accounts/sign-in/", {"username": entered, "password": "nope"})

    blocked = client.post("/accounts/sign-in/", {"username": "keisha", "password": "pass-word-123"})

    assert blocked.status_code == 429
    assert "_auth_user_id" not in client.session
