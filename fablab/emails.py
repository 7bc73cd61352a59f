"""The Fab Lab's emails, rendered from `fablab/emails/<name>_subject.txt`, `.txt` and
`.html`. Only rendered here: the services hand them to the outbox they are given."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string

from fablab.models import Certification
from producers.models import Producer


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    body_text: str
    body_html: str


def in_sentence(name: str) -> str:
    """A capability's name inside a sentence: "laser cutting", but "CNC routing" and
    "3D printing" as they are."""
    first = name.split(" ", 1)[0]
    if first.isupper() or any(ch.isdigit() for ch in first):
        return name
    return name[:1].lower() + name[1:]


def render(template: str, context: dict) -> RenderedEmail:
    context = {"site_url": settings.SITE_URL, **context}
    subject = render_to_string(f"fablab/emails/{template}_subject.txt", context)
    return RenderedEmail(
        subject=" ".join(subject.split())[:300],
        body_text=render_to_string(f"fablab/emails/{template}.txt", context).rstrip() + "\n",
        body_html=render_to_string(f"fablab/emails/{template}.html", context),
    )


def certification_expiring_email(
    *, certification: Certification, on: datetime.date, fablab: Producer | None
) -> RenderedEmail:
    """Tell a certified person when their certification runs out and how to renew it."""
    person = certification.person
    return render(
        "certification_expiring",
        {
            "name": person.get_full_name() or person.username,
            "capability": in_sentence(certification.capability.name),
            "expires_on": certification.expires_on,
            "days_left": (certification.expires_on - on).days,
            "fablab": fablab,
            "certifications_url": f"{settings.SITE_URL}/workbench/certifications/",
        },
    )
