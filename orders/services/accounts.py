"""Residents' accounts as orders see them: signing up (with the email that proves the
address) and the guest orders that join an account once its email is proven."""

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.urls import reverse

from orders.emails import email_queue
from orders.models import Email, Order
from producers import accounts


def guest_orders_join(*, user) -> int:
    """Give `user` the guest orders (no customer) placed with their email, if and only if
    that email is verified. Returns how many orders joined. One conditional UPDATE: an
    order that another caller joined first no longer matches, so under any concurrency
    each order joins once, and calling again joins nothing new."""
    if not accounts.email_is_verified(user):
        return 0
    return _join(user=user, email=user.email)


def _join(*, user, email: str) -> int:
    return Order.objects.filter(customer__isnull=True, contact_email__iexact=email).update(
        customer=user
    )


def on_email_verified(sender, *, user, email: str, **kwargs) -> int:
    """`producers.accounts.email_verified` receiver: runs in the verifying transaction."""
    return _join(user=user, email=email)


def email_verification_send(*, user) -> Email | None:
    """Queue the email with the link that proves the account's address (through the
    outbox: stored, retried); the row and its task commit together."""
    token = accounts.email_verify_token(user=user)
    path = reverse("frontend:email_verify", kwargs={"token": token})
    with transaction.atomic():
        return email_queue(
            to=[user.email],
            template="account_verify",
            context={
                "name": user.first_name,
                "verify_url": f"{settings.SITE_URL}{path}",
                "max_days": accounts.VERIFY_MAX_AGE // 86400,
            },
            kind="account.verify",
        )


def account_sign_up(*, email: str, name: str, password: str) -> AbstractBaseUser:
    """Make a resident's account (`producers.accounts.account_create`: raises `EmailInUse`)
    and queue the link that proves the email, in one transaction. The guest orders with
    that email join the account only once the link is opened."""
    with transaction.atomic(durable=True):
        user = accounts.account_create(email=email, name=name, password=password)
        email_verification_send(user=user)
    return user
