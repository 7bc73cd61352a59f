"""The benchmark harness's arithmetic and parsing, without servers or a database."""

from tests.perf import report
from tests.perf.bench import format_split, summarise, verdicts
from tests.perf.checkout_load import percentile
from tests.perf.checkout_load import summarise as summarise_checkout
from tests.perf.wrk import WrkResult, command, parse_output

WRK_OUTPUT = """Running 2s test @ http://127.0.0.1:8701/bench/baseline/
  2 threads and 16 connections
  Latency Distribution
     50%    6.49ms
BENCH_JSON {"requests":4000,"duration_us":2000000,"bytes":123,"non_2xx_3xx":3,\
"connect_errors":0,"read_errors":1,"write_errors":0,"timeout_errors":2,\
"p50_us":6490,"p95_us":20000,"p99_us":150000,"max_us":200000,"mean_us":7.5}
"""


def result(rps: float, p50: float = 10.0, *, non_2xx: int = 0) -> WrkResult:
    return WrkResult(
        requests=int(rps),
        duration_s=1.0,
        rps=rps,
        p50_ms=p50,
        p95_ms=2 * p50,
        p99_ms=4 * p50,
        max_ms=8 * p50,
        non_2xx_3xx=non_2xx,
        socket_errors=0,
    )


def test_wrk_summary_is_read_from_the_scripts_json_line():
    parsed = parse_output(WRK_OUTPUT)

    assert parsed.requests == 4000
    assert parsed.rps == 2000.0
    assert (parsed.p50_ms, parsed.p95_ms, parsed.p99_ms) == (6.49, 20.0, 150.0)
    assert parsed.non_2xx_3xx == 3
    assert parsed.socket_errors == 3
    assert not parsed.ok


def test_wrk_is_given_whole_seconds():
    assert "-d2s" in command("http://x/", threads=2, connections=16, duration_s=2.4)
    assert "-d1s" in command("http://x/", threads=2, connections=16, duration_s=0.2)


def test_endpoint_row_is_compared_with_the_alternating_baseline():
    endpoint = [(result(100, 20), [40, 60]), (result(300, 40), [60, 40])]
    baseline = [(result(1000, 10), [50, 50]), (result(1000, 10), [50, 50])]

    row = summarise("list_24", "/api/v1/products/", endpoint, baseline)

    assert row["rps"] == 200.0
    assert row["ratio_rps"] == 0.2
    assert row["ratio_latency"] == [3.0, 3.0, 3.0]
    assert row["split"] == "50/50"
    assert row["ok"]


def test_answers_other_than_success_fail_the_measurement():
    row = summarise("search", "/", [(result(100, non_2xx=5), [1, 1])], None)

    assert not row["ok"]
    assert row["problems"] == ["5 answers not 2xx/3xx"]


def test_worker_split_ignores_unused_slots():
    assert format_split([510, 0, 490, 0]) == "51/49"
    assert format_split([0, 0]) == ""


def test_checkout_summary_counts_statuses_and_orders_per_second():
    runs = [{"status": 201, "error": "", "start": 0.0, "end": 0.5}] * 2 + [
        {"status": 409, "error": "", "start": 0.0, "end": 1.0},
        {"status": 502, "error": "bad gateway", "start": 0.0, "end": 1.0},
    ]

    summary = summarise_checkout(runs)

    assert (summary["created"], summary["conflict"], summary["server_errors"]) == (2, 1, 1)
    assert summary["orders_per_s"] == 2.0
    assert summary["errors"] == ["bad gateway"]


def test_percentile_is_nearest_rank():
    values = [float(v) for v in range(1, 101)]

    assert percentile(values, 50) == 50.0
    assert percentile(values, 99) == 99.0
    assert percentile([], 99) == 0.0


def test_a_broken_checkout_guarantee_is_reported_as_such():
    hot = {"created": 51, "conflict": 149, "server_errors": 0, "other": 0}
    hot |= {"final_free": "0.000", "p99_ms": 100.0, "orders_per_s": 50.0}

    found = {v["target"]: v for v in verdicts({"checkout": {"hot": hot}})}

    assert not found["hot checkout: exactly 50×201, 150×409, no 5xx"]["met"]
    assert found["hot checkout: exactly 50×201, 150×409, no 5xx"]["guarantee"]
    assert found["hot checkout: free stock ends at 0"]["met"]


def test_only_the_block_between_the_markers_is_rewritten(tmp_path):
    doc = tmp_path / "performance.md"
    doc.write_text(f"# Title\n\nNarrative.\n\n{report.START}\nold\n{report.END}\n\nMore.\n")

    report.write_markdown(doc, "new table")

    assert doc.read_text() == (
        f"# Title\n\nNarrative.\n\n{report.START}\nnew table\n{report.END}\n\nMore.\n"
    )


def test_a_missing_document_is_created_with_the_markers(tmp_path):
    doc = tmp_path / "performance.md"

    report.write_markdown(doc, "table")

    text = doc.read_text()
    assert text.startswith("# Performance")
    assert f"{report.START}\ntable\n{report.END}" in text
