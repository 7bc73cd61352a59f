"""Residents' accounts: making one from an email, and proving that the email is theirs.

An account's email counts as verified only while an `EmailVerification` row holds
that same address. Proving it sends `email_verified`; the orders app listens and
gives the account the guest orders placed with that email (this app sits below
orders, so it announces instead of calling).
"""

import hashlib
import re

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.core import signing
from django.db import IntegrityError, connection, transaction
from django.dispatch import Signal
from django.utils import timezone

from producers.exceptions import (
    EmailInUse,
    EmailVerifiedElsewhere,
    VerificationLinkExpired,
    VerificationLinkInvalid,
)
from producers.models import EmailVerification

# Sent inside the transaction that marks an email verified, with `user` and `email`
# (lower-cased). Receivers must be idempotent: marking again sends it again.
email_verified = Signal()

VERIFY_SALT = "producers.accounts.email-verify"
VERIFY_MAX_AGE = 7 * 24 * 60 * 60  # seconds a verification link stays good
USERNAME_MAX = 150


def email_normalise(email: str) -> str:
    return email.strip().lower()


def email_is_taken(email: str) -> bool:
    """True when an account already uses this address as its email or its user name:
    either would make signing in with it ambiguous."""
    users = get_user_model()._default_manager
    email = email_normalise(email)
    return (
        users.filter(email__iexact=email).exists() or users.filter(username__iexact=email).exists()
    )


def _free_username(email: str) -> str:
    users = get_user_model()._default_manager
    base = re.sub(r"[^\w.@+-]", "", email)[: USERNAME_MAX - 4] or "resident"
    name, number = base, 1
    while users.filter(username__iexact=name).exists():
        number += 1
        name = f"{base}-{number}"
    return name


def account_create(*, email: str, name: str, password: str) -> AbstractBaseUser:
    """Make a resident's account whose user name is its email. Refuses an email that any
    account already uses (`EmailInUse`). Two sign-ups racing for one email derive the same
    user name, so the unique user name lets one in and refuses the other (there is no
    unique index on emails: older accounts may share one). The password is expected to
    have passed the validators already. The email starts unverified."""
    email = email_normalise(email)
    users = get_user_model()._default_manager
    with transaction.atomic():
        # One sign-up per email at a time: without it, a second sign-up that checked
        # before the first committed would find the user name taken and pick another.
        _email_for_update(email)
        if email_is_taken(email):
            raise EmailInUse
        try:
            with transaction.atomic():
                return users.create_user(
                    username=_free_username(email),
                    email=email,
                    password=password,
                    first_name=name.strip()[:150],
                )
        except IntegrityError as error:
            raise EmailInUse from error


def _email_for_update(email: str) -> None:
    """A PostgreSQL advisory lock on the email until the transaction ends; nothing to do
    on SQLite, whose transactions write one at a time."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [f"account-email:{email}"]
        )


def email_is_verified(user) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.email:
        return False
    return EmailVerification.objects.filter(
        user_id=user.pk, email=email_normalise(user.email)
    ).exists()


def email_verify_token(*, user) -> str:
    """A signed, timestamped token naming the account and (by digest) the email it proves."""
    return signing.dumps({"user": user.pk, "email": _email_digest(user.email)}, salt=VERIFY_SALT)


def _email_digest(email: str) -> str:
    # The link carries a digest, not the address, so the address stays out of logs.
    return hashlib.sha256(email_normalise(email).encode()).hexdigest()[:20]


def email_verify_token_user(token: str):
    """The account a verification token proves an email for. Raises
    `VerificationLinkExpired` after `VERIFY_MAX_AGE`, `VerificationLinkInvalid` when the
    token was altered, its account is gone, or the account's email has changed since."""
    try:
        data = signing.loads(token, salt=VERIFY_SALT, max_age=VERIFY_MAX_AGE)
    except signing.SignatureExpired as error:
        raise VerificationLinkExpired from error
    except signing.BadSignature as error:
        raise VerificationLinkInvalid from error
    user = get_user_model()._default_manager.filter(pk=data.get("user"), is_active=True).first()
    if user is None or _email_digest(user.email) != data.get("email"):
        raise VerificationLinkInvalid(
            "This link was for an email the account no longer uses. Ask for a new one."
        )
    return user


def email_verified_mark(*, user) -> bool:
    """Record that `user` proved their current email, then send `email_verified` (the
    orders app joins the guest orders placed with that email). Safe to call again and
    at the same time: the account's row is locked, so one verification row is written
    and True is returned to exactly one caller, the one that verified it first.

    Raises `EmailVerifiedElsewhere` if another account proved this address first, and
    `ValueError` for an account without an email.
    """
    with transaction.atomic():
        users = get_user_model()._default_manager
        locked = users.select_for_update(of=("self",)).get(pk=user.pk)
        email = email_normalise(locked.email)
        if not email:
            raise ValueError("An account without an email cannot verify it.")
        if EmailVerification.objects.filter(email=email).exclude(user_id=locked.pk).exists():
            raise EmailVerifiedElsewhere
        now = timezone.now()
        changed = EmailVerification.objects.filter(user_id=locked.pk).exclude(email=email)
        created = not EmailVerification.objects.filter(user_id=locked.pk, email=email).exists()
        try:
            with transaction.atomic():
                if changed.update(email=email, verified_at=now) == 0 and created:
                    EmailVerification.objects.create(user=locked, email=email, verified_at=now)
        except IntegrityError as error:  # another account proved it a moment ago
            raise EmailVerifiedElsewhere from error
        email_verified.send(sender=EmailVerification, user=locked, email=email)
    return created
