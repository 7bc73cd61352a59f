"""Certifying people, and the gate at the start of work that needs a certification."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fablab.exceptions import CertificationRequired
from fablab.models import Certification
from fablab.services.certifications import (
    certification_grant,
    certification_renew,
    certification_revoke,
    require_certified,
)
from orders.models import Job
from orders.services import job_start
from tests.fablab.days import days_from_today
from tests.factories import CapabilityFactory, ProducerFactory, UserFactory, certify_a_member

pytestmark = pytest.mark.django_db


# --- Certifying ---------------------------------------------------------------------------


def test_a_technician_certifies_a_member_until_a_day(technician, maker, laser):
    certification = certification_grant(
        person=maker, capability=laser, expires_on=days_from_today(365), by=technician
    )

    assert certification.certified_by == technician
    assert certification.is_current()
    assert certification.expires_on == days_from_today(365)


def test_platform_staff_may_certify(staff, maker, laser):
    certification_grant(person=maker, capability=laser, expires_on=days_from_today(30), by=staff)

    assert Certification.objects.filter(person=maker).exists()


def test_a_coop_member_may_not_certify_anyone_not_even_themselves(maker, laser):
    with pytest.raises(PermissionDenied):
        certification_grant(
            person=maker, capability=laser, expires_on=days_from_today(365), by=maker
        )

    assert not Certification.objects.exists()


@pytest.mark.parametrize("days", [0, -1, -30])
def test_an_expiry_not_after_today_is_refused_and_nothing_is_saved(technician, maker, laser, days):
    with pytest.raises(ValidationError) as refused:
        certification_grant(
            person=maker, capability=laser, expires_on=days_from_today(days), by=technician
        )

    assert "expires_on" in refused.value.message_dict
    assert not Certification.objects.exists()


def test_a_closed_account_is_not_certified(technician, laser):
    closed = UserFactory(username="gone", is_active=False)

    with pytest.raises(ValidationError) as refused:
        certification_grant(
            person=closed, capability=laser, expires_on=days_from_today(9), by=technician
        )

    assert "person" in refused.value.message_dict
    assert not Certification.objects.exists()


def test_certifying_again_renews_the_one_certification(technician, maker, laser):
    first = certification_grant(
        person=maker, capability=laser, expires_on=days_from_today(10), by=None
    )
    Certification.objects.filter(pk=first.pk).update(reminded_at="2026-01-01T00:00Z")

    again = certification_grant(
        person=maker, capability=laser, expires_on=days_from_today(400), by=technician
    )

    assert again.pk == first.pk
    assert Certification.objects.count() == 1
    again.refresh_from_db()
    assert again.expires_on == days_from_today(400)
    assert again.reminded_at is None


def test_renewing_keeps_the_note_and_moves_the_expiry(technician, maker, laser):
    held = certification_grant(
        person=maker,
        capability=laser,
        expires_on=days_from_today(5),
        by=None,
        note="Epilog, 2 hours",
    )

    renewed = certification_renew(
        certification=held, expires_on=days_from_today(370), by=technician
    )

    assert renewed.note == "Epilog, 2 hours"
    assert renewed.expires_on == days_from_today(370)
    assert renewed.certified_by == technician


def test_a_member_may_not_renew_or_revoke(maker, laser):
    held = certification_grant(
        person=maker, capability=laser, expires_on=days_from_today(5), by=None
    )

    with pytest.raises(PermissionDenied):
        certification_renew(certification=held, expires_on=days_from_today(300), by=maker)
    with pytest.raises(PermissionDenied):
        certification_revoke(certification=held, by=maker)

    held.refresh_from_db()
    assert held.expires_on == days_from_today(5)


def test_a_technician_revokes_a_certification(technician, maker, laser):
    held = certification_grant(
        person=maker, capability=laser, expires_on=days_from_today(50), by=None
    )

    certification_revoke(certification=held, by=technician)

    assert not Certification.objects.exists()


# --- The gate at the start of work ----------------------------------------------------------


def test_starting_a_job_nobody_is_certified_for_is_refused_naming_the_capability(accepted_job):
    with pytest.raises(CertificationRequired) as refused:
        job_start(job=accepted_job, by=None)

    error = refused.value
    assert error.code == "certification_required"
    assert error.extra["capability"] == "laser_cutting"
    assert error.detail == (
        "Nobody at Woodshop holds a current certification for laser cutting. "
        "Ask the Fab Lab to certify a member first."
    )
    accepted_job.refresh_from_db()
    assert accepted_job.status == Job.Status.ACCEPTED


def test_once_a_member_is_certified_the_job_starts(accepted_job, technician, maker, laser):
    certification_grant(
        person=maker, capability=laser, expires_on=days_from_today(365), by=technician
    )

    started = job_start(job=accepted_job, by=maker)

    assert started.status == Job.Status.IN_PRODUCTION


def test_a_certification_that_ran_out_while_the_job_waited_stops_it_at_the_start(
    accepted_job, maker, laser
):
    # Certified when the job was routed and accepted ...
    held = certification_grant(
        person=maker, capability=laser, expires_on=days_from_today(10), by=None
    )
    # ... and the days go by before anyone starts it.
    Certification.objects.filter(pk=held.pk).update(
        certified_on=days_from_today(-400), expires_on=days_from_today(-1)
    )

    with pytest.raises(CertificationRequired):
        job_start(job=accepted_job, by=maker)

    accepted_job.refresh_from_db()
    assert accepted_job.status == Job.Status.ACCEPTED


def test_a_certification_that_runs_out_today_still_holds_today(accepted_job, maker, laser):
    held = certification_grant(
        person=maker, capability=laser, expires_on=days_from_today(10), by=None
    )
    Certification.objects.filter(pk=held.pk).update(
        certified_on=days_from_today(-30), expires_on=days_from_today(0)
    )

    assert job_start(job=accepted_job, by=maker).status == Job.Status.IN_PRODUCTION


def test_someone_certified_in_another_coop_does_not_open_the_gate(accepted_job, laser):
    other = ProducerFactory(capabilities=[laser], certified=False)
    certify_a_member(other)

    with pytest.raises(CertificationRequired):
        job_start(job=accepted_job, by=None)


def test_every_missing_capability_is_named(cutshop, laser):
    cnc = CapabilityFactory(slug="cnc_routing")
    printing = CapabilityFactory(slug="3d_printing")

    with pytest.raises(CertificationRequired) as refused:
        require_certified(producer=cutshop, capabilities=[laser, cnc, printing])

    assert refused.value.extra["capabilities"] == ["laser_cutting", "cnc_routing", "3d_printing"]
    assert "for laser cutting, CNC routing, 3D printing." in refused.value.detail
