import secrets
from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured

from backend.settings import env_bool, env_decimal, env_int
from tests.backend.processes import manage


def test_production_passes_the_deploy_check_without_warnings():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="shop.example.org",
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = manage("check", DJANGO_ENV="production", ALLOWED_HOSTS="shop.example.org")

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_the_development_secret_key():
    from backend.settings import DEVELOPMENT_SECRET_KEY

    result = manage(
        "check",
        DJANGO_ENV="production",
        SECRET_KEY=DEVELOPMENT_SECRET_KEY,
        ALLOWED_HOSTS="shop.example.org",
    )

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_sqlite_writers_take_the_lock_up_front(settings):
    from django.db import connection

    if connection.vendor != "sqlite":
        return
    assert settings.DATABASES["default"]["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


# --- Values from the environment are checked when the process starts --------------------


def test_a_boolean_that_is_not_a_true_or_false_word_refuses_to_start():
    result = manage("check", DEBUG="ture")

    assert result.returncode != 0
    assert "ImproperlyConfigured: DEBUG must be true or false" in result.stderr


def test_a_community_fund_percent_above_100_refuses_to_start():
    result = manage("check", COMMUNITY_FUND_PERCENT="150")

    assert result.returncode != 0
    assert "COMMUNITY_FUND_PERCENT must be a number from 0 to 100" in result.stderr


@pytest.mark.parametrize(
    ("word", "expected"),
    [("1", True), ("yes", True), ("On", True), (" TRUE ", True)]
    + [("0", False), ("no", False), ("OFF", False), ("False", False)],
)
def test_true_and_false_words_are_read_in_any_case(monkeypatch, word, expected):
    monkeypatch.setenv("SOME_SWITCH", word)

    assert env_bool("SOME_SWITCH", not expected) is expected


def test_an_unset_or_empty_boolean_takes_its_default(monkeypatch):
    monkeypatch.setenv("SOME_SWITCH", "  ")

    assert env_bool("SOME_SWITCH", True) is True
    assert env_bool("SOME_SWITCH_NEVER_SET", False) is False


@pytest.mark.parametrize("typo", ["ture", "flase", "2", "enabled", "y"])
def test_a_boolean_typo_is_refused_naming_the_variable(monkeypatch, typo):
    monkeypatch.setenv("SOME_SWITCH", typo)

    with pytest.raises(ImproperlyConfigured, match="SOME_SWITCH"):
        env_bool("SOME_SWITCH", False)


@pytest.mark.parametrize("value", ["0", "5", "12.5", "100"])
def test_a_fund_percent_from_0_to_100_is_read_as_a_decimal(monkeypatch, value):
    monkeypatch.setenv("COMMUNITY_FUND_PERCENT", value)

    assert env_decimal(
        "COMMUNITY_FUND_PERCENT", "5", minimum=Decimal(0), maximum=Decimal(100)
    ) == Decimal(value)


@pytest.mark.parametrize("value", ["-1", "100.01", "five", "NaN", "Infinity", "5%"])
def test_a_fund_percent_outside_0_to_100_or_not_a_number_is_refused(monkeypatch, value):
    monkeypatch.setenv("COMMUNITY_FUND_PERCENT", value)

    with pytest.raises(ImproperlyConfigured, match="COMMUNITY_FUND_PERCENT"):
        env_decimal("COMMUNITY_FUND_PERCENT", "5", minimum=Decimal(0), maximum=Decimal(100))


def test_a_whole_number_setting_is_parsed(monkeypatch):
    monkeypatch.setenv("SOME_COUNT", " 42 ")

    assert env_int("SOME_COUNT", 1) == 42


@pytest.mark.parametrize("value", ["thirty", "2.5", "1e3"])
def test_a_whole_number_setting_that_does_not_parse_is_refused(monkeypatch, value):
    monkeypatch.setenv("SOME_COUNT", value)

    with pytest.raises(ImproperlyConfigured, match="SOME_COUNT"):
        env_int("SOME_COUNT", 1)


def test_a_whole_number_below_its_minimum_is_refused(monkeypatch):
    monkeypatch.setenv("ORDER_PAYMENT_MINUTES", "0")

    with pytest.raises(ImproperlyConfigured, match="ORDER_PAYMENT_MINUTES"):
        env_int("ORDER_PAYMENT_MINUTES", 30, minimum=1)
