"""Starting and stopping the processes under test: gunicorn and the task workers.

Every process gets its own process group, so stopping it stops everything it
started; gunicorn's workers are also stopped by PID, because a worker still busy
with a slow request can outlive its arbiter (docs/performance.md).
"""

import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from tests.perf import gunicorn_conf

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class GunicornConfig:
    workers: int = 2
    threads: int = 4
    worker_connections: int = 8

    def describe(self) -> str:
        return (
            f"gunicorn gthread, {self.workers} workers × {self.threads} threads, "
            f"--worker-connections {self.worker_connections}"
        )


@dataclass
class Process:
    name: str
    popen: subprocess.Popen
    log: Path
    children: list[int] = field(default_factory=list)

    @property
    def pid(self) -> int:
        return self.popen.pid


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            found += [int(p) for p in task.read_text().split()]
        except OSError:
            continue
    return found


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    stat = Path(f"/proc/{pid}/stat")
    try:
        return stat.read_text().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def stop(process: Process, *, grace: float = 10.0) -> None:
    """Stop a process we started, its workers by PID, then its whole group."""
    if process.popen.poll() is None:
        process.children = sorted(set(process.children) | set(_children(process.pid)))
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.popen.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.popen.wait(timeout=5)
    deadline = time.monotonic() + grace
    for pid in process.children:
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        if _alive(pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def _spawn(name: str, args: list[str], env: dict[str, str], log: Path) -> Process:
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        popen = subprocess.Popen(
            args,
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            process_group=0,
        )
    return Process(name=name, popen=popen, log=log)


def start_gunicorn(
    *, port: int, config: GunicornConfig, env: dict[str, str], counter_file: Path, log: Path
) -> Process:
    gunicorn_conf.create_counter_file(counter_file)
    args = [
        str(VENV_BIN / "gunicorn"),
        "backend.wsgi:application",
        "--config",
        "python:tests.perf.gunicorn_conf",
        "--worker-class",
        "gthread",
        "--workers",
        str(config.workers),
        "--threads",
        str(config.threads),
        "--worker-connections",
        str(config.worker_connections),
        "--bind",
        f"127.0.0.1:{port}",
        "--timeout",
        "60",
        "--graceful-timeout",
        "5",
    ]
    process = _spawn(
        f"gunicorn:{port}", args, {**env, "BENCH_COUNTER_FILE": str(counter_file)}, log
    )
    wait_healthy(f"http://127.0.0.1:{port}", process)
    process.children = _children(process.pid)
    return process


def start_task_worker(*, name: str, env: dict[str, str], log: Path) -> Process:
    args = [
        sys.executable,
        "manage.py",
        "db_worker",
        "--queue-name",
        "*",
        "--interval",
        "0.2",
        "--no-reload",
        "--worker-id",
        name,
    ]
    return _spawn(name, args, env, log)


def wait_healthy(base_url: str, process: Process, *, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        if process.popen.poll() is not None:
            raise RuntimeError(f"{process.name} exited; see {process.log}")
        try:
            with urllib.request.urlopen(f"{base_url}/healthz", timeout=5) as response:
                if response.status == 200:
                    return
                last = str(response.status)
        except (urllib.error.URLError, OSError) as exc:
            last = str(exc)
        time.sleep(0.2)
    raise RuntimeError(f"{process.name} not healthy after {timeout:.0f} s ({last})")
