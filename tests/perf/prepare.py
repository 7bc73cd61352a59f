"""Work on the benchmark database, done inside Django through the project's own code.

Run as `python -m tests.perf.prepare COMMAND [JSON]` with the benchmark's
environment; prints one JSON object. The harness itself never imports Django,
so it never holds a database connection of its own while measuring.
"""

import json
import os
import sys
from decimal import Decimal

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.perf.settings")
django.setup()

from django.contrib.auth.models import AnonymousUser  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import F, Sum  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django_tasks_db.models import DBTaskResult  # noqa: E402

from catalog.models import Product, StockBalance  # noqa: E402
from catalog.search import product_search  # noqa: E402
from catalog.selectors import product_list  # noqa: E402
from catalog.services.products import finished_goods_location, product_stock_count  # noqa: E402
from orders.models import Order, WebhookDelivery  # noqa: E402
from producers.models import Producer  # noqa: E402

REASON = "Benchmark: stock counted before a checkout run"


def free_units(product: Product) -> Decimal:
    total = StockBalance.objects.filter(material_id=product.stock_item_id).aggregate(
        free=Sum(F("on_hand") - F("reserved"))
    )["free"]
    return total or Decimal("0")


def set_free_units(product: Product, free: int) -> None:
    """Count the product's shelf so that exactly `free` units are not held by orders."""
    others = free_units(product)
    location = finished_goods_location(product.producer)
    balance = StockBalance.objects.filter(
        material_id=product.stock_item_id, location=location
    ).first()
    here_free = (balance.on_hand - balance.reserved) if balance else Decimal("0")
    reserved = balance.reserved if balance else Decimal("0")
    elsewhere = others - here_free
    product_stock_count(
        product=product,
        counted=reserved + max(Decimal(free) - elsewhere, 0),
        by=None,
        reason=REASON,
    )


def stock_products():
    return (
        Product.objects.published()
        .filter(
            fulfilment=Product.Fulfilment.STOCK,
            stock_item__isnull=False,
            producer__status=Producer.Status.ACTIVE,
        )
        .select_related("producer", "stock_item")
        .order_by("pk")
    )


def _server_version() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return cursor.fetchone()[0]


def info(args: dict) -> dict:
    word = args.get("search", "walnut")
    anonymous = AnonymousUser()
    return {
        "products": Product.objects.count(),
        "published": Product.objects.published().count(),
        "search_hits": product_search(product_list(user=anonymous), word).count(),
        "postgres": _server_version(),
    }


def stock(args: dict) -> dict:
    """A hot product with exactly `hot_units` free and `spread` others with at least one."""
    hot_units, spread = args.get("hot_units", 50), args.get("spread", 200)
    candidates = list(stock_products()[: spread + 1])
    if len(candidates) < spread + 1:
        raise SystemExit(f"Only {len(candidates)} published stock products; need {spread + 1}.")
    hot, others = candidates[0], candidates[1:]
    set_free_units(hot, hot_units)
    for product in others:
        if free_units(product) < 1:
            set_free_units(product, 5)
    last = Order.objects.order_by("-pk").values_list("pk", flat=True).first()
    return {
        "hot": hot.slug,
        "hot_free": str(free_units(hot)),
        "spread": [p.slug for p in others],
        "last_order_id": last or 0,
    }


def free(args: dict) -> dict:
    product = Product.objects.get(slug=args["slug"])
    return {"slug": product.slug, "free": str(free_units(product))}


def webhooks_point(args: dict) -> dict:
    """Send every active producer's webhooks to the harness's receiver; keep the old URLs."""
    saved_path = args["saved"]
    producers = list(Producer.objects.filter(status=Producer.Status.ACTIVE).order_by("pk"))
    if not os.path.exists(saved_path):
        with open(saved_path, "w") as f:
            json.dump({str(p.pk): p.webhook_url for p in producers}, f)
    for producer in producers:
        Producer.objects.filter(pk=producer.pk).update(
            webhook_url=f"{args['base']}/{producer.pk}", webhook_disabled_at=None
        )
    return {
        "producers": len(producers),
        "secrets": {str(p.pk): p.webhook_secret for p in producers},
    }


def webhooks_restore(args: dict) -> dict:
    saved_path = args["saved"]
    if not os.path.exists(saved_path):
        return {"restored": 0}
    with open(saved_path) as f:
        saved = json.load(f)
    for pk, url in saved.items():
        Producer.objects.filter(pk=int(pk)).update(webhook_url=url)
    os.remove(saved_path)
    return {"restored": len(saved)}


def deliveries(args: dict) -> dict:
    """The webhook deliveries for the orders placed after `after_order_id`."""
    rows = WebhookDelivery.objects.filter(job__order_id__gt=args["after_order_id"])
    ids = list(rows.values_list("pk", flat=True))
    by_worker: dict[str, int] = {}
    tasks = DBTaskResult.objects.filter(
        task_path="orders.outbox.send_outbox_message",
        args_kwargs__kwargs__kind="webhook",
        args_kwargs__kwargs__pk__in=ids,
    )
    for worker_ids in tasks.values_list("worker_ids", flat=True):
        for worker in worker_ids:
            by_worker[worker] = by_worker.get(worker, 0) + 1
    orders = Order.objects.filter(pk__gt=args["after_order_id"])
    return {
        "orders": orders.count(),
        "jobs": sum(order.jobs.count() for order in orders.prefetch_related("jobs")),
        "message_ids": list(rows.values_list("message_id", flat=True)),
        "by_worker": by_worker,
        "states": {
            state: rows.filter(state=state).count()
            for state in WebhookDelivery.State.values
            if rows.filter(state=state).exists()
        },
    }


def queries(args: dict) -> dict:
    """Queries of each URL on an empty cache (cold), then again at once (warm)."""
    client = Client(raise_request_exception=False)
    client.get("/healthz")  # the first request of a process does one-off work
    counts = {}
    for name, url in args["urls"].items():
        if url is None:
            continue
        cache.clear()
        with CaptureQueriesContext(connection) as cold:
            client.get(url)
        with CaptureQueriesContext(connection) as warm:
            response = client.get(url)
        counts[name] = {
            "queries": len(warm.captured_queries),
            "queries_cold": len(cold.captured_queries),
            "status": response.status_code,
        }
    return counts


def explain(args: dict) -> dict:
    """The plan of the API's search query, built the way the API builds it."""
    word = args.get("search", "walnut")
    queryset = product_search(product_list(user=AnonymousUser()), word)[:24]
    plan = queryset.explain()
    return {
        "search": word,
        "uses_gin": "product_search_gin" in plan,
        "plan": plan.splitlines(),
    }


COMMANDS = {
    "info": info,
    "stock": stock,
    "free": free,
    "webhooks-point": webhooks_point,
    "webhooks-restore": webhooks_restore,
    "deliveries": deliveries,
    "queries": queries,
    "explain": explain,
}


def main(argv: list[str]) -> int:
    command = COMMANDS[argv[0]]
    args = json.loads(argv[1]) if len(argv) > 1 else {}
    sys.stdout.write(json.dumps(command(args)) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
