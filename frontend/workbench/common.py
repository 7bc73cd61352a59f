"""What every workbench section shares: who may come in, and whose work they see."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from catalog.permissions import is_network_member
from producers.models import Producer
from producers.permissions import is_platform_staff, producer_ids_for
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
