"""`make lighthouse`: Lighthouse (mobile) on the storefront's main pages, scores into the docs.

Seeds the demo network into a throwaway SQLite database, serves it with gunicorn under the
production settings, fills a cart and places an order through the pages themselves (so the
cart and the order page have something to show), then runs Lighthouse on home, the product
list, a product page, the cart and the order page. The scores go into docs/performance.md
between the lighthouse markers; the run fails when any category of any page is below 95.

Run as `python -m tests.perf.lighthouse` (the Makefile installs Lighthouse first).
"""

import argparse
import datetime
import html
import http.cookiejar
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request
from pathlib import Path

from tests.perf import lighthouse_report, servers

ROOT = Path(__file__).resolve().parents[2]
TOOL = ROOT / "tools" / "lighthouse"
LIGHTHOUSE = TOOL / "node_modules" / ".bin" / "lighthouse"
DOC = ROOT / "docs" / "performance.md"
CHROME = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
CHROME_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-background-networking "
    "--disable-component-update --disable-sync"
)
ATTEMPTS = 3
CATEGORY_IDS = ",".join(key for key, _ in lighthouse_report.CATEGORIES)


def say(message: str) -> None:
    stamp = datetime.datetime.now().strftime("%H:%M:%S")  # noqa: DTZ005 (local time for people)
    print(f"[{stamp}] {message}", flush=True)  # noqa: T201


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def environment(work: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "REDIS_", "THROTTLE_"))
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "tests.perf.lighthouse_settings",
            "DJANGO_ENV": "production",
            "SECRET_KEY": secrets.token_urlsafe(48)[:64],
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "false",
            "DATABASE_URL": f"sqlite:///{work / 'db.sqlite3'}",
            "MEDIA_ROOT": str(work / "media"),
            "LOG_LEVEL": "WARNING",
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def manage(env: dict[str, str], *args: str) -> None:
    completed = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"manage.py {args[0]} failed:\n{completed.stderr[-3000:]}")


def seed(env: dict[str, str]) -> None:
    say("Migrating a throwaway SQLite database")
    manage(env, "migrate", "--no-input")
    say("Seeding the demo network with its pictures (about a minute)")
    # seed_demo refuses the production profile (it creates accounts with known
    # passwords): the throwaway database is seeded under the development one.
    manage({**env, "DJANGO_ENV": "development", "DEBUG": "false"}, "seed_demo")
    say("Collecting static files (the production profile serves them from STATIC_ROOT)")
    manage(env, "collectstatic", "--no-input")


class Browser:
    """One visitor: a cookie jar and the forms' CSRF token, over plain HTTP.

    The production profile marks its cookies Secure; the server here speaks HTTP on the
    loopback, so the jar sends them over HTTP too.
    """

    def __init__(self, base: str) -> None:
        self.base = base
        policy = http.cookiejar.DefaultCookiePolicy(secure_protocols=("https", "wss", "http"))
        self.jar = http.cookiejar.CookieJar(policy)
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str) -> tuple[str, str]:
        with self.opener.open(self.base + path, timeout=30) as response:
            return response.geturl(), response.read().decode()

    def post(self, path: str, data: dict[str, str]) -> tuple[str, str]:
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": self.cookie("csrftoken")})
        request = urllib.request.Request(self.base + path, data=body.encode(), method="POST")
        with self.opener.open(request, timeout=30) as response:
            return response.geturl(), response.read().decode()

    def cookie(self, name: str) -> str:
        return next((c.value for c in self.jar if c.name == name), "")


def product_paths(page: str) -> list[str]:
    """The product pages a page links to, in order, once each."""
    found = re.findall(r'href="(/products/[\w-]+/)"', page)
    return list(dict.fromkeys(found))


