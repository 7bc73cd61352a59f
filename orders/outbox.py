"""The outbox: every call that leaves the system and must happen once, sent the same way.

A co-op's webhook, a Stripe refund or transfer, an email: each is a row (see
`orders.outbox_models.OutboxMessage`) written in the transaction that asks for
it, with a task enqueued in that same transaction. The task sends the row in
three steps, so that no database lock is held while the other side takes its time:

1. claim (one short transaction): lock the row, skipping it if another worker
   holds it; go on only if it is pending, due and not leased; count the attempt
   and lease the row (`leased_until`) for longer than one try can take. A second
   worker that gets the row after this commit sees the lease and leaves it alone.
2. the kind's `send`, outside any transaction;
3. record (one short transaction): the attempt's log row and the outcome:
   delivered, stopped, held, retried later with back-off and full jitter, or given up.

A worker that dies mid-try leaves the row leased; when the lease runs out the
housekeeping sweep (`requeue_due`) queues it again. Each kind's sender module
fills `SENDERS` with `register(...)`; this module imports none of them.
"""

import datetime
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.db import models, transaction
from django.db.models import Q
from django.tasks import task
from django.utils import timezone

from orders.models import OutboxAttempt, OutboxMessage, OutboxState

logger = logging.getLogger(__name__)

S = OutboxState


@dataclass(frozen=True)
class RetryPolicy:
    """After try n fails, the next waits a random time in [0, min(cap, base * 2**n)]."""

    lease: datetime.timedelta
    max_attempts: int
    base: datetime.timedelta
    cap: datetime.timedelta


_MINUTE = datetime.timedelta(minutes=1)

# Every kind's retry policy, in one place.
# Webhooks: ceilings of 60 s, 2 min, ... 4.3 h for tries 1..9, then 6 h. A uniform wait
# averages half its ceiling, so the average schedule passes three days at try 33
# (4.3 h + 23 x 3 h = 73.3 h); after that the delivery is given up and the endpoint off.
# Refunds and payouts: about a day and a half of tries; then a person looks at it.
# Emails: a mail server that is down for an hour or two still gets the message.
POLICIES: dict[str, RetryPolicy] = {
    "webhook": RetryPolicy(
        lease=5 * _MINUTE, max_attempts=33, base=datetime.timedelta(seconds=30), cap=360 * _MINUTE
    ),
    "refund": RetryPolicy(
        lease=5 * _MINUTE, max_attempts=12, base=datetime.timedelta(seconds=30), cap=360 * _MINUTE
    ),
    "payout": RetryPolicy(
        lease=5 * _MINUTE, max_attempts=12, base=datetime.timedelta(seconds=30), cap=360 * _MINUTE
    ),
    "email": RetryPolicy(lease=2 * _MINUTE, max_attempts=10, base=_MINUTE, cap=60 * _MINUTE),
}

# A due row the worker has not taken this long after it came due is queued again by the
# sweep: its deferred task was lost, or the backend cannot defer.
SWEEP_GRACE = 2 * _MINUTE


def backoff_delay(*, attempt: int, policy: RetryPolicy) -> datetime.timedelta:
    """How long to wait after the given (1-based) try failed: full jitter under the ceiling."""
    ceiling = min(policy.cap.total_seconds(), policy.base.total_seconds() * 2**attempt)
    return datetime.timedelta(seconds=random.uniform(0, ceiling))


class Outcome(StrEnum):
    SENT = "sent"
    STOPPED = "stopped"  # the other side said never again (a webhook's 410)
    HELD = "held"  # cannot be sent until something outside changes (no Stripe account)
    FAILED = "failed"  # try again later, or give up after the last try


@dataclass(frozen=True)
class Result:
    """What one try came to. `fields` are the kind's own columns to write with the outcome;
    `details` what its attempt log needs beyond the error (a webhook's URL and status)."""

    outcome: Outcome
    error: str = ""
    fields: dict[str, Any] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Sender:
    """How one kind is sent. `send` runs outside any transaction and returns a Result for
    everything it expects to go wrong; `check` runs under the claim's lock and may settle
    the row without a try (returns the state to set); `log`, `before_record` (which sees
    the row as it was before the try's fields are written) and `give_up` run in the
    record's transaction."""

    kind: str
    model: type[OutboxMessage]
    send: Callable[[Any], Result]
    queue_name: str = "default"
    select_related: tuple[str, ...] = ()
    check: Callable[[Any], OutboxState | None] | None = None
    log: Callable[[Any, int, Result, int], None] | None = None
    give_up: Callable[[Any, Result], None] | None = None
    before_record: Callable[[Any, Result], None] | None = None


SENDERS: dict[str, Sender] = {}


def register(sender: Sender) -> Sender:
    """Make a kind known to the worker. Called by each sender module when it is imported."""
    if sender.kind not in POLICIES:
        raise KeyError(f"No retry policy for outbox kind {sender.kind!r}.")
    SENDERS[sender.kind] = sender
    return sender


