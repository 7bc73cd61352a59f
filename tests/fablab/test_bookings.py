"""Booking machine time: every refusal says why and saves nothing; times are stored in
UTC from Chicago wall-clock hours, on both sides of a daylight-saving change."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from backend.errors import InvalidTransition
from fablab.exceptions import (
    BookingNotAllowed,
    BookingOverlaps,
    CertificationRequired,
    JobNotOpen,
    MachineNotBookable,
    MachineOutOfService,
    OutsideOpeningHours,
)
from fablab.models import Booking, Certification, Machine, OpeningHours, OutOfService
from fablab.services.bookings import booking_cancel, booking_move
from orders.models import Job
from producers.models import Membership
from tests.fablab.bookings_setup import (
    CHICAGO,
    lab_world,
    laser_cutter,
    local,
    next_clock_change,
    next_weekday,
    uncertified_member,
)
from tests.factories import (
    MembershipFactory,
    ProducerFactory,
    UserFactory,
    certify_a_member,
    make_stocked_product,
    place,
)

pytestmark = pytest.mark.django_db

UTC = datetime.UTC


@pytest.fixture
def lab():
    return lab_world()


@pytest.fixture
def tuesday():
    return next_weekday(1)


def test_a_certified_member_books_machine_time(lab, tuesday):
    booking = lab.book(local(tuesday, 10), local(tuesday, 12), note="Signs for the market")

    booking.refresh_from_db()
    assert booking.status == Booking.Status.BOOKED
    assert (booking.machine, booking.producer, booking.booked_by) == (
        lab.machine,
        lab.coop,
        lab.member,
    )
    assert booking.minutes == 120
    assert booking.note == "Signs for the market"


# --- Bad input: a clear error, nothing saved ------------------------------------------------


def refused(error, call):
    with pytest.raises(error) as caught:
        call()
    assert not Booking.objects.exists()
    return caught.value


def test_a_booking_that_ends_before_it_starts_is_refused(lab, tuesday):
    error = refused(ValidationError, lambda: lab.book(local(tuesday, 12), local(tuesday, 10)))

    assert "ends_at" in error.message_dict


def test_a_booking_that_ends_as_it_starts_is_refused(lab, tuesday):
    error = refused(ValidationError, lambda: lab.book(local(tuesday, 12), local(tuesday, 12)))

    assert "ends_at" in error.message_dict


def test_a_booking_longer_than_the_machine_allows_is_refused(lab, tuesday):
    error = refused(ValidationError, lambda: lab.book(local(tuesday, 9), local(tuesday, 13, 15)))

    assert error.message_dict["ends_at"] == [
        "One booking of Laser cutter may last at most 4 hours."
    ]


def test_a_booking_in_the_past_is_refused(lab):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)

    error = refused(ValidationError, lambda: lab.book(local(yesterday, 10), local(yesterday, 11)))

    assert "starts_at" in error.message_dict


def test_a_booking_before_opening_is_refused(lab, tuesday):
    error = refused(OutsideOpeningHours, lambda: lab.book(local(tuesday, 8), local(tuesday, 10)))

    assert error.code == "outside_opening_hours"


def test_a_booking_past_closing_is_refused(lab, tuesday):
    refused(OutsideOpeningHours, lambda: lab.book(local(tuesday, 16), local(tuesday, 18)))


def test_a_booking_on_a_closed_day_is_refused(lab, tuesday):
    OpeningHours.objects.filter(machine=lab.machine, weekday=tuesday.weekday()).delete()

    refused(OutsideOpeningHours, lambda: lab.book(local(tuesday, 10), local(tuesday, 11)))


def test_a_booking_over_the_lunch_break_is_refused_but_either_side_is_taken(lab, tuesday):
    OpeningHours.objects.filter(machine=lab.machine, weekday=tuesday.weekday()).delete()
    for opens, closes in ((9, 12), (13, 17)):
        OpeningHours.objects.create(
            machine=lab.machine,
            weekday=tuesday.weekday(),
            opens=datetime.time(opens),
            closes=datetime.time(closes),
        )

    refused(OutsideOpeningHours, lambda: lab.book(local(tuesday, 11), local(tuesday, 14)))
    assert lab.book(local(tuesday, 13), local(tuesday, 15))


def test_a_booking_while_the_machine_is_out_of_service_is_refused(lab, tuesday):
    OutOfService.objects.create(
        machine=lab.machine,
        starts_at=local(tuesday, 11),
        ends_at=local(tuesday, 15),
        reason="New laser tube",
    )

    error = refused(MachineOutOfService, lambda: lab.book(local(tuesday, 10), local(tuesday, 12)))

    assert "New laser tube" in error.detail
    assert error.as_dict()["code"] == "machine_out_of_service"


def test_an_uncertified_member_may_not_book(lab, tuesday):
    novice = uncertified_member(lab.coop)

    error = refused(
        CertificationRequired,
        lambda: lab.book(local(tuesday, 10), local(tuesday, 11), by=novice),
    )

    assert error.as_dict()["capability"] == "laser_cutting"


def test_a_certification_that_runs_out_before_the_day_does_not_do(lab):
    Certification.objects.filter(person=lab.member).update(
        expires_on=timezone.localdate() + datetime.timedelta(days=3)
    )
    later = timezone.localdate() + datetime.timedelta(days=10)

    refused(CertificationRequired, lambda: lab.book(local(later, 10), local(later, 11)))


def test_platform_staff_are_not_exempt_from_certification(lab, tuesday):
    staff = UserFactory(username="platform", is_staff=True)

    refused(
        CertificationRequired, lambda: lab.book(local(tuesday, 10), local(tuesday, 11), by=staff)
    )

    Certification.objects.create(
        person=staff,
        capability=lab.machine.capability,
        expires_on=timezone.localdate() + datetime.timedelta(days=30),
    )
    assert lab.book(local(tuesday, 10), local(tuesday, 11), by=staff).booked_by == staff


def test_someone_outside_the_coop_may_not_book_for_it(lab, tuesday):
    stranger = certify_a_member(
        ProducerFactory(slug="elsewhere", certified=False), capabilities=[lab.machine.capability]
    )

    refused(
        BookingNotAllowed, lambda: lab.book(local(tuesday, 10), local(tuesday, 11), by=stranger)
    )


def test_another_coops_own_machine_is_not_bookable(lab, tuesday):
    other = ProducerFactory(slug="other-shop", certified=False)
    their_saw = laser_cutter(keeper=other, name="Their cutter", slug="their-cutter")

    refused(
        MachineNotBookable,
        lambda: lab.book(local(tuesday, 10), local(tuesday, 11), machine=their_saw),
    )


def test_the_coops_own_machine_is_bookable(lab, tuesday):
    own = laser_cutter(keeper=lab.coop, name="Our cutter", slug="our-cutter")

    assert lab.book(local(tuesday, 10), local(tuesday, 11), machine=own).machine == own


def test_a_machine_out_of_use_is_not_bookable(lab, tuesday):
    Machine.objects.filter(pk=lab.machine.pk).update(active=False)
    lab.machine.refresh_from_db()

    refused(MachineNotBookable, lambda: lab.book(local(tuesday, 10), local(tuesday, 11)))


# --- Jobs ------------------------------------------------------------------------------------


def job_of(coop):
    return place((make_stocked_product(producer=coop), 1)).jobs.get()


def test_a_booking_for_one_of_the_coops_open_jobs_is_taken(lab, tuesday):
    job = job_of(lab.coop)

    assert lab.book(local(tuesday, 10), local(tuesday, 11), job=job).job == job


def test_a_booking_for_another_coops_job_is_refused(lab, tuesday):
    job = job_of(ProducerFactory(slug="someone-else"))

    error = refused(
        ValidationError, lambda: lab.book(local(tuesday, 10), local(tuesday, 11), job=job)
    )

    assert "job" in error.message_dict


def test_a_booking_for_a_finished_job_is_refused(lab, tuesday):
    job = job_of(lab.coop)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.CANCELLED)
    job.refresh_from_db()

    refused(JobNotOpen, lambda: lab.book(local(tuesday, 10), local(tuesday, 11), job=job))


# --- No double booking -----------------------------------------------------------------------


def test_an_overlapping_booking_is_refused(lab, tuesday):
    first = lab.book(local(tuesday, 10), local(tuesday, 12))
    other = certify_a_member(
        ProducerFactory(slug="second", certified=False), capabilities=[lab.machine.capability]
    )

    with pytest.raises(BookingOverlaps) as caught:
        lab.book(
            local(tuesday, 11),
            local(tuesday, 13),
            by=other,
            producer=other.memberships.get().producer,
        )

    assert caught.value.code == "booking_overlaps"
    assert list(Booking.objects.all()) == [first]


def test_back_to_back_bookings_are_both_taken(lab, tuesday):
    lab.book(local(tuesday, 10), local(tuesday, 12))
    lab.book(local(tuesday, 12), local(tuesday, 14))

    assert Booking.objects.active().count() == 2


def test_another_machine_at_the_same_time_is_free(lab, tuesday):
    lab.book(local(tuesday, 10), local(tuesday, 12))
    second = laser_cutter(capability=lab.machine.capability, name="Second cutter", slug="cutter-2")

    assert lab.book(local(tuesday, 10), local(tuesday, 12), machine=second)


@pytest.mark.postgres
def test_the_database_itself_refuses_an_overlapping_booking(lab, tuesday):
    lab.book(local(tuesday, 10), local(tuesday, 12))
    row = {
        "machine": lab.machine,
        "producer": lab.coop,
        "booked_by": lab.member,
        "starts_at": local(tuesday, 11),
        "ends_at": local(tuesday, 13),
    }

    with (
        pytest.raises(IntegrityError, match="booking_machine_time_no_overlap"),
        transaction.atomic(),
    ):
        Booking.objects.create(**row)

    # A cancelled booking holds no time, and one may begin as another ends.
    Booking.objects.create(**row, status=Booking.Status.CANCELLED)
    Booking.objects.create(**row | {"starts_at": local(tuesday, 12)})
    assert Booking.objects.active().count() == 2


# --- Daylight saving: stored in UTC, opening hours on the wall clock ------------------------

# The next days the clocks change (the first Sunday of November, the second of March).
FALL_BACK = next_clock_change(11)
SPRING_FORWARD = next_clock_change(3)


@pytest.mark.parametrize(("day", "utc_hours"), [(FALL_BACK, (15, 17)), (SPRING_FORWARD, (14, 16))])
def test_a_booking_on_a_daylight_saving_change_day_is_stored_in_utc(lab, day, utc_hours):
    before = datetime.datetime.combine(day - datetime.timedelta(days=1), datetime.time(12), CHICAGO)
    after = datetime.datetime.combine(day, datetime.time(12), CHICAGO)
    assert before.utcoffset() != after.utcoffset(), "the clocks change that night"

    booking = lab.book(local(day, 9), local(day, 11))

    booking.refresh_from_db()
    assert booking.starts_at == datetime.datetime.combine(day, datetime.time(utc_hours[0]), UTC)
    assert booking.ends_at == datetime.datetime.combine(day, datetime.time(utc_hours[1]), UTC)
    assert timezone.localtime(booking.starts_at).time() == datetime.time(9)


def test_opening_hours_follow_the_wall_clock_across_the_change(lab):
    # 9 am after the change is 15:00 UTC, an hour later than 9 am the day before.
    refused(
        OutsideOpeningHours,
        lambda: lab.book(
            datetime.datetime.combine(FALL_BACK, datetime.time(14), UTC),
            datetime.datetime.combine(FALL_BACK, datetime.time(16), UTC),
        ),
    )


def test_the_longest_booking_counts_real_time_through_the_repeated_hour(lab):
    night = laser_cutter(
        capability=lab.machine.capability,
        name="Night cutter",
        slug="night",
        max_booking_minutes=150,
    )
    OpeningHours.objects.filter(machine=night).update(
        opens=datetime.time(0), closes=datetime.time(6)
    )

    # 12:30 am to 2:30 am on the wall clock, but the hour from 1 to 2 comes twice: 3 hours.
    error = refused(
        ValidationError,
        lambda: lab.book(local(FALL_BACK, 0, 30), local(FALL_BACK, 2, 30), machine=night),
    )

    assert "ends_at" in error.message_dict


# --- Cancelling and moving ------------------------------------------------------------------


def test_cancelling_frees_the_slot(lab, tuesday):
    booking = lab.book(local(tuesday, 10), local(tuesday, 12))

    cancelled = booking_cancel(booking=booking, by=lab.member)

    assert cancelled.status == Booking.Status.CANCELLED
    assert cancelled.cancelled_at is not None
    again = lab.book(local(tuesday, 10), local(tuesday, 12))
    assert Booking.objects.active().get() == again


def test_a_cancelled_booking_cannot_be_cancelled_again(lab, tuesday):
    booking = booking_cancel(
        booking=lab.book(local(tuesday, 10), local(tuesday, 12)), by=lab.member
    )

    with pytest.raises(InvalidTransition):
        booking_cancel(booking=booking, by=lab.member)


@pytest.mark.parametrize(
    ("who", "allowed"),
    [("member", False), ("manager", True), ("technician", True), ("staff", True)],
)
def test_who_may_cancel_someone_elses_booking(lab, tuesday, who, allowed):
    booking = lab.book(local(tuesday, 10), local(tuesday, 12))
    people = {
        "member": lambda: uncertified_member(lab.coop),
        "manager": lambda: MembershipFactory(producer=lab.coop, role=Membership.Role.MANAGER).user,
        "technician": lambda: MembershipFactory(producer=lab.machine.keeper).user,
        "staff": lambda: UserFactory(is_staff=True),
    }
    by = people[who]()

    if allowed:
        assert booking_cancel(booking=booking, by=by).status == Booking.Status.CANCELLED
    else:
        with pytest.raises(BookingNotAllowed):
            booking_cancel(booking=booking, by=by)
        booking.refresh_from_db()
        assert booking.status == Booking.Status.BOOKED


def test_a_booking_moves_to_a_free_time(lab, tuesday):
    booking = lab.book(local(tuesday, 10), local(tuesday, 12))

    booking_move(
        booking=booking, by=lab.member, starts_at=local(tuesday, 14), ends_at=local(tuesday, 16)
    )

    booking.refresh_from_db()
    assert (booking.starts_at, booking.ends_at) == (local(tuesday, 14), local(tuesday, 16))


def test_a_booking_moves_over_its_own_old_time(lab, tuesday):
    booking = lab.book(local(tuesday, 10), local(tuesday, 12))

    booking_move(
        booking=booking, by=lab.member, starts_at=local(tuesday, 11), ends_at=local(tuesday, 13)
    )

    booking.refresh_from_db()
    assert booking.starts_at == local(tuesday, 11)


@pytest.mark.parametrize(
    ("hours", "error"),
    [
        ((12, 14), BookingOverlaps),
        ((16, 18), OutsideOpeningHours),
        ((9, 15), ValidationError),
    ],
)
def test_a_move_is_checked_again_and_a_refused_one_changes_nothing(lab, tuesday, hours, error):
    booking = lab.book(local(tuesday, 9), local(tuesday, 11))
    lab.book(local(tuesday, 13), local(tuesday, 15))

    with pytest.raises(error):
        booking_move(
            booking=booking,
            by=lab.member,
            starts_at=local(tuesday, hours[0]),
            ends_at=local(tuesday, hours[1]),
        )

    booking.refresh_from_db()
    assert (booking.starts_at, booking.ends_at) == (local(tuesday, 9), local(tuesday, 11))


def test_a_cancelled_booking_cannot_be_moved(lab, tuesday):
    booking = booking_cancel(
        booking=lab.book(local(tuesday, 10), local(tuesday, 12)), by=lab.member
    )

    with pytest.raises(InvalidTransition):
        booking_move(
            booking=booking, by=lab.member, starts_at=local(tuesday, 14), ends_at=local(tuesday, 15)
        )


def test_a_booking_years_ahead_is_refused(lab):
    far = timezone.localdate() + datetime.timedelta(days=3 * 365)

    error = refused(ValidationError, lambda: lab.book(local(far, 10), local(far, 11)))

    assert error.message_dict["starts_at"] == ["Machines are booked up to 732 days ahead."]


def test_a_booking_cannot_be_moved_once_its_machine_is_out_of_use(lab, tuesday):
    booking = lab.book(local(tuesday, 10), local(tuesday, 12))
    Machine.objects.filter(pk=lab.machine.pk).update(active=False)

    with pytest.raises(MachineNotBookable):
        booking_move(
            booking=booking,
            by=lab.member,
            starts_at=local(tuesday, 13),
            ends_at=local(tuesday, 14),
        )

    booking.refresh_from_db()
    assert booking.starts_at == local(tuesday, 10)


def _already(lab, *, started_hours_ago: int, lasting_hours: int) -> Booking:
    """A booking made earlier, whose time has now begun (written directly: the service
    takes no time in the past)."""
    starts_at = timezone.now() - datetime.timedelta(hours=started_hours_ago)
    return Booking.objects.create(
        machine=lab.machine,
        producer=lab.coop,
        booked_by=lab.member,
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(hours=lasting_hours),
    )


def test_a_booking_under_way_cannot_be_moved_but_can_be_cancelled(lab, tuesday):
    booking = _already(lab, started_hours_ago=1, lasting_hours=2)

    with pytest.raises(InvalidTransition, match="has begun"):
        booking_move(
            booking=booking,
            by=lab.member,
            starts_at=local(tuesday, 13),
            ends_at=local(tuesday, 14),
        )

    assert booking_cancel(booking=booking, by=lab.member).status == Booking.Status.CANCELLED


def test_a_booking_that_is_over_cannot_be_cancelled(lab):
    booking = _already(lab, started_hours_ago=3, lasting_hours=2)

    with pytest.raises(InvalidTransition, match="is over"):
        booking_cancel(booking=booking, by=lab.member)
