"""Machines and bookings: anyone in the network sees the Fab Lab's machines; a co-op's own
machine is its members' (and staff's); a booking is its co-op's, and Fab Lab staff see and
change every booking. Co-op A's machine row is A's own machine; the bookings are of the
Fab Lab's laser cutter."""

import datetime

from django.utils import timezone

from fablab.models import Certification, Machine
from fablab.services.bookings import booking_create
from tests.fablab.bookings_setup import laser_cutter, local, next_weekday
from tests.factories import UserFactory
from tests.frontend.workbench_matrix import OK, SIGN_IN, network_page, roles

ROWS = {
    ("workbench:machines", "get", "-"): network_page(),
    ("workbench:bookings", "get", "-"): network_page(),
    ("workbench:machine", "get", "A"): roles(SIGN_IN, 403, OK, OK, OK, OK),
    ("workbench:machine", "get", "B"): roles(SIGN_IN, 403, 404, 404, OK, OK),
    # The Fab Lab's staff see a co-op's own machine but do not book it.
    ("workbench:machine", "post", "A"): roles(SIGN_IN, 403, OK, OK, 403, OK),
    ("workbench:machine", "post", "B"): roles(SIGN_IN, 403, 404, 404, 403, OK),
}
for _name, _methods in (
    ("workbench:booking-move", ("get", "post")),
    ("workbench:booking-cancel", ("post",)),
):
    for _method in _methods:
        ROWS[(_name, _method, "A")] = roles(SIGN_IN, 403, OK, OK, OK, OK)
        ROWS[(_name, _method, "B")] = roles(SIGN_IN, 403, 404, 404, OK, OK)

DAY = next_weekday(1)


def prepare(side):
    lab_cutter = Machine.objects.filter(slug="laser-cutter").first() or laser_cutter()
    capability = lab_cutter.capability
    expires_on = timezone.localdate() + datetime.timedelta(days=365)
    staff = UserFactory(username="platform", is_staff=True)
    for person in (side.member, side.manager, staff):
        Certification.objects.get_or_create(
            person=person, capability=capability, defaults={"expires_on": expires_on}
        )
    side.machine = laser_cutter(
        keeper=side.producer,
        capability=capability,
        name=f"Cutter {side.name}",
        slug=f"cutter-{side.name}",
    )
    hour = 10 if side.name == "a" else 13
    side.booking = booking_create(
        machine=lab_cutter,
        producer=side.producer,
        by=side.member,
        starts_at=local(DAY, hour),
        ends_at=local(DAY, hour + 2),
    )


def kwargs(name, side):
    if name == "workbench:machine":
        return {"slug": side.machine.slug}
    if name.startswith("workbench:booking-"):
        return {"pk": side.booking.pk}
    return {}


def body(name, side):
    later = (DAY + datetime.timedelta(days=1)).isoformat()
    if name == "workbench:machine":
        return {"date": later, "start": "10:00", "end": "11:00", "note": ""}
    if name == "workbench:booking-move":
        return {"date": later, "start": "14:00", "end": "15:00"}
    return {}
