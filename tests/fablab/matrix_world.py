"""The Fab Lab's part of the permission table's world: a laser cutter at the Fab Lab, one
of each co-op's own, a booking by each co-op's member, and the people certified to book."""

import datetime

from django.utils import timezone

from fablab.models import Certification
from fablab.services.bookings import booking_create
from tests.fablab.bookings_setup import laser_cutter, local, next_weekday


class BookingsWorld:
    def __init__(self, world):
        self.machine = laser_cutter()
        capability = self.machine.capability
        expires_on = timezone.localdate() + datetime.timedelta(days=365)
        people = [world.a.membership.user, world.a.manager, world.b.membership.user]
        people.append(world.users["staff"])
        for person in people:
            Certification.objects.create(
                person=person, capability=capability, expires_on=expires_on
            )
        self.day = next_weekday(1)
        for hour, side in ((10, world.a), (13, world.b)):
            side.machine = laser_cutter(
                keeper=side.producer,
                capability=capability,
                name=f"Cutter of {side.producer.name}",
                slug=f"cutter-{side.producer.slug}",
            )
            side.booking = booking_create(
                machine=self.machine,
                producer=side.producer,
                by=side.membership.user,
                starts_at=local(self.day, hour),
                ends_at=local(self.day, hour + 2),
            )

    def bodies(self, side) -> dict:
        later = self.day + datetime.timedelta(days=1)
        return {
            "booking-list": {
                "machine": self.machine.slug,
                "producer": side.producer.slug if side else None,
                "starts_at": local(later, 10).isoformat(),
                "ends_at": local(later, 11).isoformat(),
            },
            "booking-detail": {
                "starts_at": local(later, 14).isoformat(),
                "ends_at": local(later, 15).isoformat(),
            },
        }


def bookings_world(world) -> BookingsWorld:
    return BookingsWorld(world)
