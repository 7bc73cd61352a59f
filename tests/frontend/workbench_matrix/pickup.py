"""Pickup points: their keepers (members of the keeping producer) and staff, nobody else.

Co-op A's row is the Center, kept by the Fab Lab (the "fablab" role keeps it); co-op B's
row is a point kept by co-op B. To a member of any other producer a point is not found.
"""

from orders.models import PickupPoint
from orders.services import job_accept, job_arrive_at_point, job_ready, job_start
from tests.factories import FabLabFactory, place
from tests.frontend.workbench_matrix import OK, SIGN_IN, network_page, roles


def keepers_page(name: str, *, methods=("get",)) -> dict:
    rows = {}
    for method in methods:
        rows[(name, method, "A")] = roles(SIGN_IN, 403, 404, 404, OK, OK)
        rows[(name, method, "B")] = roles(SIGN_IN, 403, 404, 404, 404, OK)
    return rows


ROWS = {
    ("workbench:pickup-points", "get", "-"): network_page(),
    **keepers_page("workbench:pickup-point"),
    **keepers_page("workbench:pickup-arrived", methods=("post",)),
    **keepers_page("workbench:pickup-hand-over", methods=("post",)),
}


def prepare(side):
    keeper = FabLabFactory() if side.name == "a" else side.producer
    side.point = PickupPoint.objects.create(
        slug=f"point-{side.name}",
        name=f"Point {side.name}",
        address="1000 W Capitol St",
        opening_hours="Tue–Sat 10 am–6 pm",
        keeper=keeper,
    )
    side.point_job = _ready_job(side)  # to mark arrived
    side.arrived_job = job_arrive_at_point(job=_ready_job(side), by=None)  # to hand over


def _ready_job(side):
    job = place((side.product, 1), customer=side.buyer, pickup_point=side.point).jobs.get()
    for move in (job_accept, job_start, job_ready):
        job = move(job=job, by=None)
    return job


def kwargs(name, side):
    if not name.startswith("workbench:pickup-") or name == "workbench:pickup-points":
        return {}
    return {
        "slug": side.point.slug,
        "pk": side.point_job.pk,
        "number": side.arrived_job.order.number,
    }


def body(name, side):
    # The resident pays for a pay-at-pickup order when the keepers hand it over.
    return {"method": "cash"} if name == "workbench:pickup-hand-over" else {}
