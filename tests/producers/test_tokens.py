"""API tokens: stored as digests, shown once, expire, listed and revoked by their owner."""

import datetime
import hashlib

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from producers.models import ApiToken
from producers.tokens import api_token_issue
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def issue(api, username="keisha", **extra):
    body = {"username": username, "password": "pass-word-123", **extra}
    return api.post("/api/v1/auth/token/", body, format="json")


def me(api, key):
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api.get("/api/v1/me/")


def test_a_token_is_shown_once_and_stored_only_as_a_digest(api):
    UserFactory(username="keisha")

    body = issue(api, name="laptop").json()

    stored = ApiToken.objects.get()
    assert stored.digest == hashlib.sha256(body["token"].encode()).hexdigest()
    assert body["token"] not in {stored.digest, stored.prefix, stored.name}
    assert body["id"] == stored.pk


def test_a_token_expires_after_the_configured_days(api, settings):
    settings.TOKEN_TTL_DAYS = 7
    UserFactory(username="keisha")

    body = issue(api).json()

    expires = datetime.datetime.fromisoformat(body["expires_at"])
    assert abs(expires - (timezone.now() + datetime.timedelta(days=7))) < datetime.timedelta(
        minutes=1
    )


def test_an_expired_token_answers_401(api):
    user = UserFactory(username="keisha")
    token, key = api_token_issue(user=user)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now())

    response = me(api, key)

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Token"


def test_a_live_token_works_and_records_when_it_was_used(api):
    user = UserFactory(username="keisha")
    token, key = api_token_issue(user=user)

    assert me(api, key).json()["username"] == "keisha"
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_an_owner_lists_their_tokens_without_the_keys(api):
    user = UserFactory(username="keisha")
    token, key = api_token_issue(user=user, name="laptop")
    api_token_issue(user=UserFactory(username="marcus"))

    listed = api.as_user(user).get("/api/v1/auth/tokens/").json()

    assert [(t["id"], t["name"], t["prefix"]) for t in listed] == [(token.pk, "laptop", key[:8])]
    assert key not in str(listed)
    assert set(listed[0]) == {"id", "name", "prefix", "created_at", "last_used_at", "expires_at"}


def test_a_revoked_token_answers_401(api):
    user = UserFactory(username="keisha")
    token, key = api_token_issue(user=user)

    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.delete(f"/api/v1/auth/tokens/{token.pk}/").status_code == 204

    assert me(api, key).status_code == 401


def test_nobody_revokes_another_persons_token(api):
    token, key = api_token_issue(user=UserFactory(username="keisha"))
    staff = UserFactory(username="platform", is_staff=True)

    assert api.as_user(staff).delete(f"/api/v1/auth/tokens/{token.pk}/").status_code == 404
    api.force_authenticate(user=None)
    assert me(api, key).status_code == 200


def test_changing_the_password_ends_every_token(api):
    user = UserFactory(username="keisha")
    _, key = api_token_issue(user=user)

    user.set_password("a-new-pass-phrase-9")
    user.save()

    assert me(api, key).status_code == 401


def test_an_inactive_account_s_token_answers_401(api):
    user = UserFactory(username="keisha")
    _, key = api_token_issue(user=user)
    user.is_active = False
    user.save()

    assert me(api, key).status_code == 401


def test_a_token_can_be_asked_for_with_the_email(api):
    UserFactory(username="keisha", email="Keisha@Example.org")

    response = issue(api, username="keisha@example.org")

    assert response.status_code == 200
    assert me(api, response.json()["token"]).json()["username"] == "keisha"


def test_the_list_leaves_out_expired_tokens_and_those_older_than_the_password(api):
    user = UserFactory(username="keisha")
    expired, _ = api_token_issue(user=user)
    ApiToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now())
    api_token_issue(user=user)
    user.set_password("a-new-pass-phrase-9")
    user.save()
    fresh, _ = api_token_issue(user=user)

    listed = api.as_user(user).get("/api/v1/auth/tokens/").json()

    assert [t["id"] for t in listed] == [fresh.pk]


def test_an_expired_token_gets_the_same_answer_as_an_unknown_one(api):
    token, key = api_token_issue(user=UserFactory(username="keisha"))
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now())

    expired = me(api, key)
    unknown = me(api, "not-a-key")

    assert expired.status_code == unknown.status_code == 401
    assert (
        expired.json()
        == unknown.json()
        == {
            "code": "authentication_failed",
            "detail": "Invalid token.",
        }
    )


def test_a_token_request_costs_one_query_to_authenticate(api):
    user = UserFactory(username="keisha")
    _, key = api_token_issue(user=user)
    me(api, key)  # the first use writes `last_used_at`; later uses within minutes do not

    with CaptureQueriesContext(connection) as with_token:
        assert me(api, key).status_code == 200
    api.credentials()
    with CaptureQueriesContext(connection) as signed_in:
        assert api.as_user(user).get("/api/v1/me/").status_code == 200

    assert len(with_token) - len(signed_in) == 1
    assert "producers_apitoken" in with_token.captured_queries[0]["sql"]
