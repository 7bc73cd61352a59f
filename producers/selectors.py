"""Reads shared by the API and the storefront."""

import hashlib

from django.db.models import QuerySet

from producers.models import Invitation, Membership, Producer


def producer_list(*, include_paused: bool = True) -> QuerySet[Producer]:
    producers = Producer.objects.prefetch_related("capabilities")
    if not include_paused:
        producers = producers.active()
    return producers


def producer_members(*, producer: Producer) -> QuerySet[Membership]:
    return Membership.objects.filter(producer=producer).select_related("user")


def invitations_pending(*, producer: Producer) -> QuerySet[Invitation]:
    """Invitations not yet accepted or revoked (expired ones included, marked by their date)."""
    return Invitation.objects.filter(
        producer=producer, accepted_at=None, revoked_at=None
    ).select_related("invited_by")


def invitation_for_token(*, token: str) -> Invitation | None:
    """The invitation a link's token names, whatever its state; None for a made-up token."""
    digest = hashlib.sha256(token.encode()).hexdigest()
    return Invitation.objects.select_related("producer").filter(digest=digest).first()
