"""Twenty members book the same slot at the same moment: one booking, nineteen refusals.

Runs on PostgreSQL only, where the exclusion constraint is what stops the others; SQLite
runs one writer at a time, so a race there proves nothing and the test is skipped.
"""

import threading

import pytest
from django.db import connection

from fablab.exceptions import BookingOverlaps
from fablab.models import Booking
from fablab.services.bookings import booking_create
from producers.models import Membership
from tests.fablab.bookings_setup import lab_world, local, next_weekday
from tests.factories import MembershipFactory, UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

MEMBERS = 20


def test_twenty_members_booking_one_slot_at_once_make_one_booking():
    lab = lab_world()
    members = [lab.member]
    for number in range(1, MEMBERS):
        person = UserFactory(username=f"maker-{number}")
        MembershipFactory(producer=lab.coop, user=person, role=Membership.Role.MEMBER)
        members.append(person)
    for person in members[1:]:
        person.certifications.create(
            capability=lab.machine.capability,
            expires_on=lab.member.certifications.get().expires_on,
        )
    day = next_weekday(2)
    barrier = threading.Barrier(MEMBERS)
    outcomes: list[str] = []

    def book(person):
        try:
            barrier.wait()
            booking_create(
                machine=lab.machine,
                producer=lab.coop,
                by=person,
                starts_at=local(day, 10),
                ends_at=local(day, 12),
            )
            outcomes.append("booked")
        except BookingOverlaps as refusal:
            outcomes.append(refusal.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=book, args=(person,)) for person in members]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["booked"] + ["booking_overlaps"] * (MEMBERS - 1)
    assert Booking.objects.active().filter(machine=lab.machine).count() == 1
