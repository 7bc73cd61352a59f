"""The system check that refuses a task backend which does not enqueue inside the transaction."""

import secrets

import pytest
from django.core import checks

from backend.checks import check_task_backends
from tests.backend.processes import manage

QUEUES = ["default", "webhooks", "email"]


def tasks_with(backend: str) -> dict:
    return {"default": {"BACKEND": backend, "QUEUES": QUEUES}}


@pytest.mark.parametrize(
    "backend",
    [
        "django_tasks_db.DatabaseBackend",
        "django_tasks_db.backend.DatabaseBackend",
        "tests.tasks_backend.AfterCommitBackend",
    ],
)
def test_a_backend_that_enqueues_in_the_transaction_passes_in_production(settings, backend):
    settings.DJANGO_ENV = "production"
    settings.TASKS = tasks_with(backend)

    assert check_task_backends() == []


@pytest.mark.parametrize(
    "backend",
    ["django.tasks.backends.immediate.ImmediateBackend", "django_tasks_rq.RQBackend"],
)
def test_a_backend_that_enqueues_outside_the_transaction_is_an_error_in_production(
    settings, backend
):
    settings.DJANGO_ENV = "production"
    settings.TASKS = tasks_with(backend)

    (problem,) = check_task_backends()

    assert problem.level == checks.ERROR
    assert problem.id == "backend.E001"
    assert backend in problem.msg


def test_a_backend_that_enqueues_outside_the_transaction_is_a_warning_in_development(settings):
    settings.DJANGO_ENV = "development"
    settings.TASKS = tasks_with("django.tasks.backends.immediate.ImmediateBackend")

    (problem,) = check_task_backends()

    assert problem.level == checks.WARNING
    assert problem.id == "backend.W001"


def test_no_tasks_setting_means_the_immediate_backend_and_is_refused(settings):
    settings.DJANGO_ENV = "production"
    del settings.TASKS

    (problem,) = check_task_backends()

    assert problem.id == "backend.E001"


def test_the_check_runs_with_the_other_system_checks(settings):
    settings.TASKS = tasks_with("django.tasks.backends.immediate.ImmediateBackend")

    found = checks.run_checks(tags=["tasks"])

    assert [problem.id for problem in found] == ["backend.W001"]


def test_production_with_the_immediate_backend_refuses_to_pass_check():
    result = manage(
        "check",
        DJANGO_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="shop.example.org",
        TASK_BACKEND="django.tasks.backends.immediate.ImmediateBackend",
    )

    assert result.returncode != 0
    assert "backend.E001" in result.stderr