def hidden_value(page: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', page)
    return html.unescape(match.group(1)) if match else ""


def add_to_cart(browser: Browser, product_path: str) -> bool:
    _, page = browser.get(product_path)
    if 'class="add-to-cart"' not in page:
        return False
    url, _ = browser.post(f"/cart/add/{product_path.split('/')[2]}/", {"quantity": "1"})
    return url.endswith("/cart/")


def fill_cart(browser: Browser, candidates: list[str], count: int) -> list[str]:
    added = []
    for path in candidates:
        if len(added) == count:
            break
        if add_to_cart(browser, path):
            added.append(path)
    if len(added) < count:
        raise RuntimeError(f"Only {len(added)} of {count} products could go in a cart")
    return added


def place_order(base: str, candidates: list[str]) -> str:
    """A guest's pay-at-pickup order, placed through the checkout page; its page's path."""
    for path in candidates:
        buyer = Browser(base)
        if not add_to_cart(buyer, path):
            continue
        _, page = buyer.get("/checkout/")
        url, _ = buyer.post(
            "/checkout/",
            {
                "name": "Lighthouse Visitor",
                "email": "visitor@example.com",
                "phone": "",
                "fulfilment": "pickup",
                "pickup_point": "",
                "payment_method": "pay_at_pickup",
                "note": "",
                "checkout_token": hidden_value(page, "checkout_token"),
            },
        )
        parts = urllib.parse.urlsplit(url)
        if parts.path.startswith("/orders/") and "token=" in parts.query:
            return f"{parts.path}?{parts.query}"
    raise RuntimeError("No product could be ordered through the checkout page")


def pages_to_measure(base: str) -> tuple[list[tuple[str, str]], str]:
    """(name, path) of each page, and the cart's session cookie."""
    visitor = Browser(base)
    _, home = visitor.get("/")
    _, listing = visitor.get("/products/")
    candidates = product_paths(home) + product_paths(listing)
    candidates = list(dict.fromkeys(candidates))
    if not candidates:
        raise RuntimeError("The home page and the product list link to no product")
    say("Filling a cart and placing an order through the pages")
    order_path = place_order(base, candidates)
    fill_cart(visitor, candidates, 2)
    session = visitor.cookie("sessionid")
    pages = [
        ("Home", "/"),
        ("Product list", "/products/"),
        ("Product page", candidates[0]),
        ("Cart (2 items)", "/cart/"),
        ("Order page", order_path),
    ]
    return pages, session


def run_lighthouse(url: str, out: Path, *, cookie: str | None = None) -> dict:
    command = [
        str(LIGHTHOUSE),
        url,
        "--output=json",
        f"--output-path={out}",
        f"--only-categories={CATEGORY_IDS}",
        f"--chrome-flags={CHROME_FLAGS}",
        "--quiet",
    ]
    if cookie:
        command.append(f"--extra-headers={json.dumps({'Cookie': cookie})}")
    for attempt in range(1, ATTEMPTS + 1):
        out.unlink(missing_ok=True)
        completed = subprocess.run(
            command,
            cwd=ROOT,
            env={**os.environ, "CHROME_PATH": CHROME},
            capture_output=True,
            text=True,
            check=False,
        )
        if completed.returncode == 0 and out.exists():
            return json.loads(out.read_text())
        # A busy machine now and then loses the trace (NO_NAVSTART, NO_FCP): Lighthouse's
        # own advice is to run it again.
        problem = completed.stderr.strip().splitlines()[-1:] or ["no report"]
        say(f"    Lighthouse failed (attempt {attempt} of {ATTEMPTS}): {problem[0]}")
    raise RuntimeError(f"Lighthouse failed on {url}:\n{completed.stderr[-3000:]}")


def chromium_version() -> str:
    completed = subprocess.run([CHROME, "--version"], capture_output=True, text=True, check=False)
    return completed.stdout.strip() or "unknown"


def measure(args, work: Path) -> tuple[list[lighthouse_report.PageScores], str, list[float]]:
    env = environment(work)
    seed(env)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    say(f"Starting gunicorn on {base} (production settings)")
    server = servers.start_gunicorn(
        port=port,
        config=servers.GunicornConfig(workers=1, threads=4, worker_connections=8),
        env=env,
        counter_file=work / "counters",
        log=work / "gunicorn.log",
    )
    results, version, speeds = [], "", []
    try:
        pages, session = pages_to_measure(base)
        for name, path in pages:
            say(f"Lighthouse (mobile): {name} — {path.split('?')[0]}")
            cookie = f"sessionid={session}" if path == "/cart/" else None
            slug = re.sub(r"\W+", "-", name.lower()).strip("-")
            runs = []
            for run in range(1, args.runs + 1):
                out = work / f"{slug}-{run}.json"
                runs.append(run_lighthouse(base + path, out, cookie=cookie))
                performance = lighthouse_report.performance(runs[-1])
                say(f"  run {run} of {args.runs}: performance {performance}")
            report = lighthouse_report.median_report(runs)
            version = report.get("lighthouseVersion", version)
            if args.keep_reports:
                args.keep_reports.mkdir(parents=True, exist_ok=True)
                (args.keep_reports / f"{slug}.json").write_text(json.dumps(report))
            scores = lighthouse_report.page_scores(name, path.split("?")[0], report, runs)
            speeds += [run["environment"]["benchmarkIndex"] for run in runs]
            say(
                "  "
                + ", ".join(
                    f"{title} {scores.scores[key]}" for key, title in lighthouse_report.CATEGORIES
                )
            )
            for audit in scores.failing:
                say(f"    not passed: {audit}")
            for warning in report.get("runWarnings", []):
                say(f"    Lighthouse warns: {' '.join(warning.split())}")
            results.append(scores)
    finally:
        servers.stop(server)
    return results, version, speeds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--no-write", action="store_true", help="print the scores, leave the docs alone"
    )
    parser.add_argument(
        "--keep-reports", type=Path, help="also save each page's full Lighthouse JSON here"
    )
    parser.add_argument(
        "--runs",
        type=int,
        default=5,
        help="Lighthouse runs per page; the run with the median performance score counts",
    )
    args = parser.parse_args(argv)
    args.runs = max(1, args.runs)
    if not LIGHTHOUSE.exists():
        say("Lighthouse is not installed: run `make lighthouse`, which installs it first")
        return 2
    if not Path(CHROME).exists():
        say(f"No Chromium at {CHROME}: `apt-get install chromium`, or set CHROME_PATH")
        return 2
    load = os.getloadavg()
    work = Path(tempfile.mkdtemp(prefix="lighthouse-"))
    try:
        results, version, speeds = measure(args, work)
    except RuntimeError as error:
        say(f"Could not measure: {error}")
        return 2
    finally:
        shutil.rmtree(work, ignore_errors=True)
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    header = [
        f"Measured {stamp} with `make lighthouse`: Lighthouse "
        f"{version} (mobile, default throttling), {chromium_version()}, "
        + (f"the median of {args.runs} runs per page" if args.runs > 1 else "one run per page")
        + "; the demo catalog served by gunicorn under the "
        "production settings."
    ]
    slowest, fastest = min(speeds, default=0), max(speeds, default=0)
    header.append(
        f"Load average at the start: {' '.join(f'{x:.2f}' for x in load)}; Lighthouse's CPU "
        f"benchmark index over the runs: {slowest:,.0f}–{fastest:,.0f} "
        "(higher is faster: the same machine, busy or quiet)."
    )
    block = lighthouse_report.results_markdown(results, header_lines=header)
    if not args.no_write:
        lighthouse_report.write_results(DOC, block)
        say(f"Scores written to {DOC.relative_to(ROOT)}")
    below = [page for page in results if page.below_target]
    for page in below:
        say(f"BELOW {lighthouse_report.TARGET}: {page.name}: {', '.join(page.below_target)}")
        for audit in page.failing:
            say(f"    {audit}")
    if not below:
        say(f"Every page scores at least {lighthouse_report.TARGET} in all four categories")
    return 1 if below else 0


if __name__ == "__main__":
    sys.exit(main())
