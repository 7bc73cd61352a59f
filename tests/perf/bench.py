"""`make bench`: how fast the marketplace is, against a bare view on the same machine.

    python -m tests.perf.bench [--quick] [--only list_24,search] [--scale-out]

Steps: prepare the benchmark database, then for each endpoint alternate the
bare view (A) and the endpoint (B) as A B A B, each on a freshly started
gunicorn; then checkout contention, query counts and the search plan, and the
scale-out run. Prints a table, writes `.bench/results.json` and, on a full
run, rewrites the results block of docs/performance.md. Exits 1 when a guarantee is broken
(checkout counts, stock, each webhook once, the shared throttle) or a
measurement failed; missed speed targets are only reported.
"""

import argparse
import datetime
import http.client
import importlib.metadata
import json
import os
import platform
import secrets
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import psycopg
import redis
from standardwebhooks import Webhook, WebhookVerificationError

from tests.perf import report, servers, wrk
from tests.perf.gunicorn_conf import read_counters

ROOT = servers.ROOT
WORK = ROOT / ".bench"
DOC = ROOT / "docs" / "performance.md"
PAGE_SIZE = 24
DEEP_OFFSET = 90_000
SEARCH_WORD = "walnut"
ENDPOINTS = [
    "baseline",
    "list_24",
    "list_24_cold",
    "list_100",
    "deep_offset",
    "deep_offset_cold",
    "deep_next",
    "deep_next_cold",
    "search",
    "search_cold",
    "detail",
    "store_list",
    "store_list_cold",
    "store_detail",
]
SECTIONS = ["checkout", "queries", "scale-out"]
HOT_UNITS, CLIENTS = 50, 200


def say(message: str) -> None:
    stamp = datetime.datetime.now().strftime("%H:%M:%S")  # noqa: DTZ005 (local time for people)
    print(f"[{stamp}] {message}", flush=True)  # noqa: T201


