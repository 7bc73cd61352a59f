"""API tokens: issue, authenticate, list and revoke.

A key is 32 random bytes; the database keeps its SHA-256 digest (a key this long needs
no slow hash), so a leaked table grants nothing. A token also carries a mark derived
from its owner's password hash, so changing the password ends every token at once.
"""

import datetime
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from producers.models import ApiToken

# `last_used_at` is written at most this often per token, not on every request.
LAST_USED_STEP = datetime.timedelta(minutes=5)


def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def password_mark(user: AbstractBaseUser) -> str:
    return salted_hmac(
        "producers.tokens.password_mark", user.password, algorithm="sha256"
    ).hexdigest()


def api_token_issue(*, user: AbstractBaseUser, name: str = "") -> tuple[ApiToken, str]:
    """Make a token for `user` that lives `TOKEN_TTL_DAYS`. Writes one row; returns it with
    the key, which is not stored and cannot be shown again."""
    key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        digest=key_digest(key),
        prefix=key[:8],
        password_mark=password_mark(user),
        expires_at=timezone.now() + datetime.timedelta(days=settings.TOKEN_TTL_DAYS),
    )
    return token, key


def api_token_authenticate(*, key: str) -> ApiToken | None:
    """The live token for `key` with its user, or None when it is unknown, expired, revoked
    or older than its owner's password. Writes `last_used_at` at most every few minutes."""
    token = (
        ApiToken.objects.select_related("user").filter(digest=key_digest(key)).first()
        if key
        else None
    )
    now = timezone.now()
    if (
        token is None
        or token.expires_at <= now
        or not constant_time_compare(token.password_mark, password_mark(token.user))
    ):
        return None
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_STEP:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def api_token_list(*, user: AbstractBaseUser) -> QuerySet[ApiToken]:
    """The user's tokens that still work: not expired, not older than the password."""
    return ApiToken.objects.filter(
        user=user, expires_at__gt=timezone.now(), password_mark=password_mark(user)
    )


@transaction.atomic
def api_token_revoke(*, token: ApiToken) -> None:
    """Revoke (delete) one token; the next request with its key answers 401."""
    token.delete()
