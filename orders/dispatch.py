"""Sending jobs to the co-ops that make them, and telling residents when their goods are ready.

Everything here only writes rows and enqueues tasks, inside the caller's
transaction: with the database task backend the tasks commit or roll back with
the change that caused them, so a crash between commit and enqueue loses nothing.
The network calls and the emails happen later, in the outbox worker.
"""

from django.db.models import Prefetch

from orders import outbox
from orders.delivery import job_payload, new_message_id, webhook_active
from orders.emails import email_customer_ready, email_job_to_managers
from orders.models import Job, OrderLine, WebhookDelivery


def dispatch_jobs(*, jobs, event: str) -> list[WebhookDelivery]:
    """Send each job to its producer: a signed webhook when it has a working endpoint, and
    always an email to its managers.

    A co-op without a webhook URL (or whose endpoint was disabled after failing
    for days) gets the email only, and the job board shows the job either way.
    Call this inside the transaction that confirms or re-routes the jobs.
    Returns the deliveries it created.
    """
    ids = [job.pk for job in jobs]
    if not ids:
        return []
    # Read the jobs again: callers hold copies from before `dispatched` was set,
    # and the payload needs the order and the lines in any case.
    fresh = (
        Job.objects.filter(pk__in=ids)
        .select_related("order__pickup_point", "producer")
        .prefetch_related(Prefetch("lines", queryset=OrderLine.objects.order_by("id")))
        .order_by("pk")
    )
    deliveries = []
    for job in fresh:
        if webhook_active(job.producer):
            delivery = WebhookDelivery.objects.create(
                producer=job.producer,
                job=job,
                event=event,
                message_id=new_message_id(),
                payload=job_payload(job, event),
            )
            deliveries.append(delivery)
            outbox.enqueue(kind="webhook", pk=delivery.pk)
        email_job_to_managers(job=job, event=event)
    return deliveries


def notify_customer_ready(*, job: Job) -> None:
    """Tell the resident that this co-op's part of their order is ready, and how to get it."""
    email_customer_ready(job=job)
