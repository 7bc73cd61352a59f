"""A co-op's own shop: which co-op, and the overview of its pages."""

from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from frontend.workbench.common import coop_context, coop_view, my_producers, workbench_view


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


@coop_view
@require_GET
def coop_home(request, producer):
    return render(
        request, "frontend/workbench/coop_home.html", coop_context(request, producer, "overview")
    )
