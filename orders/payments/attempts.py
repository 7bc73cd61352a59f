"""Sending a refund or a payout to Stripe: claim, call, record, the way webhook deliveries go.

1. claim (one short transaction): lock the row, skipping it if another worker
   holds it; go on only if it is still unsent and due; count the attempt and
   move `next_attempt_at` past the longest a call can take, which keeps every
   other worker off it while the call is in flight;
2. the call to Stripe, outside any transaction, with the row's own idempotency
   key, so a retry after a lost answer is recognised by Stripe as the same call;
3. record (one short transaction): the outcome; a failure is kept with its
   error and tried again later with back-off by `payments_retry_due`.
"""

import datetime

from django.db import models, transaction
from django.utils import timezone

from orders.tasks import backoff_delay

# Longer than the Stripe client can take over one call with its own retries.
ATTEMPT_LEASE = datetime.timedelta(minutes=5)
# About a day and a half of tries with back-off; after that a person looks at it.
MAX_ATTEMPTS = 12


def claim(model: type[models.Model], pk: int, *, sent_field: str):
    """Take the next attempt at sending a row, or None when there is nothing to do."""
    with transaction.atomic():
        row = model.objects.select_for_update(skip_locked=True, of=("self",)).filter(pk=pk).first()
        if row is None or getattr(row, sent_field) or row.status not in ("pending", "failed"):
            return None
        now = timezone.now()
        if row.next_attempt_at is not None and row.next_attempt_at > now:
            return None
        row.attempts += 1
        row.next_attempt_at = now + ATTEMPT_LEASE
        row.save(update_fields=["attempts", "next_attempt_at", "updated_at"])
    return row


def record_failure(model: type[models.Model], pk: int, error: str) -> None:
    with transaction.atomic():
        row = model.objects.select_for_update(of=("self",)).get(pk=pk)
        row.status = "failed"
        row.error = error[:500]
        row.next_attempt_at = (
            timezone.now() + backoff_delay(row.attempts) if row.attempts < MAX_ATTEMPTS else None
        )
        row.save(update_fields=["status", "error", "next_attempt_at", "updated_at"])
