"""Open-design routing prefers co-ops with a certified member and the machine time."""

import datetime

import pytest
from django.utils import timezone

from fablab.capacity import Capacity
from fablab.models import Booking, Machine, OpeningHours, OutOfService
from orders.models import Job
from producers.models import Capability
from tests.factories import FabLabFactory, ProducerFactory, UserFactory, place

pytestmark = pytest.mark.django_db


def laser_coop(name, **fields):
    return ProducerFactory(name=name, slug=name.lower(), capabilities=["laser_cutting"], **fields)


def laser(keeper, *, name="Laser cutter"):
    """A laser cutter open every day from 8 am to 8 pm."""
    machine = Machine.objects.create(
        name=name,
        slug=name.lower().replace(" ", "-"),
        capability=Capability.objects.get(slug="laser_cutting"),
        keeper=keeper,
    )
    for weekday in range(7):
        OpeningHours.objects.create(
            machine=machine, weekday=weekday, opens=datetime.time(8), closes=datetime.time(20)
        )
    return machine


def out_of_service_until_after(machine, day: datetime.date):
    OutOfService.objects.create(
        machine=machine,
        starts_at=timezone.now() - datetime.timedelta(hours=1),
        ends_at=timezone.make_aware(datetime.datetime.combine(day, datetime.time(23))),
        reason="New tube",
    )


def busy(producer, jobs: int, order):
    for _ in range(jobs):
        Job.objects.create(
            order=order, producer=producer, due_date=timezone.localdate(), routing_reason="x"
        )


@pytest.fixture
def timed_puzzle(puzzle):
    """The puzzle takes 30 minutes on a laser each; its designer is not taking work."""
    puzzle.machine_minutes = 30
    puzzle.save()
    puzzle.producer.status = "paused"
    puzzle.producer.save()
    return puzzle


def test_a_coop_nobody_is_certified_in_is_passed_over_and_the_reason_says_so(timed_puzzle, stool):
    laser(FabLabFactory())
    laser_coop("Quiet", certified=False)
    certified = laser_coop("Busy")
    busy(certified, 2, place((stool, 1)))

    job = place((timed_puzzle, 1)).jobs.get()

    assert job.producer == certified
    assert "Passed over: Quiet (nobody certified for laser cutting)" in job.routing_reason
    assert "member certified for laser cutting" in job.routing_reason


def test_a_coop_whose_machines_have_no_time_before_the_due_date_is_passed_over(timed_puzzle, stool):
    shared = laser(FabLabFactory(), name="Fab Lab laser")
    out_of_service_until_after(shared, timezone.localdate() + datetime.timedelta(days=4))
    laser_coop("Quiet")
    with_own_laser = laser_coop("Busy")
    laser(with_own_laser, name="Busy laser")
    busy(with_own_laser, 2, place((stool, 1)))

    job = place((timed_puzzle, 1)).jobs.get()

    assert job.producer == with_own_laser
    assert "30 min of machine time free before" in job.routing_reason
    assert "Quiet (no 30 min of laser cutting machine time free before" in job.routing_reason


def test_bookings_by_others_count_against_the_free_time(timed_puzzle, stool):
    shared = laser(FabLabFactory(), name="Fab Lab laser")
    out_of_service_until_after(shared, timezone.localdate() + datetime.timedelta(days=4))
    own = laser_coop("Own")
    machine = laser(own, name="Own laser")
    other = laser_coop("Other")
    laser(other, name="Other laser")
    busy(other, 1, place((stool, 1)))
    # Own's laser is booked solid until after the puzzle is due.
    now = timezone.now()
    Booking.objects.create(
        machine=machine,
        producer=own,
        booked_by=UserFactory(),
        starts_at=now - datetime.timedelta(minutes=1),
        ends_at=now + datetime.timedelta(days=5),
    )

    job = place((timed_puzzle, 1)).jobs.get()

    assert job.producer == other


def test_without_a_ready_coop_the_line_still_goes_to_the_best_and_says_what_is_missing(
    timed_puzzle,
):
    only = laser_coop("Only", certified=False)

    job = place((timed_puzzle, 1)).jobs.get()

    assert job.producer == only
    assert "No co-op with room had everything ready" in job.routing_reason
    assert "nobody certified for laser cutting" in job.routing_reason


def test_time_planned_for_one_line_is_not_counted_again_for_the_next():
    coop = laser_coop("Own")
    machine = laser(coop, name="Own laser")
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    # Free: tomorrow 8 am to 8 pm only.
    OutOfService.objects.create(
        machine=machine,
        starts_at=timezone.now() - datetime.timedelta(hours=1),
        ends_at=timezone.make_aware(datetime.datetime.combine(tomorrow, datetime.time(0))),
        reason="Busy today",
    )
    capacity = Capacity(
        producer_ids=[coop.pk], capability_ids=[machine.capability_id], until=tomorrow
    )

    before = capacity.free_minutes(coop, machine.capability_id, tomorrow)
    capacity.plan(coop, machine.capability_id, tomorrow, 10 * 60)

    assert before == 12 * 60
    assert capacity.free_minutes(coop, machine.capability_id, tomorrow) == 2 * 60
