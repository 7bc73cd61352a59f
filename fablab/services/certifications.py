"""Certifying people for capabilities, reminding them before it runs out, and the gate
that work passes through.

Only the Fab Lab (its staff, or platform staff) certifies, renews and revokes; a
service called with `by=None` acts for the system (seeding, the back office).
"""

import datetime
from typing import Protocol

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from fablab.emails import certification_expiring_email, in_sentence
from fablab.exceptions import CertificationRequired
from fablab.models import Certification
from fablab.selectors import certifications_to_remind, certified_capabilities, fablab_producer
from producers.models import Capability, Producer
from producers.permissions import can_keep_shared_store

NOTE_MAX = Certification._meta.get_field("note").max_length


class QueueEmail(Protocol):
    """Writes one rendered email, to be sent after the caller's transaction commits
    (`orders.emails.email_queue_rendered`: the outbox lives above this app)."""

    def __call__(
        self,
        *,
        to: list[str],
        subject: str,
        body_text: str,
        body_html: str,
        kind: str,
        producer: Producer | None = None,
    ) -> object: ...


def may_certify(user) -> bool:
    """Fab Lab staff and platform staff certify people; nobody else."""
    return can_keep_shared_store(user)


def _require_certifier(by) -> None:
    if by is not None and not may_certify(by):
        raise PermissionDenied("Only the Fab Lab certifies people.")


def certification_grant(
    *,
    person,
    capability: Capability,
    expires_on: datetime.date,
    by,
    certified_on: datetime.date | None = None,
    note: str = "",
) -> Certification:
    """Certify `person` for `capability` until `expires_on`, or renew their certification.

    A renewal moves the dates and clears the reminder, so the next one goes out before
    the new expiry. Raises PermissionDenied unless `by` may certify (None: the system),
    and ValidationError (nothing written) for a closed account, a note too long, or an
    expiry that is not after both the day of certifying and today.
    """
    _require_certifier(by)
    today = timezone.localdate()
    certified_on = certified_on or today
    errors = {}
    if not person.is_active:
        errors["person"] = "That account is closed: only an open account can be certified."
    if expires_on <= certified_on:
        errors["expires_on"] = "The expiry must be after the day of certifying."
    elif expires_on <= today:
        errors["expires_on"] = "The expiry must be after today."
    if len(note) > NOTE_MAX:
        errors["note"] = f"Keep the note to {NOTE_MAX} characters."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        certification, _ = Certification.objects.select_for_update().update_or_create(
            person=person,
            capability=capability,
            defaults={
                "certified_on": certified_on,
                "expires_on": expires_on,
                "certified_by": by if getattr(by, "pk", None) else None,
                "note": note,
                "reminded_at": None,
            },
        )
    return certification


def certification_renew(
    *, certification: Certification, expires_on: datetime.date, by, note: str | None = None
) -> Certification:
    """Sign `certification` off again today, until `expires_on` (keeping its note unless
    given a new one). The reminder is cleared, so one goes out before the new expiry.
    Raises as `certification_grant` does."""
    return certification_grant(
        person=certification.person,
        capability=certification.capability,
        expires_on=expires_on,
        by=by,
        note=certification.note if note is None else note,
    )


def certification_revoke(*, certification: Certification, by) -> None:
    """Withdraw a certification at once: work that needs it no longer starts on its
    strength. Raises PermissionDenied unless `by` may certify."""
    _require_certifier(by)
    Certification.objects.filter(pk=certification.pk).delete()


def certifications_remind_expiring(
    *,
    queue_email: QueueEmail,
    on: datetime.date | None = None,
    within_days: int | None = None,
) -> int:
    """Email each holder whose certification runs out within `within_days` of `on`
    (FABLAB_CERTIFICATION_REMIND_DAYS of today by default), once: the certification is
    locked, re-read and marked reminded in the transaction that writes its email, so
    two runs at once send one. A renewal clears the mark. Returns how many were queued.
    """
    on = on or timezone.localdate()
    if within_days is None:
        within_days = settings.FABLAB_CERTIFICATION_REMIND_DAYS
    due = certifications_to_remind(on=on, within_days=within_days)
    fablab = fablab_producer()
    queued = 0
    for pk in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            certification = due.select_for_update(of=("self",)).filter(pk=pk).first()
            if certification is None:  # renewed, revoked or reminded since the read
                continue
            email = certification_expiring_email(certification=certification, on=on, fablab=fablab)
            queue_email(
                to=[certification.person.email],
                subject=email.subject,
                body_text=email.body_text,
                body_html=email.body_html,
                kind="certification.expiring",
                producer=fablab,
            )
            Certification.objects.filter(pk=pk).update(reminded_at=timezone.now())
            queued += 1
    return queued


def require_certified(*, producer: Producer, capabilities, on: datetime.date | None = None) -> None:
    """Raise CertificationRequired unless a member of `producer` holds a current
    certification for every one of `capabilities` on `on` (today by default).

    Checked when work starts, not when it is routed: a certification that runs out
    while a job waits stops the job at its start.
    """
    needed = list(capabilities)
    if not needed:
        return
    held = certified_capabilities([producer.pk], on=on).get(producer.pk, set())
    missing = [c for c in needed if c.pk not in held]
    if missing:
        names = ", ".join(in_sentence(c.name) for c in missing)
        raise CertificationRequired(
            f"Nobody at {producer.name} holds a current certification for {names}. "
            "Ask the Fab Lab to certify a member first.",
            capabilities=[c.slug for c in missing],
            capability=missing[0].slug,
        )
