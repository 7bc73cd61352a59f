"""`Idempotency-Key` at the HTTP edge: claim the key, replay its first answer, store answers.

Keys belong to their caller, so a replay never hands one person's order to another:

- a signed-in user's keys are theirs (scope `user:<id>`): replays are in full;
- guests share one space (`guest`): the same key with another body is refused
  (422) as for anyone. A guest's replay is in full only when the caller proves
  it sent the first request: the first answer (whatever its status) sets a
  signed cookie listing the key, and the retry sends it back. Anyone else
  sending the same key and body
  gets the replay *without* the access token and the links that carry it:
  they learn that the order exists and how it goes, never a way to follow,
  cancel or pay for it. So a guest API client that retries keeps its cookies.
"""

import hashlib
import json

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from rest_framework import serializers
from rest_framework.response import Response

from orders.exceptions import IdempotencyKeyReused, PaymentProviderUnavailable, RequestInProgress
from orders.models import IdempotencyRecord, Order

HEADER = "Idempotency-Key"
# What lets its holder follow, cancel or pay for the order.
SECRET_FIELDS = ("access_token", "status_url", "checkout_url")
PROOF_COOKIE = "order_keys"
PROOF_SALT = "orders.idempotency.proof"
PROOF_AGE = 24 * 60 * 60  # the record's answer outlives it; retries come within minutes
REMEMBERED = 20  # a guest's latest keys


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def fingerprint(body) -> str:
    return _hash(json.dumps(body, sort_keys=True, default=str))


def _proofs(request) -> list[str]:
    """The keys this guest's signed cookie says it sent first (hashed)."""
    try:
        proofs = signing.loads(
            request.COOKIES.get(PROOF_COOKIE, ""), salt=PROOF_SALT, max_age=PROOF_AGE
        )
    except signing.BadSignature:
        return []
    return [p for p in proofs if isinstance(p, str)] if isinstance(proofs, list) else []


def _without_secrets(body):
    if not isinstance(body, dict):
        return body
    kept = {k: v for k, v in body.items() if k not in SECRET_FIELDS}
    if isinstance(kept.get("order"), dict):
        kept["order"] = _without_secrets(kept["order"])
    return kept


class Idempotency:
    """One request's key and whose it is. Without a key every method does nothing."""

    def __init__(self, request) -> None:
        self.key = request.headers.get(HEADER, "").strip()
        if len(self.key) > 255:
            raise serializers.ValidationError({HEADER: "Use at most 255 characters."})
        self.body_hash = fingerprint(request.data)
        self.guest = not request.user.is_authenticated
        self.scope = "guest" if self.guest else f"user:{request.user.pk}"
        self.known = _proofs(request) if self.guest else []
        self.proven = not self.guest or _hash(self.key)[:32] in self.known
        self.claimed = False

    def claim(self) -> IdempotencyRecord | None:
        """Claim the key inside the caller's transaction.

        Returns the stored record when the same request was answered before
        (replay it); None when this request now owns the key (or has none). A
        concurrent request with the key waits on the unique index until the
        first commits, then sees it. Raises IdempotencyKeyReused for another
        body, RequestInProgress while the first is unanswered.
        """
        if not self.key:
            return None
        try:
            with transaction.atomic():
                IdempotencyRecord.objects.create(
                    scope=self.scope, key=self.key, request_hash=self.body_hash
                )
            self.claimed = self.proven = True
            return None
        except IntegrityError:
            record = IdempotencyRecord.objects.get(scope=self.scope, key=self.key)
        if record.request_hash != self.body_hash:
            raise IdempotencyKeyReused()
        if record.response_status is None:
            raise RequestInProgress()
        return record

    def store(self, *, status: int, body) -> None:
        if self.key:
            IdempotencyRecord.objects.filter(scope=self.scope, key=self.key).update(
                response_status=status, response_body=json.loads(json.dumps(body, default=str))
            )

    def answer(self, *, status: int, body, replayed: bool = False) -> Response:
        """Store the answer under the key and send it (see `replay` for a replay).

        A guest who claimed the key now gets the proof cookie for its retries.
        """
        self.store(status=status, body=body)
        response = self._replayed(status, body) if replayed else Response(body, status=status)
        if self.guest and self.claimed:
            proofs = [*self.known, _hash(self.key)[:32]][-REMEMBERED:]
            response.set_cookie(
                PROOF_COOKIE,
                signing.dumps(proofs, salt=PROOF_SALT),
                max_age=PROOF_AGE,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response

    def replay(self, record: IdempotencyRecord) -> Response:
        return self._replayed(record.response_status, record.response_body)

    def _replayed(self, status: int, body) -> Response:
        # Only a caller that proved it sent the first request gets the order's secrets.
        shown = body if self.proven else _without_secrets(body)
        return Response(shown, status=status, headers={"Idempotent-Replayed": "true"})


def checkout_owed(record: IdempotencyRecord) -> Order | None:
    """The card order whose stored answer still owes it a payment page, if any."""
    body = record.response_body or {}
    if record.response_status == 201 or body.get("code") != PaymentProviderUnavailable.code:
        return None
    number = (body.get("order") or {}).get("number")
    return Order.objects.filter(number=number).first() if number else None
