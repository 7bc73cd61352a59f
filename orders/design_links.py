"""Signed, expiring links that let the co-op a job is routed to download its design files.

A link holds the design file, the job and the co-op it was made for, signed with
the site's secret and a timestamp. It works for DESIGN_LINK_MAX_AGE_HOURS, and
only while the job is still open at that co-op: once the co-op declines and the
design is routed elsewhere, its links stop working and the next co-op gets its own.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.utils import timezone

from catalog.design_selectors import current_design_files
from catalog.models import DesignFile
from orders.exceptions import DesignLinkExpired, DesignLinkInvalid, DesignLinkRefused
from orders.models import Job
from producers import permissions

SALT = "orders.design-link"


@dataclass(frozen=True)
class DesignLink:
    name: str
    version: int
    kind: str
    size: int
    path: str
    expires_at: datetime.datetime

    @property
    def url(self) -> str:
        """The absolute address, for the webhook payload and emails."""
        return f"{settings.SITE_URL}{self.path}"

    def as_payload(self) -> dict:
        return {
            "name": self.name,
            "version": self.version,
            "kind": self.kind,
            "url": self.url,
            "expires_at": self.expires_at.astimezone(datetime.UTC).isoformat(),
        }


def _max_age() -> datetime.timedelta:
    return datetime.timedelta(hours=settings.DESIGN_LINK_MAX_AGE_HOURS)


def design_link_make(*, design_file: DesignFile, job: Job) -> DesignLink:
    """A fresh link to one design file for the co-op the job is routed to."""
    token = signing.dumps(
        {"f": design_file.pk, "j": job.pk, "p": job.producer_id}, salt=SALT, compress=True
    )
    return DesignLink(
        name=design_file.name,
        version=design_file.version,
        kind=design_file.kind,
        size=design_file.size,
        path=f"/designs/{token}/",
        expires_at=timezone.now() + _max_age(),
    )


def design_links_for_jobs(jobs) -> dict[int, dict[int, list[DesignLink]]]:
    """job id -> product id -> links to the newest version of each of its design files.

    Only open jobs get links, and only for the products on their live lines; one query
    for all the jobs' files. Expects the jobs' lines to be prefetched.
    """
    wanted = {
        job.pk: {line.product_id for line in job.lines.all() if not line.cancelled}
        for job in jobs
        if job.is_open
    }
    files = current_design_files({pk for ids in wanted.values() for pk in ids})
    links: dict[int, dict[int, list[DesignLink]]] = {}
    for job in jobs:
        if job.pk not in wanted:
            continue
        links[job.pk] = {
            product_id: [design_link_make(design_file=f, job=job) for f in files[product_id]]
            for product_id in sorted(wanted[job.pk])
            if product_id in files
        }
    return links


def design_link_open(*, token: str, user=None) -> DesignFile:
    """The design file a link gives, after every check; raises why not.

    DesignLinkInvalid: not signed here, or the file was since removed.
    DesignLinkExpired: older than DESIGN_LINK_MAX_AGE_HOURS, or the job is no longer
    open at the co-op it was made for (declined and routed elsewhere, cancelled, handed over).
    DesignLinkRefused: made for another co-op than the job's, or than the signed-in member's.
    """
    try:
        data = signing.loads(token, salt=SALT, max_age=_max_age())
    except signing.SignatureExpired:
        raise DesignLinkExpired() from None
    except signing.BadSignature:
        raise DesignLinkInvalid() from None
    job = Job.objects.filter(pk=data["j"]).first()
    if job is None:
        raise DesignLinkExpired("The job this link was made for no longer exists.")
    if job.producer_id != data["p"] or not _may_use(user, data["p"]):
        raise DesignLinkRefused()
    if not job.is_open:
        raise DesignLinkExpired(
            "This design file link no longer works: the job it was made for is no longer "
            "open at your co-op (it was declined, cancelled or handed over)."
        )
    live_products = job.lines.filter(cancelled=False).values("product_id")
    design = (
        DesignFile.objects.select_related("product")
        .filter(pk=data["f"], product_id__in=live_products)
        .first()
    )
    if design is None:
        raise DesignLinkInvalid(
            "That design file was removed, or is no longer part of the job. The job card "
            "lists the current files."
        )
    return design


def _may_use(user, producer_id: int) -> bool:
    """Anyone holding the link may use it (the co-op's webhook receiver signs in as nobody),
    except a signed-in member of other co-ops only."""
    if user is None or not user.is_authenticated or permissions.is_platform_staff(user):
        return True
    own = permissions.producer_ids_for(user)
    return not own or producer_id in own
