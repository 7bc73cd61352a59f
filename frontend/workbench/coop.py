"""A co-op's own shop: which co-op, and the overview of its pages."""

from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from catalog.models import Product
from catalog.selectors import product_list
from frontend.workbench.common import coop_context, coop_view, my_producers, workbench_view
from producers.selectors import producer_members


@workbench_view
@require_GET
def coop_index(request):
    """Straight to the user's co-op when there is one; a choice when there are several."""
    producers = my_producers(request.user)
    if len(producers) == 1:
        return redirect("workbench:coop", producers[0].slug)
    return render(
        request, "frontend/workbench/coop_index.html", {"section": "coop", "producers": producers}
    )


def getting_started(user, producer) -> list[dict]:
    """The few things a new co-op does before its shop runs, each ticked off when done.

    `section` names the page in `COOP_SECTIONS` where it is done.
    """
    products = product_list(user=user).filter(producer=producer)
    return [
        {
            "section": "settings",
            "title": "Say where and when residents collect",
            "done": bool(producer.pickup_place and producer.opening_hours),
        },
        {
            "section": "products",
            "title": "Put your first product in the shop",
            "done": products.filter(status=Product.Status.PUBLISHED).exists(),
        },
        {
            "section": "members",
            "title": "Invite the rest of your crew",
            "done": producer_members(producer=producer).count() > 1,
        },
        {
            "section": "payouts",
            "title": "Set up payouts, so card sales reach your bank",
            "done": bool(producer.stripe_account_id),
        },
    ]


@coop_view
@require_GET
def coop_home(request, producer):
    context = coop_context(request, producer, "overview")
    urls = {page["key"]: page["url"] for page in context["coop_sections"]}
    steps = [
        {**step, "url": urls.get(step["section"])}
        for step in getting_started(request.user, producer)
    ]
    context["steps"] = steps if not all(step["done"] for step in steps) else []
    return render(request, "frontend/workbench/coop_home.html", context)
