"""Out of service: a machine's keepers take it out and put it back. Each co-op keeps a
machine of its own, so its managers (and platform staff) may; its members may not, the
Fab Lab's staff see it but do not keep it, and the other co-op does not see it at all."""

import datetime

from django.utils import timezone

from fablab.models import OutOfService
from tests.factories import make_machine
from tests.frontend.workbench_matrix import OK, SIGN_IN, roles


def prepare(side) -> None:
    side.kept_machine = make_machine(name=f"Drill press {side.name}", keeper=side.producer)
    start = timezone.now() + datetime.timedelta(days=3)
    side.outage = OutOfService.objects.create(
        machine=side.kept_machine,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=4),
        reason="New belt",
    )


def kwargs(name: str, side) -> dict:
    if name.startswith("workbench:machine-outage"):
        return {"slug": side.kept_machine.slug, "pk": side.outage.pk}
    return {}


def body(name: str, side) -> dict:
    if name == "workbench:machine-outage":
        day = (timezone.localdate() + datetime.timedelta(days=5)).isoformat()
        return {
            "start_date": day,
            "start_time": "09:00",
            "end_date": day,
            "end_time": "12:00",
            "reason": "Service visit",
        }
    return {}


ROWS = {}
for _name, _methods in (
    ("workbench:machine-outage", ("get", "post")),
    ("workbench:machine-outage-end", ("post",)),
):
    for _method in _methods:
        ROWS[(_name, _method, "A")] = roles(SIGN_IN, 403, 403, OK, 403, OK)
        ROWS[(_name, _method, "B")] = roles(SIGN_IN, 403, 404, 404, 403, OK)
