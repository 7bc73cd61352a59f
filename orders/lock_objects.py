"""Every lock the orders app takes. A buyer first, then the order, then its jobs in id order."""

from django.db import connection

from orders.models import Job, Order


def buyer_for_update(*keys: str) -> None:
    """Serialise one buyer's placements until the transaction ends, so that two at once
    cannot both pass the per-buyer cap. PostgreSQL advisory locks, taken in sorted order;
    nothing to do on SQLite, which runs one writer at a time."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for key in sorted(set(keys)):
            cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [key])


def order_for_update(order_id: int) -> Order:
    return Order.objects.select_for_update(of=("self",)).get(pk=order_id)


def jobs_for_update(*, order_id: int) -> list[Job]:
    return list(
        Job.objects.select_for_update(of=("self",))
        .filter(order_id=order_id)
        .select_related("producer")
        .order_by("pk")
    )


def job_for_update(job_id: int) -> Job:
    return (
        Job.objects.select_for_update(of=("self",))
        .select_related("producer", "order")
        .get(pk=job_id)
    )
