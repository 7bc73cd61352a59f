"""Orders and the real task worker: `django_tasks_db` and `manage.py db_worker` in a subprocess.

The promise kept here is the one production rests on: the tasks an order needs are
written in the order's own transaction, so a placement that rolls back leaves no
task, and one that commits is delivered to the co-op exactly once by the worker.
"""

import os
import subprocess
import sys
import threading
from collections import Counter
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.db import connection, transaction
from django_tasks_db.models import DBTaskResult

from catalog.services.products import product_stock_receive
from orders.models import Order, WebhookDelivery
from orders.services import Contact, order_place
from tests.factories import ProducerFactory, make_product

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: the worker is another process, and SQLite's test database "
        "lives in this process's memory where no other process can read it",
    ),
    pytest.mark.django_db(transaction=True),
]

ROOT = Path(__file__).resolve().parents[2]
GUEST = Contact(name="Keisha Brown", email="keisha@example.org", phone="601-555-0142")


class Abort(Exception):
    pass


class CountingReceiver:
    """A co-op's endpoint on 127.0.0.1 that answers 200 and counts POSTs by webhook-id."""

    def __init__(self):
        self.posts: Counter[str] = Counter()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.posts[self.headers.get("webhook-id", "")] += 1
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/jobs"


@pytest.fixture
def receiver():
    receiver = CountingReceiver()
    receiver.thread.start()
    yield receiver
    receiver.server.shutdown()
    receiver.server.server_close()


@pytest.fixture(autouse=True)
def _database_backend(settings):
    """This process enqueues the way production does: a row in the caller's transaction."""
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks_db.DatabaseBackend",
            "QUEUES": ["default", "webhooks", "email"],
        }
    }


def database_url_of_this_test() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return (
        f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
        f"/{db['NAME']}"
    )


def run_worker() -> subprocess.CompletedProcess:
    """Drain every queue once with a real worker against the test database, as production
    runs it: the production settings module with the database backend."""
    leave_out = {"SECRET_KEY", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE", "REDIS_URL", "DJANGO_ENV"}
    env = {key: value for key, value in os.environ.items() if key not in leave_out}
    env.update(
        DJANGO_SETTINGS_MODULE="backend.settings",
        DATABASE_URL=database_url_of_this_test(),
        TASK_BACKEND="django_tasks_db.DatabaseBackend",
        # The receiver listens on 127.0.0.1, which production's guard refuses.
        WEBHOOKS_ALLOW_PRIVATE="true",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay"]
        + ["--no-reload", "--queue-name", "*", "--interval", "0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def stool_at(webhook_url: str):
    woodshop = ProducerFactory(webhook_url=webhook_url)
    stool = make_product(producer=woodshop, title="Stool", price=Decimal("60.00"))
    product_stock_receive(product=stool, quantity=5, by=None, reason="made")
    return stool


def place_pay_at_pickup(stool) -> Order:
    return order_place(
        customer=None,
        contact=GUEST,
        lines=[(stool, 1)],
        fulfilment="pickup",
        payment_method="pay_at_pickup",
    )


def place_and_roll_back(stool) -> None:
    with transaction.atomic():
        place_pay_at_pickup(stool)
        raise Abort


def test_a_placement_that_rolls_back_leaves_no_task(receiver):
    stool = stool_at(receiver.url)
    tasks_before = DBTaskResult.objects.count()

    with pytest.raises(Abort):
        place_and_roll_back(stool)

    assert not Order.objects.exists()
    assert DBTaskResult.objects.count() == tasks_before


def test_a_committed_placement_is_delivered_to_the_coop_exactly_once_by_the_worker(receiver):
    stool = stool_at(receiver.url)
    order = place_pay_at_pickup(stool)
    assert receiver.posts == Counter()  # nothing leaves before a worker runs

    run_worker()
    run_worker()  # a second pass finds nothing left to send

    (delivery,) = WebhookDelivery.objects.filter(job__order=order)
    assert receiver.posts == Counter({delivery.message_id: 1})
    assert delivery.state == "delivered"
    assert not DBTaskResult.objects.exclude(status="SUCCESSFUL").exists()
