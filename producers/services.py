"""Every write to producers and memberships. Each function is one transaction."""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from producers.exceptions import AlreadyMember, LastManager
from producers.models import Capability, Membership, Producer, new_webhook_secret

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
