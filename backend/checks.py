"""System checks for promises the settings alone cannot keep.

Work that must happen once a change is saved (webhooks to the co-ops, refunds,
payouts, emails) is enqueued inside the transaction that makes the change. Only a
backend that writes the task in that same transaction keeps the promise that the
task exists if and only if the change committed: `ImmediateBackend` runs it
inside the transaction (with its locks held) and swallows its errors, and
queue-based backends such as `django_tasks_rq` enqueue at once, even for a change
that then rolls back.
"""

from django.conf import settings
from django.core import checks
from django.utils.module_loading import import_string

# Backends whose `enqueue()` commits or rolls back with the caller's transaction.
ENQUEUE_IN_TRANSACTION = frozenset(
    {
        "django_tasks_db.backend.DatabaseBackend",
        # The test suite's: runs each task after the commit, the way the worker would.
        "tests.tasks_backend.AfterCommitBackend",
    }
)


def _class_path(path: str) -> str:
    """The backend's class, named by the module that defines it (aliases resolved)."""
    try:
        backend = import_string(path)
    except ImportError:
        return path
    return f"{backend.__module__}.{backend.__qualname__}"


@checks.register("tasks")
def check_task_backends(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """An Error in production (a Warning elsewhere) for a task backend that does not
    enqueue inside the caller's transaction."""
    production = getattr(settings, "DJANGO_ENV", "development") == "production"
    message = checks.Error if production else checks.Warning
    problems = []
    configured = getattr(settings, "TASKS", None) or {
        "default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}
    }
    for alias, options in configured.items():
        path = options.get("BACKEND", "")
        if _class_path(path) in ENQUEUE_IN_TRANSACTION:
            continue
        problems.append(
            message(
                f"The task backend {path!r} (TASKS[{alias!r}]) does not enqueue inside the "
                "caller's transaction: a task could run for a change that rolled back, or "
                "be lost for one that committed.",
                hint="Use django_tasks_db.DatabaseBackend (TASK_BACKEND).",
                obj=f"TASKS[{alias!r}]",
                id="backend.E001" if production else "backend.W001",
            )
        )
    return problems