class Bench:
    def __init__(self, args):
        self.args = args
        self.database_url = args.database_url
        self.redis_url = args.redis_url
        self.duration = max(1, round(args.duration or (2 if args.quick else 5)))
        self.warmup = 1.0
        self.connections, self.threads = args.connections, 2
        self.config = servers.GunicornConfig(worker_connections=max(1, self.connections // 2))
        self.processes: list[servers.Process] = []
        self.env = self._environment()
        self.results: dict = {"verdicts": []}
        self.failures: list[str] = []

    # --- environment and database ----------------------------------------------------------

    def _environment(self) -> dict[str, str]:
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("DJANGO_", "THROTTLE_", "DATABASE_", "REDIS_"))
        }
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": "tests.perf.settings",
                "DJANGO_ENV": "production",
                "SECRET_KEY": secrets.token_urlsafe(48)[:64],
                "ALLOWED_HOSTS": "127.0.0.1,localhost",
                "SECURE_SSL_REDIRECT": "false",
                "DATABASE_URL": self.database_url,
                "REDIS_URL": self.redis_url,
                "MEDIA_ROOT": str(WORK / "media"),
                "LOG_LEVEL": "WARNING",
                "WEBHOOKS_ALLOW_PRIVATE": "true",
                # One client address places every order: the order throttle would
                # otherwise refuse most of the 200 simultaneous checkouts.
                "THROTTLE_ORDERS": "1000000/min",
                "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
                "BENCH_BASELINE_PAYLOAD": str(WORK / "baseline.json"),
                "PYTHONUNBUFFERED": "1",
            }
        )
        return env

    def manage(self, *args: str, quiet: bool = True, env: dict[str, str] | None = None) -> None:
        command = [sys.executable, "manage.py", *args]
        env = env or self.env
        if quiet:
            completed = subprocess.run(
                command, cwd=ROOT, env=env, capture_output=True, text=True, check=False
            )
            if completed.returncode != 0:
                raise RuntimeError(f"manage.py {args[0]} failed:\n{completed.stderr[-3000:]}")
        else:
            subprocess.run(command, cwd=ROOT, env=env, check=True)

    def prepare(self, command: str, **args) -> dict:
        env = {**self.env, "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver"}
        completed = subprocess.run(
            [sys.executable, "-m", "tests.perf.prepare", command, json.dumps(args)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if completed.returncode != 0:
            raise RuntimeError(f"prepare {command} failed:\n{completed.stderr[-3000:]}")
        return json.loads(completed.stdout.strip().splitlines()[-1])

    def database(self) -> dict:
        url = urllib.parse.urlsplit(self.database_url)
        name = url.path.lstrip("/")
        admin = url._replace(path="/postgres").geturl()
        with psycopg.connect(admin, autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if not exists:
                say(f"Creating database {name}")
                conn.execute(f'CREATE DATABASE "{name}"')
        say("Migrating the benchmark database")
        self.manage("migrate", "--no-input")
        with psycopg.connect(self.database_url) as conn:
            count = conn.execute("SELECT count(*) FROM catalog_product").fetchone()[0]
        if count < self.args.products:
            say(f"Seeding {self.args.products:,} products ({count:,} now); this takes a while")
            # The demo network has accounts with known passwords, so seed_demo refuses
            # the production profile: the benchmark's own throwaway database is seeded
            # under the development one, then served under production settings.
            seeding = {**self.env, "DJANGO_ENV": "development", "DEBUG": "false"}
            self.manage(
                "seed_demo",
                "--products",
                str(self.args.products),
                "--no-images",
                quiet=False,
                env=seeding,
            )
        with psycopg.connect(self.database_url, autocommit=True) as conn:
            # Fresh bulk inserts leave the planner without statistics until autovacuum
            # passes; measure the plans a settled database would use.
            conn.execute("ANALYZE")
        say("Collecting static files (the production profile serves them from STATIC_ROOT)")
        self.manage("collectstatic", "--no-input")
        info = self.prepare("info", search=SEARCH_WORD)
        say(
            f"Database: {info['products']:,} products, {info['published']:,} published, "
            f"{info['search_hits']:,} match {SEARCH_WORD!r}; PostgreSQL {info['postgres']}"
        )
        return info

    # --- servers ---------------------------------------------------------------------------

    def flush_redis(self) -> None:
        redis.Redis.from_url(self.redis_url).flushdb()

    def start_server(self, port: int, *, extra_env: dict | None = None) -> servers.Process:
        process = servers.start_gunicorn(
            port=port,
            config=self.config,
            env={**self.env, **(extra_env or {})},
            counter_file=WORK / f"counters-{port}",
            log=WORK / "logs" / f"gunicorn-{port}.log",
        )
        self.processes.append(process)
        return process

    def stop(self, process: servers.Process) -> None:
        servers.stop(process)
        if process in self.processes:
            self.processes.remove(process)

    def stop_all(self) -> None:
        for process in list(self.processes):
            self.stop(process)

    def restart(self, port: int, **kwargs) -> servers.Process:
        self.stop_all()
        self.flush_redis()
        return self.start_server(port, **kwargs)

    # --- endpoints -------------------------------------------------------------------------

    def get(self, port: int, path: str) -> tuple[int, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        try:
            connection.request("GET", path, headers={"Accept": "application/json"})
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def get_json(self, port: int, path: str) -> dict:
        status, body = self.get(port, path)
        if status != 200:
            raise RuntimeError(f"GET {path} answered {status}")
        return json.loads(body)

    def urls(self, port: int, info: dict) -> dict[str, str]:
        say("Finding the URLs: a product slug, the deep page's next link, the baseline payload")
        first = self.get_json(port, f"/api/v1/products/?page_size={PAGE_SIZE}")
        (WORK / "baseline.json").write_text(json.dumps(first))
        slug = first["results"][0]["slug"]
        # Past item 90,000 on the full catalog; 90% of the way on a smaller one.
        enough = info["published"] >= DEEP_OFFSET + PAGE_SIZE
        offset = DEEP_OFFSET if enough else info["published"] * 9 // 10
        deep_page = offset // PAGE_SIZE + 1
        deep_next = None
        try:
            before = self.get_json(
                port, f"/api/v1/products/?page_size={PAGE_SIZE}&page={deep_page - 1}"
            )
            next_link = urllib.parse.urlsplit(before["next"])
            deep_next = next_link.path + ("?" + next_link.query if next_link.query else "")
        except (RuntimeError, KeyError, TypeError, ValueError) as exc:
            say(f"  no next link from page {deep_page - 1}: {exc}")
        return {
            "baseline": "/bench/baseline/",
            "list_24": f"/api/v1/products/?page_size={PAGE_SIZE}",
            # Never cached (cold.lua): what building the page from the database costs.
            "list_24_cold": f"/api/v1/products/?page_size={PAGE_SIZE}",
            "list_100": "/api/v1/products/?page_size=100",
            "deep_offset": f"/api/v1/products/?page_size={PAGE_SIZE}&page={deep_page}",
            "deep_offset_cold": f"/api/v1/products/?page_size={PAGE_SIZE}&page={deep_page}",
            "deep_next": deep_next,
            "deep_next_cold": deep_next,
            "search": f"/api/v1/products/?q={SEARCH_WORD}",
            "search_cold": f"/api/v1/products/?q={SEARCH_WORD}",
            "detail": f"/api/v1/products/{slug}/",
            "store_list": "/products/",
            "store_list_cold": "/products/",
            "store_detail": f"/products/{slug}/",
        }

    def measure(
        self, port: int, path: str, duration: float, *, cold: bool = False
    ) -> tuple[wrk.WrkResult, list[int]]:
        counters = WORK / f"counters-{port}"
        before = read_counters(counters)
        result = wrk.run(
            f"http://127.0.0.1:{port}{path}",
            threads=self.threads,
            connections=self.connections,
            duration_s=duration,
            cold=cold,
        )
        after = read_counters(counters)
        return result, [a - b for a, b in zip(after, before, strict=True)]

    def endpoint_block(self, port: int, name: str, urls: dict) -> tuple[dict, list]:
        """A B A B: the bare view, the endpoint, the bare view, the endpoint."""
        self.restart(port)
        for which in ("baseline", name):
            status, _ = self.get(port, urls[which])
            if status != 200:
                raise RuntimeError(f"{which} ({urls[which]}) answered {status}, not 200")
            self.measure(port, urls[which], self.warmup, cold=which.endswith("_cold"))
        runs = {"baseline": [], name: []}
        for which in ("baseline", name, "baseline", name):
            cold = which.endswith("_cold")
            result, split = self.measure(port, urls[which], self.duration, cold=cold)
            say(
                f"  {which:<13} {result.rps:>9,.1f} req/s  p50 {result.p50_ms:.2f} ms  "
                f"p99 {result.p99_ms:.2f} ms  non-2xx {result.non_2xx_3xx}  "
                f"errors {result.socket_errors}"
            )
            runs[which].append((result, split))
        return summarise(name, urls[name], runs[name], runs["baseline"]), runs["baseline"]

    def endpoints(self, port: int, urls: dict, names: list[str], queries: dict) -> list[dict]:
        rows, baseline_runs = [], []
        for name in names:
            if name == "baseline":
                continue
            say(f"Measuring {name}: {urls[name]} (A B A B, {self.duration:g} s each)")
            try:
                if urls[name] is None:
                    raise RuntimeError("no URL: the page before it gave no next link")
                row, base = self.endpoint_block(port, name, urls)
            except RuntimeError as exc:
                say(f"  {name} not measured: {exc}")
                row, base = failed_row(name, urls[name], str(exc)), []
            rows.append(row)
            baseline_runs += base
        if "baseline" in names and not baseline_runs:
            say("Measuring baseline alone")
            self.restart(port)
            self.measure(port, urls["baseline"], self.warmup)
            baseline_runs = [self.measure(port, urls["baseline"], self.duration)]
        base_row = summarise("baseline", urls["baseline"], baseline_runs, None)
        rows = [base_row, *rows]
        for row in rows:
            counted = queries.get(row["name"], {})
            row["queries"] = counted.get("queries")
            row["queries_cold"] = counted.get("queries_cold")
            if not row["ok"]:
                self.failures.append(f"{row['name']}: " + "; ".join(row["problems"]))
        return rows

    # --- checkout --------------------------------------------------------------------------

    def checkout_burst(self, ports: list[int], products: list[str]) -> dict:
        command = [sys.executable, "-m", "tests.perf.checkout_load", "--clients", str(CLIENTS)]
        for port in ports:
            command += ["--server", f"127.0.0.1:{port}"]
        for slug in products:
            command += ["--product", slug]
        completed = subprocess.run(
            command, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
        )
        if completed.returncode != 0:
            raise RuntimeError(f"checkout load failed:\n{completed.stderr[-2000:]}")
        return json.loads(completed.stdout.strip().splitlines()[-1])

    def checkout(self, port: int) -> dict:
        results = {}
        for kind in ("hot", "spread"):
            say(f"Checkout ({kind}): counting stock, restarting the server")
            stock = self.prepare("stock", hot_units=HOT_UNITS, spread=CLIENTS)
            if kind == "hot" and stock["hot_free"] not in {str(HOT_UNITS), f"{HOT_UNITS}.000"}:
                raise RuntimeError(f"hot product counted to {stock['hot_free']}, not {HOT_UNITS}")
            self.restart(port)
            products = [stock["hot"]] if kind == "hot" else stock["spread"]
            say(f"Checkout ({kind}): {CLIENTS} clients at once → {len(products)} product(s)")
            result = self.checkout_burst([port], products)
            if kind == "hot":
                result["product"] = stock["hot"]
                result["final_free"] = self.prepare("free", slug=stock["hot"])["free"]
            results[kind] = result
            say("  " + report.checkout_lines(kind, result)[0])
        self.stop_all()
        return results

    # --- scale-out -------------------------------------------------------------------------

    def scale_out(self, ports: list[int]) -> dict:
        out: dict = {}
        receiver = Receiver()
        saved = str(WORK / "webhook-urls.json")
        try:
            receiver.start()
            say(f"Scale-out: webhooks of active producers → receiver on port {receiver.port}")
            pointed = self.prepare(
                "webhooks-point", base=f"http://127.0.0.1:{receiver.port}/hook", saved=saved
            )
            receiver.secrets = pointed["secrets"]
            stock = self.prepare("stock", hot_units=HOT_UNITS, spread=CLIENTS)
            self.stop_all()
            self.flush_redis()
            say(f"Scale-out: two servers on ports {ports[0]} and {ports[1]}, two task workers")
            for port in ports:
                self.start_server(port)
            for index in (1, 2):
                worker = servers.start_task_worker(
                    name=f"bench-worker-{index}",
                    env=self.env,
                    log=WORK / "logs" / f"worker-{index}.log",
                )
                self.processes.append(worker)
            say(f"Scale-out: {CLIENTS} clients (half per server) → one product with {HOT_UNITS}")
            result = self.checkout_burst(ports, [stock["hot"]])
            result["final_free"] = self.prepare("free", slug=stock["hot"])["free"]
            out["checkout"] = result
            say("  " + report.checkout_lines("hot, two servers", result)[0])
            out["webhooks"] = self.wait_webhooks(receiver, stock["last_order_id"])
            self.stop_all()
            out["throttle"] = self.throttle(ports)
        finally:
            self.stop_all()
            receiver.stop()
            try:
                self.prepare("webhooks-restore", saved=saved)
            except RuntimeError as exc:
                say(f"Could not restore the webhook URLs: {exc}")
        return out

    def wait_webhooks(self, receiver: "Receiver", after_order_id: int) -> dict:
        timeout = 60 if self.args.quick else 180
        started = time.monotonic()
        while True:
            rows = self.prepare("deliveries", after_order_id=after_order_id)
            expected = set(rows["message_ids"])
            received = expected & set(receiver.counts)
            elapsed = time.monotonic() - started
            say(f"  webhooks: {len(received)}/{len(expected)} received ({elapsed:.0f} s)")
            if received == expected or elapsed > timeout:
                break
            time.sleep(2)
        time.sleep(1)  # let a late duplicate show itself
        duplicates = sum(1 for n in receiver.counts.values() if n > 1)
        return {
            "orders": rows["orders"],
            "jobs": rows["jobs"],
            "expected": len(expected),
            "received": len(received),
            "missing": len(expected - received),
            "duplicates": duplicates,
            "bad_signatures": receiver.bad_signatures,
            "states": rows["states"],
            "by_worker": rows["by_worker"],
            "seconds": time.monotonic() - started,
        }

    def throttle(self, ports: list[int]) -> dict:
        say("Scale-out: sign-in throttle at 10/min, 30 wrong passwords over both servers")
        self.flush_redis()
        for port in ports:
            self.start_server(port, extra_env={"THROTTLE_AUTH": "10/min"})
        statuses: dict[str, int] = {}
        body = json.dumps({"username": "nobody-bench", "password": "wrong"})
        for index in range(30):
            connection = http.client.HTTPConnection("127.0.0.1", ports[index % 2], timeout=30)
            connection.request(
                "POST", "/api/v1/auth/token/", body, {"Content-Type": "application/json"}
            )
            status = connection.getresponse().status
            connection.close()
            statuses[str(status)] = statuses.get(str(status), 0) + 1
        self.stop_all()
        throttled = statuses.get("429", 0)
        return {"sent": 30, "allowed": 30 - throttled, "throttled": throttled, "statuses": statuses}

    # --- the whole run ---------------------------------------------------------------------

    def run(self) -> int:
        WORK.mkdir(exist_ok=True)
        (WORK / "media").mkdir(exist_ok=True)
        selected = self.selection()
        info = self.database()
        port = self.args.port
        self.results.update(
            {
                "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
                "quick": self.args.quick,
                "database": info,
                "machine": machine(info),
                "config": {
                    "gunicorn": self.config.describe(),
                    "wrk": (
                        f"{wrk_version()}, -t{self.threads} -c{self.connections}, "
                        f"{self.duration:g} s per run after {self.warmup:g} s warm-up, A B A B"
                    ),
                    "checkout": f"{CLIENTS} clients, one connection each, released together",
                },
            }
        )
        say(f"Server: {self.config.describe()}; load: {self.results['config']['wrk']}")
        names = [n for n in ENDPOINTS if n in selected]
        queries: dict = {}
        if names or "queries" in selected or "checkout" in selected:
            self.restart(port)
            urls = self.urls(port, info)
            self.results["urls"] = urls
            self.stop_all()
        if "queries" in selected:
            say("Counting queries per endpoint (test client, in process)")
            try:
                queries = self.prepare("queries", urls=urls)
            except RuntimeError as exc:
                self.failures.append(f"query counts: {str(exc)[-300:]}")
            self.results["queries"] = queries
            for name, q in queries.items():
                if q["status"] != 200:
                    self.failures.append(f"{name}: test client got {q['status']}")
            say("EXPLAIN of the search query")
            try:
                self.results["explain"] = self.prepare("explain", search=SEARCH_WORD)
            except RuntimeError as exc:
                self.results["explain"] = {"error": str(exc)[-300:]}
        if names:
            self.results["endpoints"] = self.endpoints(port, urls, names, queries)
        if "checkout" in selected:
            self.results["checkout"] = self.checkout(port)
        if "scale-out" in selected:
            try:
                self.results["scale_out"] = self.scale_out([port, port + 1])
            except RuntimeError as exc:
                self.results["scale_out"] = {"error": str(exc)[-500:]}
                self.failures.append(f"scale-out: {exc}")
        self.results["verdicts"] = verdicts(self.results)
        self.results["failures"] = self.failures
        return self.finish()

    def selection(self) -> set[str]:
        if self.args.scale_out and not self.args.only:
            return {"scale-out"}
        if not self.args.only:
            return set(ENDPOINTS) | set(SECTIONS)
        chosen = {name.strip() for name in self.args.only.split(",") if name.strip()}
        unknown = chosen - set(ENDPOINTS) - set(SECTIONS)
        if unknown:
            raise SystemExit(
                f"Unknown: {', '.join(sorted(unknown))}. Choose from "
                f"{', '.join(ENDPOINTS + SECTIONS)}."
            )
        if self.args.scale_out:
            chosen.add("scale-out")
        return chosen

    def finish(self) -> int:
        print(report.terminal(self.results), flush=True)  # noqa: T201
        path = WORK / "results.json"
        report.write_json(path, self.results)
        print(f"\nResults: {path.relative_to(ROOT)}", flush=True)  # noqa: T201
        if self.args.only or self.args.scale_out:
            say("A partial run: docs/performance.md keeps the last full run's results")
        else:
            report.write_markdown(DOC, report.markdown(self.results))
            say("docs/performance.md updated")
        broken = [v for v in self.results["verdicts"] if v["guarantee"] and not v["met"]]
        for verdict in broken:
            say(f"Guarantee broken: {verdict['target']}: {verdict['actual']}")
        for failure in self.failures:
            say(f"Failed: {failure}")
        return 1 if broken or self.failures else 0


def summarise(name: str, url: str, runs: list, baseline_runs: list | None) -> dict:
    """One row: the mean of the runs, and its ratios to the alternating baseline runs."""
    results = [r for r, _ in runs]
    split = [sum(column) for column in zip(*(s for _, s in runs), strict=True)]

    def mean(values):
        return sum(values) / len(values)

    row = {
        "name": name,
        "url": url,
        "rps": round(mean([r.rps for r in results]), 1),
        "p50_ms": round(mean([r.p50_ms for r in results]), 2),
        "p95_ms": round(mean([r.p95_ms for r in results]), 2),
        "p99_ms": round(mean([r.p99_ms for r in results]), 2),
        "split": format_split(split),
        "split_counts": [n for n in split if n],
        "runs": [r.as_dict() for r in results],
        "ratio_rps": 1.0 if baseline_runs is None else None,
        "ratio_latency": None,
    }
    problems = []
    non_2xx = sum(r.non_2xx_3xx for r in results)
    errors = sum(r.socket_errors for r in results)
    if non_2xx:
        problems.append(f"{non_2xx} answers not 2xx/3xx")
    if errors:
        problems.append(f"{errors} socket errors")
    if baseline_runs:
        base = [r for r, _ in baseline_runs]
        row["baseline_rps"] = round(mean([r.rps for r in base]), 1)
        if row["baseline_rps"] and all(r.p50_ms for r in base):
            row["ratio_rps"] = round(row["rps"] / row["baseline_rps"], 3)
            row["ratio_latency"] = [
                round(row[key] / mean([getattr(r, key) for r in base]), 2)
                for key in ("p50_ms", "p95_ms", "p99_ms")
            ]
        else:  # the server was still busy with the endpoint's earlier requests
            problems.append("the bare view answered nothing beside it")
    row["problems"], row["ok"] = problems, not problems
    return row


def failed_row(name: str, url: str | None, problem: str) -> dict:
    row = dict.fromkeys(["rps", "p50_ms", "p95_ms", "p99_ms", "ratio_rps", "ratio_latency"])
    return row | {"name": name, "url": url, "split": "", "ok": False, "problems": [problem]}


def format_split(counts: list[int]) -> str:
    """How the requests spread over the workers, in percent: "51/49"."""
    used = [n for n in counts if n]
    total = sum(used)
    if not total:
        return ""
    return "/".join(str(round(100 * n / total)) for n in used)


def verdicts(results: dict) -> list[dict]:
    out = []

    def add(target: str, met: bool, actual: str, *, guarantee: bool) -> None:
        out.append({"target": target, "met": bool(met), "actual": actual, "guarantee": guarantee})

    def contention(label: str, r: dict) -> None:
        if "error" in r:
            add(f"{label}: measured", False, r["error"], guarantee=True)
            return
        counts = f"{r['created']}×201, {r['conflict']}×409, {r['server_errors']}×5xx"
        add(
            f"{label}: exactly {HOT_UNITS}×201, {CLIENTS - HOT_UNITS}×409, no 5xx",
            r["created"] == HOT_UNITS
            and r["conflict"] == CLIENTS - HOT_UNITS
            and r["server_errors"] == 0
            and r["other"] == 0,
            counts + f", {r['other']}×other",
            guarantee=True,
        )
        add(
            f"{label}: free stock ends at 0",
            float(r["final_free"]) == 0,
            str(r["final_free"]),
            guarantee=True,
        )
        add(f"{label}: p99 < 300 ms", r["p99_ms"] < 300, f"{r['p99_ms']} ms", guarantee=False)

    rows = {row["name"]: row for row in results.get("endpoints", []) if row.get("ok")}

    def latency_target(label: str, name: str, key: str, reference: str, limit: float) -> None:
        if name in rows and reference in rows:
            ratio = rows[name][key] / rows[reference][key]
            add(
                f"{label} ≤ {limit:g}× {reference} {key.removesuffix('_ms')}",
                ratio <= limit,
                f"{rows[name][key]} vs {rows[reference][key]} ms ({ratio:.2f}×)",
                guarantee=False,
            )

    for name in ("list_24", "list_24_cold"):
        if rows.get(name, {}).get("ratio_rps") is not None:
            ratio = rows[name]["ratio_rps"]
            add(
                f"{name} ≥ 40% of the bare view's req/s",
                ratio >= 0.4,
                f"{rows[name]['rps']:,} req/s ({ratio:.0%})",
                guarantee=False,
            )
    for suffix in ("", "_cold"):
        first = f"list_24{suffix}"
        latency_target(f"deep_next{suffix} p50", f"deep_next{suffix}", "p50_ms", first, 1.5)
        latency_target(f"deep_offset{suffix} p50", f"deep_offset{suffix}", "p50_ms", first, 1.5)
        latency_target(f"search{suffix} p95", f"search{suffix}", "p95_ms", first, 3)
    explain = results.get("explain", {})
    if "uses_gin" in explain:
        add(
            "search uses the GIN index",
            explain["uses_gin"],
            next(
                (line.strip() for line in explain.get("plan", []) if "gin" in line), "no index scan"
            ),
            guarantee=False,
        )
    latency_target("store_list p95", "store_list", "p95_ms", "list_24", 2)
    latency_target("store_list_cold p95", "store_list_cold", "p95_ms", "list_24_cold", 2)

    checkout = results.get("checkout", {})
    if "hot" in checkout:
        contention("hot checkout", checkout["hot"])
    if "spread" in checkout:
        spread = checkout["spread"]
        add(
            "spread checkout: no 5xx",
            spread["server_errors"] == 0,
            f"{spread['created']}×201, {spread['conflict']}×409, {spread['server_errors']}×5xx",
            guarantee=True,
        )
        if "hot" in checkout and spread["orders_per_s"]:
            ratio = checkout["hot"]["orders_per_s"] / spread["orders_per_s"]
            add(
                "hot orders/s ≥ 60% of spread",
                ratio >= 0.6,
                f"{checkout['hot']['orders_per_s']} vs {spread['orders_per_s']} "
                f"orders/s ({ratio:.0%})",
                guarantee=False,
            )
    scale = results.get("scale_out", {})
    if "checkout" in scale:
        contention("two-server checkout", scale["checkout"])
    if "webhooks" in scale:
        w = scale["webhooks"]
        add(
            "every webhook delivered exactly once, correctly signed",
            w["missing"] == 0 and w["duplicates"] == 0 and w["bad_signatures"] == 0,
            f"{w['received']}/{w['expected']} received, {w['duplicates']} duplicates, "
            f"{w['bad_signatures']} bad signatures",
            guarantee=True,
        )
    if "throttle" in scale:
        t = scale["throttle"]
        add(
            "sign-in throttle shared by both servers: 10 answered, 20×429",
            t["allowed"] == 10 and t["throttled"] == 20,
            f"{t['allowed']} answered, {t['throttled']}×429",
            guarantee=True,
        )
    return out


class Receiver:
    """A co-op's webhook endpoint: checks each signature and counts each webhook-id."""

    def __init__(self):
        self.counts: dict[str, int] = {}
        self.bad_signatures = 0
        self.secrets: dict[str, str] = {}
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                producer = self.path.rstrip("/").rsplit("/", 1)[-1]
                valid = True
                try:
                    Webhook(receiver.secrets[producer]).verify(body, dict(self.headers.items()))
                except (KeyError, WebhookVerificationError):
                    valid = False
                with receiver.lock:
                    message_id = self.headers.get("webhook-id", "")
                    receiver.counts[message_id] = receiver.counts.get(message_id, 0) + 1
                    receiver.bad_signatures += not valid
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format, *args):
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def machine(info: dict) -> dict:
    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    memory = ""
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal"):
            memory = f"{int(line.split()[1]) / 1024 / 1024:.0f} GiB memory"
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory": memory,
        "python": platform.python_version(),
        "django": importlib.metadata.version("django"),
        "gunicorn": importlib.metadata.version("gunicorn"),
        "postgresql": info.get("postgres"),
        "load_average": " ".join(f"{n:.2f}" for n in os.getloadavg()),
    }


def wrk_version() -> str:
    completed = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False)
    text = (completed.stdout + completed.stderr).strip().splitlines()
    return text[0].split(" [")[0] if text else "wrk"


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/cp_bench"),
    )
    parser.add_argument(
        "--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/2")
    )
    parser.add_argument("--products", type=int, default=100_000, help="seed up to this many")
    parser.add_argument("--quick", action="store_true", help="2-second runs")
    parser.add_argument("--duration", type=int, help="whole seconds per run")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections")
    parser.add_argument("--port", type=int, default=8701, help="first of two ports")
    parser.add_argument(
        "--only", help=f"comma-separated subset of: {', '.join(ENDPOINTS + SECTIONS)}"
    )
    parser.add_argument("--scale-out", action="store_true", help="the scale-out run alone")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        say("wrk is not installed: apt-get install -y wrk (or run `make bench` as root)")
        return 2
    signal.signal(signal.SIGTERM, _interrupt)
    bench = Bench(args)
    try:
        return bench.run()
    except KeyboardInterrupt:
        say("Interrupted; stopping the servers")
        return 130
    finally:
        bench.stop_all()


if __name__ == "__main__":
    sys.exit(main())
