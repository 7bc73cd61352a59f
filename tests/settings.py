"""Fast, quiet settings for the test suite. DATABASE_URL still picks the database."""

from backend.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
# Tasks run after the transaction that enqueued them commits, and raise their errors,
# the way the worker runs them in production (tests/tasks_backend.py).
TASKS = {
    "default": {
        "BACKEND": "tests.tasks_backend.AfterCommitBackend",
        "QUEUES": ["default", "webhooks", "email"],
    }
}
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_RATES": {"auth": "1000/min", "orders": "1000/min"},
}
# One process: its local-memory cache sees every change.
CATALOG_CACHE = True
# Test receivers listen on 127.0.0.1; tests of the guard switch this off.
WEBHOOKS_ALLOW_PRIVATE = True
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
# Design files a test stores land in a folder of this run, never in the project's own.
DESIGN_FILES_ROOT = __import__("pathlib").Path(__import__("tempfile").mkdtemp(prefix="designs-"))
