"""Housekeeping every minute: expire unpaid orders, remind residents to collect, release
uncollected pay-at-pickup orders, re-queue the outbox, release owed payouts, remind
Fab Lab certification holders before their certification runs out.

Each step runs on its own: one that raises is logged and the others still run,
and the task comes back a minute later whatever happened, so one bad row or a
database hiccup never ends the loop.
"""

import datetime
import logging
from collections.abc import Callable
from functools import partial

from django.tasks import task
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from fablab.services.certifications import certifications_remind_expiring
from orders import outbox
from orders.emails import email_queue_rendered
from orders.payments.payouts import payouts_release_owed
from orders.services import orders_expire, orders_release_no_shows, orders_remind_to_collect

logger = logging.getLogger(__name__)

EVERY = datetime.timedelta(minutes=1)

STEPS: dict[str, Callable[[], object]] = {
    "expired": orders_expire,
    "collect_reminders": orders_remind_to_collect,
    "no_shows_released": orders_release_no_shows,
    "requeued": outbox.requeue_due,
    "payouts_released": payouts_release_owed,
    "certification_reminders": partial(
        certifications_remind_expiring, queue_email=email_queue_rendered
    ),
}


def housekeeping_run() -> dict:
    """Run every step once, each isolated. Returns each step's result (None if it raised)."""
    results = {}
    for name, step in STEPS.items():
        try:
            results[name] = step()
        except Exception:  # noqa: BLE001 - one failing step must not stop the others
            logger.exception("housekeeping step %s failed", name)
            results[name] = None
    return results


@task(queue_name="default")
def housekeeping(*, repeat: bool = True) -> dict:
    """Run the steps; then, whatever they raised, come back in a minute (when `repeat`)."""
    try:
        return housekeeping_run()
    finally:
        if repeat and housekeeping.get_backend().supports_defer:
            housekeeping.using(run_after=timezone.now() + EVERY).enqueue(repeat=True)


def housekeeping_start() -> bool:
    """Start the every-minute housekeeping unless a run is already waiting. True if started.

    Only a backend that can defer keeps the loop going; with another one this
    does nothing and says so (False).
    """
    if not housekeeping.get_backend().supports_defer:
        return False
    waiting = DBTaskResult.objects.filter(task_path=housekeeping.module_path, status="READY")
    if waiting.exists():
        return False
    housekeeping.enqueue(repeat=True)
    return True
