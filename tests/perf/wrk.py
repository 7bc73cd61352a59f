"""Running wrk and reading what it measured."""

import json
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path

SCRIPT = Path(__file__).with_name("report.lua")
COLD = Path(__file__).with_name("cold.lua")
MARKER = "BENCH_JSON "


@dataclass(frozen=True)
class WrkResult:
    requests: int
    duration_s: float
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    non_2xx_3xx: int
    socket_errors: int

    @property
    def ok(self) -> bool:
        return self.requests > 0 and self.non_2xx_3xx == 0 and self.socket_errors == 0

    def as_dict(self) -> dict:
        return asdict(self)


def parse_output(output: str) -> WrkResult:
    """Read the JSON line that report.lua prints at the end of a run."""
    for line in output.splitlines():
        if line.startswith(MARKER):
            data = json.loads(line[len(MARKER) :])
            break
    else:
        raise ValueError("wrk printed no summary:\n" + output[-2000:])
    duration_s = data["duration_us"] / 1e6
    return WrkResult(
        requests=data["requests"],
        duration_s=round(duration_s, 3),
        rps=round(data["requests"] / duration_s, 1) if duration_s else 0.0,
        p50_ms=data["p50_us"] / 1000,
        p95_ms=data["p95_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        max_ms=data["max_us"] / 1000,
        non_2xx_3xx=data["non_2xx_3xx"],
        socket_errors=sum(
            data[key] for key in ("connect_errors", "read_errors", "write_errors", "timeout_errors")
        ),
    )


def script(*, cold: bool) -> Path:
    """report.lua, after cold.lua's random pages when `cold` (wrk takes one script)."""
    if not cold:
        return SCRIPT
    combined = Path(__file__).parents[2] / ".bench" / "cold-report.lua"
    combined.parent.mkdir(exist_ok=True)
    combined.write_text(COLD.read_text() + "\n" + SCRIPT.read_text())
    return combined


def command(
    url: str, *, threads: int, connections: int, duration_s: float, cold: bool = False
) -> list[str]:
    """wrk takes whole seconds."""
    return [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(duration_s))}s",
        "--timeout",
        "10s",
        "--latency",
        "-s",
        str(script(cold=cold)),
        url,
    ]


def run(
    url: str, *, threads: int, connections: int, duration_s: float, cold: bool = False
) -> WrkResult:
    args = command(url, threads=threads, connections=connections, duration_s=duration_s, cold=cold)
    completed = subprocess.run(
        args, capture_output=True, text=True, timeout=duration_s + 60, check=False
    )
    if completed.returncode != 0:
        raise RuntimeError(
            f"wrk failed ({completed.returncode}): {(completed.stderr + completed.stdout).strip()}"
        )
    return parse_output(completed.stdout)
