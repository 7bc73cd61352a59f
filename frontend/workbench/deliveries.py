"""The webhook delivery log: the latest deliveries to the user's co-ops, with every attempt."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from frontend.workbench.common import my_producer_ids, shows_producer, workbench_view
from orders import selectors as order_selectors

DELIVERY_LOG_SIZE = 50


@workbench_view
@require_GET
def deliveries(request):
    user = request.user
    latest = order_selectors.deliveries_for(producer_ids=my_producer_ids(user))
    rows = list(latest[:DELIVERY_LOG_SIZE])
    for delivery in rows:
        attempts = list(delivery.attempt_log.all())
        delivery.last_attempt = attempts[-1] if attempts else None
    return render(
        request,
        "frontend/workbench/deliveries.html",
        {"section": "deliveries", "deliveries": rows, "show_producer": shows_producer(user)},
    )
