"""Inviting someone into a co-op: the invitation and its email in one transaction.

The invitation itself is the producers app's (`producers.services.invitation_create`);
the email goes through the outbox, which lives here, and producers may not import
orders. Written together, an invitation never exists without its email, nor the
email without its invitation.
"""

from django.db import transaction

from orders.emails import email_invitation
from producers.models import Invitation, Producer
from producers.services import invitation_create


def member_invite(*, producer: Producer, email: str, role: str, invited_by) -> Invitation:
    """Invite `email` into `producer` and queue the email with the link.

    Raises what `invitation_create` raises (AlreadyMember, ValidationError); then
    nothing is written and nothing is sent.
    """
    with transaction.atomic():
        invitation, token = invitation_create(
            producer=producer, email=email, role=role, invited_by=invited_by
        )
        email_invitation(invitation=invitation, token=token)
    return invitation
