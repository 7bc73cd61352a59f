"""Every door (admin, storefront, API token) shares one guessing limit: per address and
name, and per address across names (password spraying)."""

import pytest
from django.test import Client

from backend import sign_in_limit
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "pass-word-123"


@pytest.fixture
def few_failures(monkeypatch):
    monkeypatch.setattr(sign_in_limit, "MAX_FAILURES", 3)
    monkeypatch.setattr(sign_in_limit, "MAX_ADDRESS_FAILURES", 5)


@pytest.fixture
def admin_user():
    return UserFactory(username="root", is_staff=True, is_superuser=True)


def admin_sign_in(client, username="root", password="nope"):
    return client.post("/admin/login/?next=/admin/", {"username": username, "password": password})


def shop_sign_in(client, username="keisha", password="nope"):
    return client.post("/accounts/sign-in/", {"username": username, "password": password})


def token(client, username="keisha", password="nope"):
    return client.post(
        "/api/v1/auth/token/",
        {"username": username, "password": password},
        content_type="application/json",
    )


def test_the_admin_sign_in_refuses_with_429_after_too_many_wrong_passwords(
    client, admin_user, few_failures
):
    for _ in range(3):
        assert admin_sign_in(client).status_code == 200

    blocked = admin_sign_in(client, password=PASSWORD)

    assert blocked.status_code == 429
    assert "Too many attempts, try again in 15 minutes" in blocked.content.decode()
    assert 14 * 60 < int(blocked.headers["Retry-After"]) <= 15 * 60
    assert "_auth_user_id" not in client.session


def test_the_admin_does_not_check_the_password_while_blocked(
    client, admin_user, few_failures, monkeypatch
):
    for _ in range(3):
        admin_sign_in(client)
    checked = []
    monkeypatch.setattr(
        "django.contrib.auth.backends.ModelBackend.authenticate",
        lambda *args, **kwargs: checked.append(1),
    )

    admin_sign_in(client, password=PASSWORD)

    assert checked == []


def test_the_admin_lets_the_right_password_in_once_the_window_ends(
    client, admin_user, few_failures, monkeypatch
):
    for _ in range(3):
        admin_sign_in(client)
    start = sign_in_limit.time.time()
    monkeypatch.setattr(sign_in_limit.time, "time", lambda: start + 15 * 60 + 1)

    assert admin_sign_in(client, password=PASSWORD).status_code == 302


def test_a_good_admin_sign_in_still_works(client, admin_user):
    response = admin_sign_in(client, password=PASSWORD)

    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_a_block_earned_at_one_door_holds_at_the_others(client, admin_user, few_failures):
    for _ in range(3):
        shop_sign_in(client, username="root")

    assert admin_sign_in(client, password=PASSWORD).status_code == 429
    assert token(client, username="root", password=PASSWORD).status_code == 429


@pytest.mark.parametrize(
    "door", [admin_sign_in, shop_sign_in, token], ids=["admin", "storefront", "token"]
)
def test_one_address_trying_many_names_is_blocked_at_every_door(door, few_failures):
    UserFactory(username="victim")
    for number in range(5):
        door(Client(), username=f"someone-{number}")

    blocked = door(Client(), username="victim", password=PASSWORD)

    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) > 0


def test_the_spraying_cap_is_per_address(few_failures, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    UserFactory(username="victim")
    for number in range(5):
        shop_sign_in(Client(HTTP_X_FORWARDED_FOR="198.51.100.1"), username=f"someone-{number}")

    other_address = Client(HTTP_X_FORWARDED_FOR="198.51.100.2")

    assert shop_sign_in(other_address, username="victim", password=PASSWORD).status_code == 302


def test_a_good_sign_in_does_not_reset_the_address_count(few_failures):
    UserFactory(username="mine")
    for number in range(4):
        shop_sign_in(Client(), username=f"someone-{number}")
    assert shop_sign_in(Client(), username="mine", password=PASSWORD).status_code == 302

    shop_sign_in(Client(), username="someone-else")

    assert shop_sign_in(Client(), username="mine", password=PASSWORD).status_code == 429


def test_the_token_endpoint_refuses_the_right_password_after_too_many_wrong_ones(few_failures):
    UserFactory(username="keisha")
    client = Client()
    for _ in range(3):
        assert token(client).status_code == 400

    blocked = token(client, password=PASSWORD)

    assert blocked.status_code == 429
    assert blocked.json()["code"] == "throttled"
    assert 14 * 60 < int(blocked.headers["Retry-After"]) <= 15 * 60


# --- Email or username, at every door ---------------------------------------------------------


def test_every_door_takes_the_email_whatever_its_case(admin_user):
    UserFactory(username="keisha", email="keisha@example.org")
    admin_user.email = "root@example.org"
    admin_user.save()

    assert shop_sign_in(Client(), "KEISHA@example.org", PASSWORD).status_code == 302
    assert token(Client(), "Keisha@Example.org", PASSWORD).status_code == 200
    assert admin_sign_in(Client(), "ROOT@example.org", PASSWORD).status_code == 302


def test_a_block_earned_with_the_email_holds_for_the_username_at_the_token_door(few_failures):
    UserFactory(username="keisha", email="keisha@example.org")
    client = Client()
    for _ in range(3):
        token(client, "keisha@example.org")

    assert token(client, "keisha", PASSWORD).status_code == 429


def test_the_token_door_says_to_use_the_username_when_the_email_is_shared():
    UserFactory(username="keisha", email="family@example.org")
    UserFactory(username="andre", email="family@example.org")

    response = token(Client(), "family@example.org", PASSWORD)

    assert response.status_code == 400
    assert "More than one account uses this email" in str(response.json())
    assert token(Client(), "andre", PASSWORD).status_code == 200
