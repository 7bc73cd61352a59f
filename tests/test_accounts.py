"""Accounts: sign-up is rate-limited and refuses a used email; sign-in takes a name or email."""

import pytest
from django.contrib.auth import get_user_model

from backend import sign_in_limit
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def sign_up(client, username="newcomer", email="newcomer@example.org"):
    return client.post(
        "/accounts/sign-up/",
        {
            "username": username,
            "first_name": "New",
            "email": email,
            "password1": "a-long-pass-phrase-7",
            "password2": "a-long-pass-phrase-7",
        },
    )


def test_a_newcomer_makes_an_account_and_is_signed_in(client):
    response = sign_up(client)

    assert response.status_code == 302
    assert get_user_model().objects.get(username="newcomer").email == "newcomer@example.org"
    assert "_auth_user_id" in client.session


def test_an_email_already_in_use_is_refused_whatever_its_case(client):
    UserFactory(username="keisha", email="keisha@example.org")

    response = sign_up(client, email="KEISHA@Example.ORG")

    assert response.status_code == 200
    assert "This email cannot be used for a new account" in response.content.decode()
    assert not get_user_model().objects.filter(username="newcomer").exists()


def test_the_refusal_of_a_used_email_names_no_account(client):
    UserFactory(username="keisha", email="keisha@example.org")

    page = sign_up(client, email="keisha@example.org").content.decode()

    assert "keisha" not in page.replace("keisha@example.org", "")


def test_too_many_sign_ups_from_one_address_answer_429(client, monkeypatch):
    monkeypatch.setattr(sign_in_limit, "MAX_SIGN_UPS", 3)
    for number in range(3):
        sign_up(client, username=f"taken-{number}", email="bad")

    blocked = sign_up(client)

    assert blocked.status_code == 429
    assert "Too many attempts" in blocked.content.decode()
    assert int(blocked.headers["Retry-After"]) > 0
    assert not get_user_model().objects.filter(username="newcomer").exists()


def test_a_blocked_sign_up_does_not_say_whether_the_name_is_taken(client, monkeypatch):
    monkeypatch.setattr(sign_in_limit, "MAX_SIGN_UPS", 1)
    UserFactory(username="keisha")
    sign_up(client, username="someone", email="bad")

    blocked = sign_up(client, username="keisha")

    assert "already exists" not in blocked.content.decode()


def test_sign_in_accepts_the_email_whatever_its_case(client):
    UserFactory(username="keisha", email="keisha@example.org")

    response = client.post(
        "/accounts/sign-in/", {"username": "Keisha@Example.org", "password": "pass-word-123"}
    )

    assert response.status_code == 302
    assert client.session["_auth_user_id"]


def test_a_user_name_that_looks_like_an_email_wins_over_someone_elses_email(client):
    UserFactory(username="keisha", email="shared@example.org")
    UserFactory(username="shared@example.org", email="other@example.org")

    client.post(
        "/accounts/sign-in/", {"username": "shared@example.org", "password": "pass-word-123"}
    )

    user = get_user_model().objects.get(pk=client.session["_auth_user_id"])
    assert user.username == "shared@example.org"
