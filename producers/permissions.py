"""Who may do what. Every app asks these questions through this one module.

- platform staff: `user.is_staff` (the network's back office);
- Fab Lab staff: members of the Fab Lab producer;
- members and managers: by `Membership` of a producer.

The functions answer for one user and one producer; views ask them and refuse
with their own message. Scoping lists to what a user may see is the job of each
view's `get_queryset()`, not of these.
"""

from producers.models import Membership, Producer


def is_platform_staff(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.is_staff)


def _roles(user) -> dict[int, str]:
    """The user's roles by producer id, read once per user object and request."""
    if not user or not user.is_authenticated:
        return {}
    cached = getattr(user, "_producer_roles", None)
    if cached is None:
        cached = dict(Membership.objects.filter(user=user).values_list("producer_id", "role"))
        user._producer_roles = cached
    return cached


def forget_roles(user) -> None:
    """Drop the per-object cache after memberships change."""
    if hasattr(user, "_producer_roles"):
        del user._producer_roles


def producer_ids_for(user, *, managed_only: bool = False) -> set[int]:
    roles = _roles(user)
    if managed_only:
        return {pid for pid, role in roles.items() if role == Membership.Role.MANAGER}
    return set(roles)


def is_member(user, producer: Producer | int) -> bool:
    producer_id = producer if isinstance(producer, int) else producer.pk
    return producer_id in _roles(user)


def is_manager(user, producer: Producer | int) -> bool:
    producer_id = producer if isinstance(producer, int) else producer.pk
    return _roles(user).get(producer_id) == Membership.Role.MANAGER


def is_fablab_staff(user) -> bool:
    ids = producer_ids_for(user)
    return bool(ids) and Producer.objects.filter(pk__in=ids, kind=Producer.Kind.FABLAB).exists()


def can_act_for(user, producer: Producer | int) -> bool:
    """Platform staff, or a member of the producer: who may work on its jobs, stock and goods."""
    return is_platform_staff(user) or is_member(user, producer)


def can_keep_shared_store(user) -> bool:
    """Platform staff or Fab Lab staff: who may keep the shared store's materials."""
    return is_platform_staff(user) or is_fablab_staff(user)


def can_see_private(user, producer: Producer) -> bool:
    """Members of the producer and platform staff see its contact and webhook settings."""
    return can_act_for(user, producer)


def can_manage(user, producer: Producer) -> bool:
    return is_platform_staff(user) or is_manager(user, producer)
