"""What every workbench section shares: who may come in, and whose work they see."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from catalog.permissions import is_network_member
from producers.models import Producer
from producers.permissions import can_manage, is_member, is_platform_staff, producer_ids_for
from producers.selectors import producer_list


def workbench_view(view):
    """Signed in, and a member of some producer (or platform staff); others see why not."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_network_member(request.user):
            return render(request, "frontend/workbench/forbidden.html", status=403)
        return view(request, *args, **kwargs)

    return login_required(wrapper)


def my_producers(user) -> list[Producer]:
    """The producers whose work and stock the user looks after; every one for platform staff."""
    producers = producer_list()
    if not is_platform_staff(user):
        producers = producers.filter(pk__in=producer_ids_for(user))
    return list(producers)


def my_producer_ids(user) -> set[int] | None:
    """The ids of `my_producers`, or None for platform staff (who look after every producer)."""
    return None if is_platform_staff(user) else producer_ids_for(user)


def shows_producer(user) -> bool:
    """Name the producer on each row when the user looks after more than one."""
    return is_platform_staff(user) or len(producer_ids_for(user)) > 1


def coop_view(view=None, *, managers_only: bool = False):
    """A page about one co-op, named by the `slug` in its URL.

    Its members see it; its managers (and platform staff) change it: a POST from a
    member, or any request to a `managers_only` page, gets a friendly 403. Another
    co-op's page is not found, so nobody learns what it holds. The view is called as
    `view(request, producer, **kwargs)`.
    """

    def decorate(view):
        @wraps(view)
        def wrapper(request, slug, *args, **kwargs):
            producer = get_object_or_404(producer_list(), slug=slug)
            user = request.user
            if not (is_platform_staff(user) or is_member(user, producer)):
                raise Http404("No such co-op.")
            changing = request.method not in ("GET", "HEAD", "OPTIONS")
            if (managers_only or changing) and not can_manage(user, producer):
                return render(
                    request,
                    "frontend/workbench/managers_only.html",
                    {"producer": producer},
                    status=403,
                )
            return view(request, producer, *args, **kwargs)

        return workbench_view(wrapper)

    return decorate if view is None else decorate(view)


# The pages of one co-op's shop, in the order its sub-navigation lists them:
# (section, URL name taking the co-op's slug, link text, what the page is for).
COOP_SECTIONS: list[tuple[str, str, str, str]] = [
    ("overview", "workbench:coop", "Overview", "Everything about running the co-op's shop."),
    ("products", "workbench:coop-products", "Products", "Goods, pictures, prices, materials."),
    ("goods", "workbench:coop-goods", "Finished goods", "Ready-made goods: made, counted, free."),
    ("ledger", "workbench:coop-ledger", "Ledger", "Every change on the co-op's shelves."),
    (
        "members",
        "workbench:coop-members",
        "Members",
        "Who works here, their roles, and invitations.",
    ),
    ("earnings", "workbench:coop-earnings", "Money", "What you sold, the fund's share, payouts."),
    ("payouts", "workbench:coop-payouts", "Getting paid", "Payouts to the co-op's bank account."),
    (
        "settings",
        "workbench:coop-settings",
        "Profile and settings",
        "What residents see, your logo, and your webhook.",
    ),
    ("export", "workbench:coop-export", "Export", "Download all the co-op's data."),
]


def coop_context(request, producer: Producer, section: str, **extra) -> dict:
    """What every co-op page's template needs: the co-op, its sections, who may change."""
    return {
        "producer": producer,
        "section": "coop",
        "coop_section": section,
        "coop_sections": [
            {"key": key, "url": reverse(name, args=[producer.slug]), "title": title, "blurb": blurb}
            for key, name, title, blurb in COOP_SECTIONS
        ],
        "may_manage": can_manage(request.user, producer),
        **extra,
    }
