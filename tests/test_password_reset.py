"""Resetting a forgotten password by email: the same answer for every email, a link that
works once and not for long, Django's password rules, and a limit on asking."""

import datetime
import re

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core import mail

from backend import sign_in_limit
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NEW = "a-brand-new-garden-phrase"


@pytest.fixture
def keisha():
    return UserFactory(username="keisha", email="keisha@example.org")


def ask(client, email="keisha@example.org"):
    return client.post("/accounts/password-reset/", {"email": email})


def link_from_email() -> str:
    return re.search(r"https?://[^/\s]+(/accounts/password-reset/[^\s]+/)", mail.outbox[-1].body)[1]


def set_password(client, link, password=NEW, again=None):
    """Open the link (Django swaps the token for a session key) and send a new password."""
    page = client.get(link)
    if page.status_code != 302:
        return page
    return client.post(page.url, {"new_password1": password, "new_password2": again or password})


def signs_in(client, password) -> bool:
    client.logout()
    response = client.post("/accounts/sign-in/", {"username": "keisha", "password": password})
    return response.status_code == 302


def test_asking_for_a_reset_sends_a_link_to_the_accounts_email(client, keisha):
    response = ask(client, email="KEISHA@example.org")

    assert response.status_code == 302
    assert mail.outbox[0].to == ["keisha@example.org"]
    assert "Your username is: keisha" in mail.outbox[0].body


def test_the_answer_is_the_same_whether_or_not_the_email_has_an_account(client, keisha):
    known = client.get(ask(client).url).content.decode()
    unknown_response = ask(client, email="nobody@example.org")
    unknown = client.get(unknown_response.url).content.decode()

    assert unknown_response.url == "/accounts/password-reset/sent/"
    assert known == unknown
    assert len(mail.outbox) == 1


def test_the_link_sets_a_new_password_and_signing_in_with_it_works(client, keisha):
    ask(client)

    response = set_password(client, link_from_email())

    assert response.url == "/accounts/password-reset/done/"
    assert signs_in(client, NEW)
    assert not signs_in(client, "pass-word-123")


def test_the_link_uses_the_configured_site_address_not_the_requests_host(client, keisha, settings):
    settings.SITE_URL = "https://shop.example.org"
    ask(client)

    assert "https://shop.example.org/accounts/password-reset/" in mail.outbox[0].body
    assert "testserver" not in mail.outbox[0].body


def test_a_link_used_twice_shows_a_clear_page_and_changes_nothing(client, keisha):
    ask(client)
    link = link_from_email()
    set_password(client, link)

    second = set_password(client, link, password="yet-another-long-phrase")

    assert second.status_code == 400
    assert "This link does not work" in second.content.decode()
    assert signs_in(client, NEW)


def test_an_expired_link_shows_a_clear_page_and_changes_nothing(client, keisha, monkeypatch):
    ask(client)
    link = link_from_email()
    later = datetime.datetime.now() + datetime.timedelta(hours=4)  # noqa: DTZ005 - Django's naive clock
    monkeypatch.setattr(default_token_generator, "_now", lambda: later)

    response = set_password(client, link)

    assert response.status_code == 400
    assert "This link does not work" in response.content.decode()
    assert signs_in(client, "pass-word-123")


def test_a_tampered_link_shows_a_clear_page_and_changes_nothing(client, keisha):
    ask(client)
    link = link_from_email()
    forged = link[:-3] + ("a" if link[-3] != "a" else "b") + link[-2:]

    response = set_password(client, forged)

    assert response.status_code == 400
    assert signs_in(client, "pass-word-123")


def test_a_new_password_that_breaks_a_rule_is_refused_with_that_rule(client, keisha):
    ask(client)

    response = set_password(client, link_from_email(), password="12345678")

    assert response.status_code == 400
    assert "This password is entirely numeric." in response.content.decode()
    assert signs_in(client, "pass-word-123")


def test_asking_too_often_from_one_address_answers_429(client, keisha, monkeypatch):
    monkeypatch.setattr(sign_in_limit, "MAX_RESET_REQUESTS", 2)
    ask(client, email="a@example.org")
    ask(client, email="b@example.org")

    blocked = ask(client)

    assert blocked.status_code == 429
    assert "Too many attempts" in blocked.content.decode()
    assert int(blocked.headers["Retry-After"]) > 0
    assert mail.outbox == []


def test_one_inbox_gets_only_a_few_reset_emails_and_the_answer_stays_the_same(
    client, keisha, monkeypatch
):
    monkeypatch.setattr(sign_in_limit, "MAX_RESET_EMAILS", 2)
    for _ in range(2):
        ask(client)

    third = ask(client)

    assert third.url == "/accounts/password-reset/sent/"
    assert len(mail.outbox) == 2


def test_the_sign_in_page_links_to_the_reset(client):
    assert "/accounts/password-reset/" in client.get("/accounts/sign-in/").content.decode()
