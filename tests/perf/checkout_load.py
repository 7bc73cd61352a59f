"""Many residents pressing "Place order" at the same instant.

Run as its own process so the load does not share the harness's interpreter:

    python -m tests.perf.checkout_load --server 127.0.0.1:8001 --product SLUG

Each client opens its own connection, waits at a barrier with the others,
then sends one guest order. Prints one JSON object: statuses and latencies.
"""

import argparse
import http.client
import json
import math
import sys
import threading
import time
import uuid


def order_body(slug: str, index: int) -> bytes:
    return json.dumps(
        {
            "lines": [{"product": slug, "quantity": 1}],
            "contact": {"name": "Bench resident", "email": f"bench{index}@example.org"},
            "fulfilment": "pickup",
            "payment_method": "pay_at_pickup",
        }
    ).encode()


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile; 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(pct / 100 * len(ordered))))
    return ordered[rank - 1]


def run(*, servers: list[str], products: list[str], clients: int, timeout: float) -> dict:
    barrier = threading.Barrier(clients)
    results: list[dict | None] = [None] * clients

    def client(index: int) -> None:
        host, port = servers[index % len(servers)].rsplit(":", 1)
        slug = products[index % len(products)]
        body = order_body(slug, index)
        headers = {
            "Content-Type": "application/json",
            "Idempotency-Key": str(uuid.uuid4()),
            "Connection": "close",
        }
        connection = http.client.HTTPConnection(host, int(port), timeout=timeout)
        try:
            connection.connect()
        except OSError as exc:
            barrier.wait()
            results[index] = {"status": 0, "error": str(exc), "start": 0.0, "end": 0.0}
            return
        barrier.wait()
        start = time.perf_counter()
        try:
            connection.request("POST", "/api/v1/orders/", body=body, headers=headers)
            response = connection.getresponse()
            payload = response.read()
            status = response.status
            error = "" if status < 500 else payload[:300].decode(errors="replace")
        except OSError as exc:
            status, error = 0, str(exc)
        end = time.perf_counter()
        connection.close()
        results[index] = {"status": status, "error": error, "start": start, "end": end}

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return summarise([r for r in results if r is not None])


def summarise(results: list[dict]) -> dict:
    statuses: dict[str, int] = {}
    for result in results:
        key = str(result["status"])
        statuses[key] = statuses.get(key, 0) + 1
    done = [r for r in results if r["status"]]
    latencies = [(r["end"] - r["start"]) * 1000 for r in done]
    wall = (max(r["end"] for r in done) - min(r["start"] for r in done)) if done else 0.0
    created = statuses.get("201", 0)
    return {
        "clients": len(results),
        "statuses": statuses,
        "created": created,
        "conflict": statuses.get("409", 0),
        "server_errors": sum(n for s, n in statuses.items() if s.startswith("5")),
        "other": sum(n for s, n in statuses.items() if s not in {"201", "409"} and s[0] != "5"),
        "wall_s": round(wall, 4),
        "orders_per_s": round(created / wall, 1) if wall else 0.0,
        "p50_ms": round(percentile(latencies, 50), 1),
        "p95_ms": round(percentile(latencies, 95), 1),
        "p99_ms": round(percentile(latencies, 99), 1),
        "max_ms": round(max(latencies, default=0.0), 1),
        "errors": sorted({r["error"] for r in results if r["error"]})[:5],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", action="append", required=True, help="host:port; repeatable")
    parser.add_argument("--product", action="append", required=True, help="slug; repeatable")
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--timeout", type=float, default=60.0)
    args = parser.parse_args(argv)
    summary = run(
        servers=args.server, products=args.product, clients=args.clients, timeout=args.timeout
    )
    sys.stdout.write(json.dumps(summary) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
