"""Production settings plus one bare view to measure the project against."""

from backend.settings import *  # noqa: F403

ROOT_URLCONF = "tests.perf.urls"
