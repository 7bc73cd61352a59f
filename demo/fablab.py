"""The demo Fab Lab: its machines and their hours, the people certified to use them, and
a week of bookings from the co-ops.

Looked up by natural keys before anything is created, so seeding twice changes nothing.
Bookings fall on the Fab Lab's next open days, so the calendars always show a live week.
"""

import datetime
from decimal import Decimal

from django.utils import timezone

from fablab.models import Booking, Certification, Machine, OpeningHours, OutOfService
from producers.models import Capability, Producer

# Tuesday to Saturday, 10 am to 6 pm: the Fab Lab's own hours.
OPEN_DAYS = range(1, 6)
OPENS, CLOSES = datetime.time(10), datetime.time(18)

# (slug, name, capability, rate per hour, longest booking in minutes, description)
MACHINES = [
    (
        "laser-a",
        "Laser cutter A",
        "laser_cutting",
        "18.00",
        180,
        "Epilog Fusion Pro, 32 × 20 in bed",
    ),
    (
        "laser-b",
        "Laser cutter B",
        "laser_cutting",
        "18.00",
        180,
        "Epilog Fusion Edge, 24 × 12 in bed",
    ),
    ("shopbot", "ShopBot CNC router", "cnc_routing", "25.00", 240, "ShopBot PRSalpha, 4 × 8 ft"),
    *[
        (f"printer-{n}", f"3D printer {n}", "3d_printing", "4.00", 480, "Prusa MK4, PLA and PETG")
        for n in range(1, 7)
    ],
    ("sewing-1", "Industrial sewing machine 1", "sewing", "6.00", 240, "Juki walking foot"),
    ("sewing-2", "Industrial sewing machine 2", "sewing", "6.00", 240, "Juki overlocker"),
]

# (username, capability, days until the certification runs out)
CERTIFICATIONS = [
    ("technician", "laser_cutting", 700),
    ("technician", "cnc_routing", 700),
    ("technician", "3d_printing", 700),
    ("technician", "sewing", 700),
    ("woodshop", "laser_cutting", 300),
    ("woodshop", "cnc_routing", 300),
    # Runs out soon: the workbench flags it and a reminder goes out.
    ("woodshop-member", "laser_cutting", 20),
    ("printer", "laser_cutting", 200),
    ("sewing", "sewing", 400),
]

# (machine, producer, username, which open day from today, start hour, hours, note)
BOOKINGS = [
    ("laser-a", "west-jackson-woodshop", "woodshop", 0, 10, 2, "Cutting board engraving"),
    ("laser-a", "capitol-sign-and-print", "printer", 0, 13, 3, "Community fridge signs"),
    ("shopbot", "west-jackson-woodshop", "woodshop", 1, 10, 4, "Bench legs"),
    ("laser-a", "west-jackson-woodshop", "woodshop-member", 1, 14, 2, "Puzzle blanks"),
    ("sewing-1", "common-thread-sewing", "sewing", 2, 10, 4, "Tote straps"),
    ("printer-1", "fab-lab", "technician", 2, 11, 6, "Spare parts for the sewing machines"),
]


def _open_days(count: int) -> list[datetime.date]:
    """The next `count` days the Fab Lab is open, tomorrow first."""
    days, day = [], timezone.localdate()
    while len(days) < count:
        day += datetime.timedelta(days=1)
        if day.weekday() in OPEN_DAYS:
            days.append(day)
    return days


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def seed_fablab(users: dict, producers: dict[str, Producer]) -> int:
    """Machines, certifications and bookings. Returns how many bookings were made."""
    fablab = producers["fab-lab"]
    capabilities = {c.slug: c for c in Capability.objects.all()}
    machines = {}
    for slug, name, capability, rate, longest, description in MACHINES:
        machine, created = Machine.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "capability": capabilities[capability],
                "keeper": fablab,
                "rate_per_hour": Decimal(rate),
                "max_booking_minutes": longest,
                "description": description,
            },
        )
        if created:
            OpeningHours.objects.bulk_create(
                OpeningHours(machine=machine, weekday=day, opens=OPENS, closes=CLOSES)
                for day in OPEN_DAYS
            )
        machines[slug] = machine

    today = timezone.localdate()
    for username, capability, days in CERTIFICATIONS:
        Certification.objects.get_or_create(
            person=users[username],
            capability=capabilities[capability],
            defaults={
                "certified_on": today - datetime.timedelta(days=60),
                "expires_on": today + datetime.timedelta(days=days),
                "certified_by": users["technician"],
                "note": "Fab Academy induction",
            },
        )

    days = _open_days(3)
    OutOfService.objects.get_or_create(
        machine=machines["laser-b"],
        reason="New laser tube being fitted",
        defaults={"starts_at": _at(days[0], 10), "ends_at": _at(days[1], 18)},
    )
    made = 0
    for slug, producer, username, day, hour, hours, note in BOOKINGS:
        _, created = Booking.objects.get_or_create(
            machine=machines[slug],
            producer=producers[producer],
            booked_by=users[username],
            note=note,
            status=Booking.Status.BOOKED,
            defaults={
                "starts_at": _at(days[day], hour),
                "ends_at": _at(days[day], hour + hours),
            },
        )
        made += created
    return made
