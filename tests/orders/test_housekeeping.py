"""Housekeeping: each step isolated, and the loop comes back whatever a step raised."""

import datetime
import logging
from io import StringIO

import pytest
from django.core.management import call_command
from django.tasks import task_backends
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from orders import housekeeping

DEFERRING = {
    "default": {
        "BACKEND": "django.tasks.backends.dummy.DummyBackend",
        "QUEUES": ["default", "webhooks", "email"],
    }
}
DATABASE = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default", "webhooks", "email"],
    }
}


class Stopping(BaseException):
    """Not an Exception: only a finally clause outlives it."""


def broken():
    raise RuntimeError("the database went away")


@pytest.fixture
def first_step_broken(monkeypatch):
    steps = {"broken": broken, **housekeeping.STEPS}
    monkeypatch.setattr(housekeeping, "STEPS", steps)


@pytest.mark.django_db
@pytest.mark.usefixtures("first_step_broken")
def test_a_step_that_raises_is_logged_and_the_other_steps_still_run(caplog):
    with caplog.at_level(logging.ERROR, logger="orders.housekeeping"):
        results = housekeeping.housekeeping.call(repeat=False)

    assert results["broken"] is None
    assert results["expired"] == 0
    assert results["requeued"] == {"webhook": 0, "refund": 0, "payout": 0, "email": 0}
    assert results["payouts_released"] == 0
    (record,) = caplog.records
    assert "broken" in record.getMessage()
    assert record.exc_info is not None


@pytest.mark.django_db
@pytest.mark.usefixtures("first_step_broken")
def test_housekeeping_comes_back_in_a_minute_even_when_a_step_raised():
    with override_settings(TASKS=DEFERRING):
        housekeeping.housekeeping.call(repeat=True)

        (again,) = task_backends["default"].results
    assert again.task.module_path == "orders.housekeeping.housekeeping"
    assert again.kwargs == {"repeat": True}
    soon = timezone.now() + housekeeping.EVERY
    assert soon - datetime.timedelta(seconds=5) <= again.task.run_after <= soon


@pytest.mark.django_db
def test_housekeeping_comes_back_even_when_the_steps_themselves_cannot_run(monkeypatch):
    def crash():
        raise Stopping()

    monkeypatch.setattr(housekeeping, "housekeeping_run", crash)
    with override_settings(TASKS=DEFERRING):
        with pytest.raises(Stopping):
            housekeeping.housekeeping.call(repeat=True)

        assert len(task_backends["default"].results) == 1


@pytest.mark.django_db
def test_a_run_that_is_not_repeated_schedules_nothing():
    with override_settings(TASKS=DEFERRING):
        housekeeping.housekeeping.call(repeat=False)

        assert task_backends["default"].results == []


@pytest.mark.django_db
def test_starting_housekeeping_twice_leaves_one_run_waiting():
    with override_settings(TASKS=DATABASE):
        assert housekeeping.housekeeping_start() is True
        assert housekeeping.housekeeping_start() is False

    (waiting,) = DBTaskResult.objects.all()
    assert waiting.task_path == "orders.housekeeping.housekeeping"


@pytest.mark.django_db
def test_the_start_housekeeping_command_says_it_started():
    out = StringIO()

    with override_settings(TASKS=DATABASE):
        call_command("start_housekeeping", stdout=out)

    assert "Housekeeping runs every minute" in out.getvalue()
    assert DBTaskResult.objects.count() == 1


@pytest.mark.django_db
def test_expire_orders_only_expires_unless_asked_for_the_deprecated_schedule():
    out = StringIO()

    with override_settings(TASKS=DATABASE):
        call_command("expire_orders", stdout=out)

    assert out.getvalue() == "0 unpaid order(s) expired.\n"
    assert not DBTaskResult.objects.exists()
