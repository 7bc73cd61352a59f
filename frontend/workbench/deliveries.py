"""The webhook delivery log: the latest deliveries to the user's co-ops, with every attempt."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from frontend.workbench.common import my_producer_ids, shows_producer, workbench_view
from orders import selectors as order_selectors
from producers.selectors import producer_list

DELIVERY_LOG_SIZE = 50


@workbench_view
@require_GET
def deliveries(request):
    user = request.user
    producer_ids = my_producer_ids(user)
    coop = request.GET.get("co-op")
    if coop:
        # One co-op's log (linked from its settings); another co-op's is simply empty.
        chosen = set(producer_list().filter(slug=coop).values_list("pk", flat=True))
        producer_ids = chosen if producer_ids is None else chosen & producer_ids
    latest = order_selectors.deliveries_for(producer_ids=producer_ids)
    rows = list(latest[:DELIVERY_LOG_SIZE])
    for delivery in rows:
        attempts = list(delivery.attempt_log.all())
        delivery.last_attempt = attempts[-1] if attempts else None
    return render(
        request,
        "frontend/workbench/deliveries.html",
        {"section": "deliveries", "deliveries": rows, "show_producer": shows_producer(user)},
    )
