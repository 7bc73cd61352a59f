"""Every row lock the orders app takes. Order first, then its jobs in id order."""

from orders.models import Job, Order


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
