"""Reads shared by the API and the storefront."""

from django.db.models import Prefetch, QuerySet

from orders.models import (
    Job,
    JobTransition,
    Order,
    OrderLine,
    PickupPoint,
    WebhookAttempt,
    WebhookDelivery,
)
from producers import permissions

O = Order.Status  # noqa: E741


def orders_of(user) -> QuerySet[Order]:
    """A signed-in customer's own orders; platform staff see every order."""
    orders = Order.objects.all()
    if not permissions.is_platform_staff(user):
        orders = orders.filter(customer=user) if user.is_authenticated else orders.none()
    return with_details(orders)


def with_details(orders: QuerySet[Order]) -> QuerySet[Order]:
    return orders.select_related("pickup_point").prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.select_related("product", "job__producer")),
        Prefetch(
            "jobs",
            queryset=Job.objects.select_related("producer").prefetch_related(
                Prefetch("transitions", queryset=JobTransition.objects.order_by("created_at", "id"))
            ),
        ),
    )


def jobs_visible_to(user) -> QuerySet[Job]:
    """Jobs of the producers the user belongs to, once their order is confirmed."""
    jobs = Job.objects.select_related("producer", "order__pickup_point").prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.select_related("product")),
        Prefetch("transitions", queryset=JobTransition.objects.select_related("by")),
        "allocations__material",
        "allocations__location",
    )
    if permissions.is_platform_staff(user):
        return jobs
    return jobs.filter(producer_id__in=permissions.producer_ids_for(user), dispatched=True)


def deliveries_for(*, producer_ids=None) -> QuerySet[WebhookDelivery]:
    """Webhook deliveries, newest first, each with its attempts (for the API and the workbench).

    `producer_ids=None` means every producer (platform staff).
    """
    deliveries = WebhookDelivery.objects.select_related("producer", "job__order").prefetch_related(
        Prefetch("attempt_log", queryset=WebhookAttempt.objects.order_by("number"))
    )
    if producer_ids is not None:
        deliveries = deliveries.filter(producer_id__in=producer_ids)
    return deliveries.order_by("-created_at", "-id")


def order_for(*, number: str, user, token: str | None) -> Order | None:
    """The order if this user may follow it: its customer, platform staff, or whoever
    holds its access token (compared in constant time). None for everyone else."""
    order = with_details(Order.objects.filter(number=number)).first()
    if order is None:
        return None
    owner = user.is_authenticated and order.customer_id == user.pk
    if owner or permissions.is_platform_staff(user) or order.token_matches(token):
        return order
    return None


def pickup_points_kept_by(user) -> QuerySet[PickupPoint]:
    """The pickup points whose keeper the user belongs to; every point for platform staff."""
    points = PickupPoint.objects.select_related("keeper")
    if permissions.is_platform_staff(user):
        return points
    return points.filter(keeper_id__in=permissions.producer_ids_for(user))


def pickup_point_orders(point: PickupPoint) -> QuerySet[Order]:
    """Confirmed, open orders gathered at the point, each with its parts (dispatched jobs,
    their co-op and lines), earliest due first."""
    live = (O.PAID, O.IN_PRODUCTION, O.READY)
    return (
        Order.objects.filter(pickup_point=point, status__in=live)
        .prefetch_related(
            Prefetch(
                "jobs",
                queryset=Job.objects.filter(dispatched=True)
                .select_related("producer")
                .prefetch_related(
                    Prefetch("lines", queryset=OrderLine.objects.filter(cancelled=False))
                )
                .order_by("due_date", "pk"),
            )
        )
        .order_by("created_at", "pk")
    )
