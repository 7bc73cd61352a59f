from django.apps import AppConfig

# Imported for its effect: it registers the project's system checks.
from backend import checks  # noqa: F401


class BackendConfig(AppConfig):
    """The project package as an app, so that its system checks run with `check`."""

    name = "backend"
    verbose_name = "Community Production"
