"""A machine's keepers take it out of service and put it back; bookings in the time are named."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from fablab.exceptions import MachineKeepersOnly, MachineOutOfService
from fablab.models import OutOfService
from fablab.services.bookings import booking_create
from fablab.services.machines import outage_end, outage_record
from tests.fablab.bookings_setup import local, next_weekday
from tests.factories import certify_a_member, make_booking, make_machine

pytestmark = pytest.mark.django_db


def in_days(days: int, hour: int) -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


@pytest.fixture
def laser(fablab):
    return make_machine(name="Laser cutter B", keeper=fablab)


def test_a_technician_takes_a_lab_machine_out_and_sees_the_bookings_in_that_time(
    laser, technician, coop
):
    booked = make_booking(machine=laser, producer=coop, starts_at=in_days(3, 10))
    make_booking(machine=laser, producer=coop, starts_at=in_days(6, 10))

    outage, clashes = outage_record(
        machine=laser,
        starts_at=in_days(3, 9),
        ends_at=in_days(4, 17),
        reason="New tube",
        by=technician,
    )

    assert outage.reason == "New tube"
    assert clashes == [booked]


def test_nobody_books_a_machine_in_its_out_of_service_time(laser, technician, coop):
    wednesday = next_weekday(2)
    outage_record(
        machine=laser,
        starts_at=local(wednesday, 9),
        ends_at=local(wednesday, 17),
        reason="New tube",
        by=technician,
    )
    maker = certify_a_member(coop, capabilities=[laser.capability])

    with pytest.raises(MachineOutOfService):
        booking_create(
            machine=laser,
            producer=coop,
            by=maker,
            starts_at=local(wednesday, 10),
            ends_at=local(wednesday, 11),
        )


def test_a_coop_manager_may_not_take_the_fablabs_machine_out(laser, coop_manager):
    with pytest.raises(MachineKeepersOnly):
        outage_record(
            machine=laser,
            starts_at=in_days(3, 9),
            ends_at=in_days(3, 17),
            reason="x",
            by=coop_manager,
        )

    assert not OutOfService.objects.exists()


def test_a_coop_manager_takes_the_coops_own_machine_out(coop, coop_manager):
    own = make_machine(name="Band saw", keeper=coop)

    outage, _ = outage_record(
        machine=own,
        starts_at=in_days(1, 9),
        ends_at=in_days(1, 12),
        reason="Blade",
        by=coop_manager,
    )

    assert outage.machine == own


def test_a_coop_member_who_is_not_a_manager_may_not(coop, coop_member):
    own = make_machine(name="Band saw", keeper=coop)

    with pytest.raises(MachineKeepersOnly):
        outage_record(
            machine=own, starts_at=in_days(1, 9), ends_at=in_days(1, 12), reason="x", by=coop_member
        )


@pytest.mark.parametrize(
    ("start", "end", "reason", "field"),
    [
        ((3, 12), (3, 9), "New tube", "ends_at"),
        ((-3, 9), (-2, 9), "New tube", "ends_at"),
        ((3, 9), (3, 12), "   ", "reason"),
        ((3, 9), (3, 12), "x" * 241, "reason"),
    ],
    ids=["ends before it starts", "all in the past", "no reason", "reason too long"],
)
def test_bad_periods_are_refused_and_nothing_is_saved(laser, technician, start, end, reason, field):
    with pytest.raises(ValidationError) as refused:
        outage_record(
            machine=laser,
            starts_at=in_days(*start),
            ends_at=in_days(*end),
            reason=reason,
            by=technician,
        )

    assert field in refused.value.message_dict
    assert not OutOfService.objects.exists()


def test_back_in_service_removes_a_period_not_yet_begun(laser, technician):
    outage, _ = outage_record(
        machine=laser, starts_at=in_days(3, 9), ends_at=in_days(3, 17), reason="Tube", by=technician
    )

    assert outage_end(outage=outage, by=technician) is None
    assert not OutOfService.objects.exists()


def test_back_in_service_ends_a_period_under_way_now(laser, technician):
    outage = OutOfService.objects.create(
        machine=laser, starts_at=in_days(-1, 9), ends_at=in_days(2, 17), reason="Tube"
    )

    outage_end(outage=outage, by=technician)

    outage.refresh_from_db()
    assert outage.ends_at <= timezone.now()


def test_the_machine_page_offers_keepers_the_out_of_service_form(client, laser, technician):
    client.force_login(technician)

    content = client.get(f"/workbench/machines/{laser.slug}/").content.decode()

    assert "Take it out of service" in content


def test_the_machine_page_offers_others_no_out_of_service_form(client, laser, coop, coop_member):
    client.force_login(coop_member)

    content = client.get(f"/workbench/machines/{laser.slug}/").content.decode()

    assert "Take it out of service" not in content


def test_the_form_takes_the_machine_out_and_warns_of_the_bookings_in_the_time(
    client, laser, technician, coop
):
    make_booking(machine=laser, producer=coop, starts_at=in_days(3, 10))
    day = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    client.force_login(technician)

    response = client.post(
        f"/workbench/machines/{laser.slug}/out-of-service/",
        {
            "start_date": day,
            "start_time": "09:00",
            "end_date": day,
            "end_time": "17:00",
            "reason": "New tube being fitted",
        },
        follow=True,
    )

    content = response.content.decode()
    assert OutOfService.objects.get().reason == "New tube being fitted"
    assert "is out of service from" in content
    assert f"Still booked in that time: {coop.name}" in content


def test_the_form_shows_a_refused_period_next_to_its_fields(client, laser, technician):
    day = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    client.force_login(technician)

    response = client.post(
        f"/workbench/machines/{laser.slug}/out-of-service/",
        {
            "start_date": day,
            "start_time": "17:00",
            "end_date": day,
            "end_time": "09:00",
            "reason": "x",
        },
    )

    assert response.status_code == 400
    assert "The end must be after the start." in response.content.decode()
    assert not OutOfService.objects.exists()


def test_members_see_the_reason_on_the_machine_page(client, laser, technician, coop_member):
    outage_record(
        machine=laser,
        starts_at=in_days(3, 9),
        ends_at=in_days(3, 17),
        reason="New tube",
        by=technician,
    )
    client.force_login(coop_member)

    assert "New tube" in client.get(f"/workbench/machines/{laser.slug}/").content.decode()
