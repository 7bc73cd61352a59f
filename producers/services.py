"""Every write to producers and memberships. Each function is one transaction."""

import contextlib
import hashlib
import secrets

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from producers.accounts import email_verified_mark
from producers.exceptions import (
    AlreadyMember,
    EmailVerifiedElsewhere,
    InvitationUnusable,
    InvitedEmailHasAccount,
    LastManager,
)
from producers.models import (
    INVITATION_LIFETIME,
    Capability,
    Invitation,
    Membership,
    Producer,
    new_webhook_secret,
)
from producers.webhooks import check_webhook_url

User = get_user_model()

# What a co-op's managers may change about it; platform staff also set its identity
# and payout account. The API's input serializers take their fields from here.
PRODUCER_MANAGER_FIELDS = (
    "name",
    "description",
    "website",
    "address",
    "pickup_address",
    "opening_hours",
    "public_phone",
    "latitude",
    "longitude",
    "contact_email",
    "contact_phone",
    "max_open_jobs",
    "status",
    "webhook_url",
)
PRODUCER_STAFF_FIELDS = ("slug", "kind", "stripe_account_id")
PRODUCER_FIELDS = frozenset(PRODUCER_MANAGER_FIELDS + PRODUCER_STAFF_FIELDS)


def producer_create(*, capabilities: list[Capability] | None = None, **fields) -> Producer:
    """Create a producer with its capabilities. Raises ValidationError on bad fields."""
    unknown = set(fields) - PRODUCER_FIELDS
    if unknown:
        raise TypeError(f"unknown producer fields: {sorted(unknown)}")
    with transaction.atomic():
        producer = Producer(**fields)
        producer.full_clean()
        producer.save()
        if capabilities:
            producer.capabilities.set(capabilities)
    return producer


def producer_update(
    *, producer: Producer, capabilities: list[Capability] | None = None, **fields
) -> Producer:
    """Change a producer's fields; `capabilities=None` leaves them as they are."""
    unknown = set(fields) - PRODUCER_FIELDS
    if unknown:
        raise TypeError(f"unknown producer fields: {sorted(unknown)}")
    url = fields.get("webhook_url")
    if url and url != producer.webhook_url:
        # The address guard (see `producers.webhooks`) holds for every caller, not
        # only for the forms that offer the field.
        try:
            check_webhook_url(url)
        except ValidationError as error:
            raise ValidationError({"webhook_url": error.messages}) from None
    with transaction.atomic():
        if "webhook_url" in fields:
            # Saving the address again (fixed or new) switches deliveries back on.
            producer.webhook_disabled_at = None
        for name, value in fields.items():
            setattr(producer, name, value)
        producer.full_clean()
        producer.save()
        if capabilities is not None:
            producer.capabilities.set(capabilities)
    return producer


def producer_rotate_webhook_secret(*, producer: Producer) -> str:
    """Issue a new signing secret and return it; the old one still signs for a grace period."""
    with transaction.atomic():
        locked = Producer.objects.select_for_update().get(pk=producer.pk)
        locked.webhook_secret_previous = locked.webhook_secret
        locked.webhook_secret = new_webhook_secret()
        locked.webhook_secret_rotated_at = timezone.now()
        locked.save(
            update_fields=[
                "webhook_secret",
                "webhook_secret_previous",
                "webhook_secret_rotated_at",
                "updated_at",
            ]
        )
    producer.webhook_secret = locked.webhook_secret
    producer.webhook_secret_previous = locked.webhook_secret_previous
    producer.webhook_secret_rotated_at = locked.webhook_secret_rotated_at
    return locked.webhook_secret


def membership_add(*, producer: Producer, user, role: str = Membership.Role.MEMBER) -> Membership:
    with transaction.atomic():
        if Membership.objects.filter(producer=producer, user=user).exists():
            raise AlreadyMember(username=user.get_username())
        membership = Membership(producer=producer, user=user, role=role)
        membership.full_clean()
        membership.save()
    return membership


def _lock_memberships(producer: Producer) -> list[Membership]:
    # Lock every membership of the producer, in primary-key order, so that two
    # managers demoting each other at once cannot leave the co-op with none.
    return list(Membership.objects.select_for_update().filter(producer=producer).order_by("pk"))


def membership_change_role(*, membership: Membership, role: str) -> Membership:
    """Change a member's role; refuses to demote the producer's last manager."""
    with transaction.atomic():
        locked = {m.pk: m for m in _lock_memberships(membership.producer)}
        current = locked[membership.pk]
        managers = [m for m in locked.values() if m.is_manager]
        if current.is_manager and role != Membership.Role.MANAGER and len(managers) == 1:
            raise LastManager()
        current.role = role
        current.full_clean()
        current.save(update_fields=["role"])
    return current


