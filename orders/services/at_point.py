"""Parts gathered at a pickup point: which are still due, and the one "everything is here" email.

Both the arrival of a part and the decline of the last part still due can leave
every open part at the point; either way the resident is told once.
"""

from django.utils import timezone

from orders.emails import email_customer_at_point
from orders.models import Job, Order


def still_due(jobs: list[Job]) -> list[Job]:
    """The open parts that have not reached the point yet."""
    return [job for job in jobs if job.is_open and job.arrived_at_point_at is None]


def notify_when_all_arrived(order: Order) -> None:
    """With the order locked: the resident's email, if every open part is now at the point."""
    if order.pickup_point_id is None:
        return
    jobs = list(order.jobs.all())
    waiting_here = [job for job in jobs if job.is_open and job.arrived_at_point_at is not None]
    if still_due(jobs) or not waiting_here or order.at_point_notified_at is not None:
        return
    order.at_point_notified_at = timezone.now()
    order.save(update_fields=["at_point_notified_at", "updated_at"])
    email_customer_at_point(order=order, jobs=waiting_here)