def enqueue(*, kind: str, pk: int, when: datetime.datetime | None = None) -> None:
    """Queue a try at a row, now or at `when`. Call it in the transaction that wrote the row.

    A backend that cannot defer gets no delayed task: the sweep queues the row once due.
    """
    runner = send_outbox_message.using(queue_name=SENDERS[kind].queue_name)
    if when is None:
        runner.enqueue(kind=kind, pk=pk)
    elif runner.get_backend().supports_defer:
        runner.using(run_after=when).enqueue(kind=kind, pk=pk)


def claim(*, kind: str, pk: int) -> tuple[Any, int] | None:
    """Take the next try at a row: (row, try number), or None when there is nothing to do.

    Locks the row (skipping it when another worker holds the lock), counts the try and
    leases the row. Writes the state `check` asks for instead, when it asks for one.
    """
    sender = SENDERS[kind]
    with transaction.atomic():
        rows = sender.model.objects.select_for_update(skip_locked=True, of=("self",))
        if sender.select_related:
            rows = rows.select_related(*sender.select_related)
        row = rows.filter(pk=pk).first()
        if row is None or row.state != S.PENDING:
            return None  # another worker holds it, or it is finished
        now = timezone.now()
        if row.leased_until is not None and row.leased_until > now:
            return None  # in flight elsewhere
        if row.next_attempt_at is not None and row.next_attempt_at > now:
            return None  # a retry is scheduled for later
        settled = sender.check(row) if sender.check else None
        if settled is not None:
            row.state, row.next_attempt_at, row.leased_until = settled, None, None
            row.save()
            return None
        row.attempts += 1
        row.leased_until = now + POLICIES[kind].lease
        row.save(update_fields=["attempts", "leased_until", "updated_at"])
    return row, row.attempts


def _log_attempt(kind: str, row: Any, number: int, result: Result, duration_ms: int) -> None:
    OutboxAttempt.objects.create(
        kind=kind,
        object_id=row.pk,
        number=number,
        error=result.error[:500],
        duration_ms=duration_ms,
    )


def record(*, kind: str, pk: int, number: int, result: Result, duration_ms: int = 0) -> Any:
    """Write a try's log row and its outcome, under the row's lock; queue the retry if any.

    Gives up (state failed, the kind's `give_up` called) when the last try failed.
    Returns the row.
    """
    sender, policy = SENDERS[kind], POLICIES[kind]
    with transaction.atomic():
        row = sender.model.objects.select_for_update(of=("self",)).get(pk=pk)
        if sender.log is not None:
            sender.log(row, number, result, duration_ms)
        else:
            _log_attempt(kind, row, number, result, duration_ms)
        if sender.before_record is not None:
            sender.before_record(row, result)
        row.last_error = result.error[:500]
        for name, value in result.fields.items():
            setattr(row, name, value)
        row.leased_until = None
        row.next_attempt_at = None
        if result.outcome == Outcome.SENT:
            row.state = S.DELIVERED
        elif result.outcome == Outcome.STOPPED:
            row.state = S.STOPPED
        elif result.outcome == Outcome.HELD:
            row.state = S.HELD
        elif number >= policy.max_attempts:
            row.state = S.FAILED
            if sender.give_up:
                sender.give_up(row, result)
        else:
            row.next_attempt_at = timezone.now() + backoff_delay(attempt=number, policy=policy)
            enqueue(kind=kind, pk=pk, when=row.next_attempt_at)
        row.save()
    return row


@task(queue_name="default")
def send_outbox_message(*, kind: str, pk: int) -> str:
    """Make the next try at one outbox row. Returns the row's state after it, or "skipped".

    What the kind's `send` raises is not caught: the row stays leased, and the sweep
    queues it again when the lease runs out, as after a worker that died.
    """
    claimed = claim(kind=kind, pk=pk)
    if claimed is None:
        return "skipped"
    row, number = claimed
    started = time.monotonic()
    result = SENDERS[kind].send(row)
    duration_ms = int((time.monotonic() - started) * 1000)
    if result.outcome == Outcome.FAILED:
        logger.info("outbox %s %s try %s failed: %s", kind, pk, number, result.error)
    return record(kind=kind, pk=pk, number=number, result=result, duration_ms=duration_ms).state


def _due(model: type[models.Model], now: datetime.datetime) -> models.QuerySet:
    """Pending rows whose lease ran out, or that came due and were not taken."""
    late = now - SWEEP_GRACE
    unleased = Q(leased_until__isnull=True) & (
        Q(next_attempt_at__lte=late) | Q(next_attempt_at__isnull=True, created_at__lte=late)
    )
    return model.objects.filter(Q(leased_until__lt=now) | unleased, state=S.PENDING)


def requeue_due(*, limit: int = 200) -> dict[str, int]:
    """Queue a try at every pending row, of every kind, whose lease ran out or that is
    overdue. Run every minute by housekeeping. Returns how many were queued, per kind."""
    now = timezone.now()
    queued = {}
    for kind, sender in SENDERS.items():
        pks = list(
            _due(sender.model, now).order_by("next_attempt_at").values_list("pk", flat=True)[:limit]
        )
        for pk in pks:
            enqueue(kind=kind, pk=pk)
        queued[kind] = len(pks)
    return queued