def membership_remove(*, membership: Membership) -> None:
    """Remove a member; refuses to remove the producer's last manager."""
    with transaction.atomic():
        locked = {m.pk: m for m in _lock_memberships(membership.producer)}
        current = locked.get(membership.pk)
        if current is None:
            return
        managers = [m for m in locked.values() if m.is_manager]
        if current.is_manager and len(managers) == 1:
            raise LastManager()
        current.delete()


# --- Invitations ----------------------------------------------------------------------------


def invitation_digest(token: str) -> str:
    # 32 random bytes need no slow hash: a leaked table still opens nothing.
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_create(
    *, producer: Producer, email: str, role: str, invited_by
) -> tuple[Invitation, str]:
    """Invite `email` to join `producer` in `role` for `INVITATION_LIFETIME`.

    Returns the invitation and its token, which is stored only as a digest and cannot be
    shown again. An earlier pending invitation to the same email is revoked, so only
    the newest link works. Raises AlreadyMember when the email's account is a member
    already, ValidationError on a bad email or role.
    """
    email = email.strip()
    if Membership.objects.filter(producer=producer, user__email__iexact=email).exists():
        raise AlreadyMember(f"{email} is already a member of {producer.name}.")
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    invitation = Invitation(
        producer=producer,
        email=email,
        role=role,
        digest=invitation_digest(token),
        invited_by=invited_by,
        expires_at=now + INVITATION_LIFETIME,
    )
    invitation.full_clean(exclude=["digest"])
    with transaction.atomic():
        Invitation.objects.filter(
            producer=producer, email__iexact=email, accepted_at=None, revoked_at=None
        ).update(revoked_at=now)
        invitation.save()
    return invitation, token


def invitation_revoke(*, invitation: Invitation) -> bool:
    """Withdraw a pending invitation; False when it was accepted or revoked already."""
    with transaction.atomic():
        revoked = Invitation.objects.filter(
            pk=invitation.pk, accepted_at=None, revoked_at=None
        ).update(revoked_at=timezone.now())
    return bool(revoked)


def invitation_check(invitation: Invitation | None) -> Invitation:
    """The invitation if its link can still be used; else InvitationUnusable saying why."""
    if invitation is None:
        raise InvitationUnusable("unknown")
    if invitation.accepted_at is not None:
        raise InvitationUnusable("used")
    if invitation.revoked_at is not None:
        raise InvitationUnusable("revoked")
    if invitation.expires_at <= timezone.now():
        raise InvitationUnusable("expired")
    return invitation


def _lock_invitation(token: str) -> Invitation:
    # The row lock makes acceptance single-use: a second acceptance waits here and
    # then finds the invitation used.
    locked = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("producer")
        .filter(digest=invitation_digest(token))
        .first()
    )
    return invitation_check(locked)


def invitation_email_proven(*, user, invitation: Invitation) -> None:
    """Following the link proved that `user` reads `invitation.email`: the account's
    email counts as verified, and guest orders placed with it join the account.

    If another account already verified that email, this one stays unverified; the
    invitation is accepted all the same.
    """
    with contextlib.suppress(EmailVerifiedElsewhere):
        email_verified_mark(user=user)


def _join(invitation: Invitation, user) -> Membership:
    if Membership.objects.filter(producer=invitation.producer, user=user).exists():
        raise AlreadyMember(
            f"You are already a member of {invitation.producer.name}: "
            "this invitation was left as it was."
        )
    membership = Membership.objects.create(
        producer=invitation.producer, user=user, role=invitation.role
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    if user.email and user.email.lower() == invitation.email.lower():
        # The invitation proves the email:
        invitation_email_proven(user=user, invitation=invitation)
    return membership


def invitation_accept(*, token: str, user) -> Membership:
    """Accept an invitation for a signed-in account: it becomes a member in the invited role.

    Locks the invitation row, so two acceptances at once make one membership. Raises
    InvitationUnusable (unknown, expired, used, revoked) or AlreadyMember; either way
    nothing is written.
    """
    with transaction.atomic():
        invitation = _lock_invitation(token)
        return _join(invitation, user)


def invitation_accept_new_account(*, token: str, username: str, password: str) -> Membership:
    """Make an account with the invitation's email and accept the invitation with it.

    One transaction: a refused invitation leaves no account behind. Raises
    InvitationUnusable, InvitedEmailHasAccount (the email has an account: sign in instead), or
    ValidationError for a username or password the account rules refuse.
    """
    with transaction.atomic():
        invitation = _lock_invitation(token)
        if User._default_manager.filter(email__iexact=invitation.email).exists():
            raise InvitedEmailHasAccount()
        user = User(username=username, email=invitation.email)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save()
        return _join(invitation, user)
