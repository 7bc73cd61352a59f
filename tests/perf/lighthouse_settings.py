"""Production settings for `make lighthouse`, with the uploaded pictures served by Django.

In production the pictures come from the media storage behind its own server; here one
process serves everything, so that Lighthouse sees the pages as a buyer would.
"""

from backend.settings import *  # noqa: F403

ROOT_URLCONF = "tests.perf.lighthouse_urls"
