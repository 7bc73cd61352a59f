"""Certifications: everyone in the network reads the page (their own co-ops' people);
only the Fab Lab's staff and platform staff certify, renew and revoke.

Each co-op's row is a certification held by its member: the co-op's people see it (and
are refused changing it), another co-op's people do not find it.
"""

import datetime

from django.utils import timezone

from fablab.services.certifications import certification_grant
from tests.factories import CapabilityFactory
from tests.frontend.workbench_matrix import OK, SIGN_IN, network_page, roles


def certifiers_page(name: str, *, methods=("post",)) -> dict:
    rows = {}
    for method in methods:
        rows[(name, method, "A")] = roles(SIGN_IN, 403, 403, 403, OK, OK)
        rows[(name, method, "B")] = roles(SIGN_IN, 403, 404, 404, OK, OK)
    return rows


ROWS = {
    ("workbench:certifications", "get", "-"): network_page(),
    ("workbench:certification-new", "post", "-"): roles(SIGN_IN, 403, 403, 403, OK, OK),
    **certifiers_page("workbench:certification-renew"),
    **certifiers_page("workbench:certification-revoke", methods=("get", "post")),
}


def _in(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def prepare(side):
    side.capability = CapabilityFactory(slug=f"laser-cutting-{side.name}", name="Laser cutting")
    side.certification = certification_grant(
        person=side.member, capability=side.capability, expires_on=_in(200), by=None
    )


def kwargs(name, side):
    return {"pk": side.certification.pk} if name.startswith("workbench:certification-") else {}


def body(name, side):
    if name == "workbench:certification-new":
        return {
            "certify-person": side.manager.pk,
            "certify-capability": side.capability.pk,
            "certify-expires_on": _in(365).isoformat(),
        }
    if name == "workbench:certification-renew":
        return {"expires_on": _in(400).isoformat()}
    return {}
