"""Reads shared by the API and the storefront."""

from django.db.models import QuerySet

from producers.models import Membership, Producer


def producer_list(*, include_paused: bool = True) -> QuerySet[Producer]:
    producers = Producer.objects.prefetch_related("capabilities")
    if not include_paused:
        producers = producers.active()
    return producers


def producer_members(*, producer: Producer) -> QuerySet[Membership]:
    return Membership.objects.filter(producer=producer).select_related("user")
