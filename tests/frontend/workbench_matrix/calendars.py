"""Fab Lab calendars: a machine's day and week, the feed links and their reset buttons.

Each co-op keeps a machine of its own: its members see it, the other co-op does not;
the Fab Lab's staff see and reset every machine's link; a co-op's link is reset by its
managers.
"""

from tests.factories import make_machine
from tests.frontend.workbench_matrix import OK, SIGN_IN, coop_page, network_page, roles


def prepare(side) -> None:
    side.machine = make_machine(name=f"Band saw {side.name}", keeper=side.producer)


def kwargs(name: str, side) -> dict:
    if name.startswith("workbench:machine-"):
        return {"slug": side.machine.slug}
    return {}


ROWS = {
    ("workbench:calendars", "get", "-"): network_page(),
    **coop_page("workbench:coop-calendar-reset", methods=("post",)),
    ("workbench:machine-calendar-reset", "post", "A"): roles(SIGN_IN, 403, 403, 403, OK, OK),
    ("workbench:machine-calendar-reset", "post", "B"): roles(SIGN_IN, 403, 404, 404, OK, OK),
}
for page in ("workbench:machine-day", "workbench:machine-week"):
    ROWS[(page, "get", "A")] = roles(SIGN_IN, 403, OK, OK, OK, OK)
    ROWS[(page, "get", "B")] = roles(SIGN_IN, 403, 404, 404, OK, OK)
