"""Running manage.py in a process of its own, the way a deployment would."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def manage(*args, **env):
    # A real deployment has none of the test run's own settings (the browser tests allow
    # async-unsafe calls through the environment).
    leave_out = {"SECRET_KEY", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {k: v for k, v in os.environ.items() if k not in leave_out}
    clean.update(env)
    clean["DJANGO_SETTINGS_MODULE"] = "backend.settings"
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )
