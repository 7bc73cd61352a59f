"""The results as a terminal table, as JSON and as Markdown for docs/performance.md."""

import json
import re
from pathlib import Path

START = "<!-- bench:results:start -->"
END = "<!-- bench:results:end -->"

COLUMNS = [
    ("endpoint", "endpoint"),
    ("rps", "req/s"),
    ("p50_ms", "p50 ms"),
    ("p95_ms", "p95 ms"),
    ("p99_ms", "p99 ms"),
    ("ratio_rps", "× base req/s"),
    ("ratio_latency", "× base p50/p95/p99"),
    ("split", "worker split"),
    ("queries", "queries cold/warm"),
    ("verdict", "result"),
]


def _number(value, digits: int = 1) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return str(value)


def endpoint_cells(row: dict) -> list[str]:
    ratios = row.get("ratio_latency")
    return [
        row["name"],
        _number(row.get("rps")),
        _number(row.get("p50_ms"), 2),
        _number(row.get("p95_ms"), 2),
        _number(row.get("p99_ms"), 2),
        "–" if row.get("ratio_rps") is None else f"{row['ratio_rps']:.2f}",
        "–" if not ratios else "/".join(f"{r:.1f}" for r in ratios),
        row.get("split") or "–",
        "–" if row.get("queries") is None else f"{row.get('queries_cold', '?')}/{row['queries']}",
        "ok" if row.get("ok") else "FAILED: " + "; ".join(row.get("problems", [])),
    ]


def text_table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]

    def line(cells):
        return "  ".join(
            c.ljust(w) if i in (0, len(cells) - 1) else c.rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        )

    return "\n".join([line(headers), line(["-" * w for w in widths]), *map(line, rows)])


def markdown_table(headers: list[str], rows: list[list[str]]) -> str:
    def line(cells):
        return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"

    last = len(headers) - 1
    align = ["---" if i in (0, last) else "---:" for i in range(len(headers))]
    return "\n".join([line(headers), "| " + " | ".join(align) + " |", *map(line, rows)])


def endpoints_table(rows: list[dict], *, markdown: bool = False) -> str:
    headers = [title for _, title in COLUMNS]
    cells = [endpoint_cells(row) for row in rows]
    return markdown_table(headers, cells) if markdown else text_table(headers, cells)


def checkout_lines(name: str, result: dict) -> list[str]:
    if "error" in result:
        return [f"{name}: not measured ({result['error']})"]
    text = (
        f"{name}: {result['clients']} clients → {result['created']}×201, "
        f"{result['conflict']}×409, {result['server_errors']}×5xx, {result['other']}×other; "
        f"{result['orders_per_s']} orders/s over {result['wall_s'] * 1000:.0f} ms; "
        f"p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms, p99 {result['p99_ms']} ms"
    )
    if result.get("final_free") is not None:
        text += f"; free stock left {result['final_free']}"
    lines = [text]
    lines += [f"  error: {e}" for e in result.get("errors", [])]
    return lines


def verdict_lines(verdicts: list[dict]) -> list[str]:
    return [
        f"[{'met' if v['met'] else 'MISSED'}] {v['target']}: {v['actual']}"
        + (" (guarantee)" if v["guarantee"] else "")
        for v in verdicts
    ]


def terminal(results: dict) -> str:
    out = []
    if results.get("endpoints"):
        out += ["", "Endpoints (ratios against the bare view in the same run)", ""]
        out.append(endpoints_table(results["endpoints"]))
    checkout = results.get("checkout", {})
    if checkout:
        out += ["", "Checkout contention"]
        for name, result in checkout.items():
            out += checkout_lines(name, result)
    scale = results.get("scale_out")
    if scale:
        out += ["", "Scale-out: two servers, two task workers"]
        out += scale_out_lines(scale)
    if results.get("explain"):
        out += ["", "Search plan"] + explain_lines(results["explain"])
    if results.get("verdicts"):
        out += ["", "Targets"] + verdict_lines(results["verdicts"])
    return "\n".join(out)


def scale_out_lines(scale: dict) -> list[str]:
    if "error" in scale:
        return [f"not completed: {scale['error']}"]
    lines = []
    if "checkout" in scale:
        lines += checkout_lines("hot checkout over both servers", scale["checkout"])
    if "webhooks" in scale:
        w = scale["webhooks"]
        lines.append(
            f"webhooks: {w['expected']} deliveries for {w['jobs']} jobs of {w['orders']} orders; "
            f"{w['received']} received, {w['duplicates']} duplicate ids, "
            f"{w['bad_signatures']} bad signatures, in {w['seconds']:.1f} s; attempts by worker "
            + (", ".join(f"{k}: {v}" for k, v in sorted(w.get("by_worker", {}).items())) or "–")
        )
    if "throttle" in scale:
        t = scale["throttle"]
        lines.append(
            f"sign-in throttle (10/min) over both servers: {t['allowed']} answered, "
            f"{t['throttled']}×429 of {t['sent']}; statuses {t['statuses']}"
        )
    return lines


def explain_lines(explain: dict, top: int = 12) -> list[str]:
    if "error" in explain:
        return [f"not available: {explain['error']}"]
    uses = "uses" if explain["uses_gin"] else "does NOT use"
    return [f"search for {explain['search']!r} {uses} product_search_gin; plan top:"] + [
        "    " + line for line in explain["plan"][:top]
    ]


def markdown(results: dict) -> str:
    machine = results["machine"]
    out = [
        f"Measured {results['date']} with `make bench`"
        + (" (quick runs)" if results["quick"] else "")
        + f" on {results['database']['products']:,} products.",
        "",
        f"- Machine: {machine['cpu']}, {machine['cores']} cores, {machine['memory']}; "
        f"load average at start {machine.get('load_average', '?')}",
        f"- Python {machine['python']}, Django {machine['django']}, "
        f"PostgreSQL {machine['postgresql']}",
        f"- Server: {results['config']['gunicorn']}",
        f"- Load: {results['config']['wrk']}",
    ]
    if results.get("endpoints"):
        out += ["", endpoints_table(results["endpoints"], markdown=True)]
    checkout = results.get("checkout", {})
    if checkout:
        out += ["", "Checkout contention:", ""]
        for name, result in checkout.items():
            out += ["- " + line.strip() for line in checkout_lines(name, result)]
    scale = results.get("scale_out")
    if scale:
        out += ["", "Scale-out (two servers, two task workers):", ""]
        out += ["- " + line.strip() for line in scale_out_lines(scale)]
    if results.get("explain"):
        lines = explain_lines(results["explain"])
        out += ["", lines[0], "", "```", *[line[4:] for line in lines[1:]], "```"]
    if results.get("verdicts"):
        out += ["", "Targets:", ""] + ["- " + line for line in verdict_lines(results["verdicts"])]
    return "\n".join(out)


DOC_TEMPLATE = """# Performance

How fast the marketplace serves its catalog and takes orders, measured against
a bare Django view on the same machine.

## How to run

`make bench` benchmarks against a PostgreSQL database `cp_bench` (created and
seeded with 100,000 products on the first run, then reused) and Redis database 2.
`make bench BENCH_ARGS=--quick` makes shorter runs; `BENCH_ARGS="--only list_24,search"`
runs a subset (endpoint names, `checkout`, `queries`, `scale-out`). The server
runs the production settings with `THROTTLE_ORDERS=1000000/min`: every benchmark
client shares one address, and the usual order limit would refuse most of the
200 simultaneous checkouts. The results below are rewritten by each full run (not by
`--only` or `--scale-out`); every run writes its figures to `.bench/results.json`.

## Latest results

{start}
{end}
"""


def write_markdown(doc: Path, block: str) -> None:
    if not doc.exists():
        doc.write_text(DOC_TEMPLATE.format(start=START, end=END))
    text = doc.read_text()
    if START not in text or END not in text:
        text = text.rstrip("\n") + f"\n\n{START}\n{END}\n"
    pattern = re.compile(re.escape(START) + r".*?" + re.escape(END), re.DOTALL)
    doc.write_text(pattern.sub(lambda _: f"{START}\n{block}\n{END}", text, count=1))


def write_json(path: Path, results: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2) + "\n")
