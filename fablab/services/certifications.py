"""Certifying people for capabilities, and the gate that work passes through."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from fablab.exceptions import CertificationRequired
from fablab.models import Certification
from fablab.selectors import certified_capabilities
from producers.models import Capability, Producer


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
    the new expiry. Raises ValidationError when the expiry is not after the start.
    """
    certified_on = certified_on or timezone.localdate()
    if expires_on <= certified_on:
        raise ValidationError({"expires_on": "The expiry must be after the day of certifying."})
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
        names = ", ".join(c.name.lower() for c in missing)
        raise CertificationRequired(
            f"Nobody at {producer.name} holds a current certification for {names}. "
            "Ask the Fab Lab to certify a member first.",
            capabilities=[c.slug for c in missing],
            capability=missing[0].slug,
        )
