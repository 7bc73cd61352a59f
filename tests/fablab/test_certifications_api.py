"""The certifications API, and the job start it guards."""

import pytest
from drf_spectacular.generators import SchemaGenerator

from fablab.models import Certification
from fablab.services.certifications import certification_grant
from orders.models import Job
from producers.models import Capability
from tests.fablab.days import days_from_today
from tests.factories import MembershipFactory, ProducerFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/certifications/"


def body(person, capability="laser_cutting", days=365, **extra):
    return {
        "person": person,
        "capability": capability,
        "expires_on": days_from_today(days).isoformat(),
        **extra,
    }


def test_the_api_root_lists_certifications(api):
    root = api.get("/api/v1/").json()

    assert root["certification-list"].endswith(URL)


# --- Certifying -----------------------------------------------------------------------------


def test_a_technician_certifies_a_person_by_username(api, technician, maker, laser):
    response = api.as_user(technician).post(
        URL, body("maker", note="Epilog, 2 hours"), format="json"
    )

    assert response.status_code == 201
    answer = response.json()
    assert answer["person"]["username"] == "maker"
    assert answer["capability"] == "laser_cutting"
    assert answer["capability_name"] == "Laser cutting"
    assert answer["expires_on"] == days_from_today(365).isoformat()
    assert answer["current"] is True
    assert answer["certified_by"] == "technician"
    held = Certification.objects.get(person=maker)
    assert (held.capability, held.note) == (laser, "Epilog, 2 hours")


def test_a_technician_certifies_a_person_by_id(api, technician, maker, laser):
    response = api.as_user(technician).post(URL, body(maker.pk), format="json")

    assert response.status_code == 201
    assert Certification.objects.get().person == maker


def test_certifying_someone_already_certified_renews_it(api, technician, maker, laser):
    certification_grant(person=maker, capability=laser, expires_on=days_from_today(3), by=None)

    response = api.as_user(technician).post(URL, body("maker", days=500), format="json")

    assert response.status_code == 200
    assert Certification.objects.get().expires_on == days_from_today(500)


def test_an_unknown_capability_is_a_field_error_and_nothing_is_saved(api, technician, maker):
    response = api.as_user(technician).post(URL, body("maker", "levitation"), format="json")

    assert response.status_code == 400
    answer = response.json()
    assert answer["code"] == "invalid"
    assert answer["errors"]["capability"] == ["No capability is called “levitation”."]
    assert not Certification.objects.exists()


def test_an_unknown_person_is_a_field_error(api, technician, laser):
    response = api.as_user(technician).post(URL, body("nobody-here"), format="json")

    assert response.status_code == 400
    assert "person" in response.json()["errors"]
    assert not Certification.objects.exists()


@pytest.mark.parametrize("days", [0, -5])
def test_an_expiry_not_after_today_is_a_field_error(api, technician, maker, laser, days):
    response = api.as_user(technician).post(URL, body("maker", days=days), format="json")

    assert response.status_code == 400
    assert "expires_on" in response.json()["errors"]
    assert not Certification.objects.exists()


def test_a_coop_member_may_not_certify(api, maker, laser):
    response = api.as_user(maker).post(URL, body("maker"), format="json")

    assert response.status_code == 403
    assert response.json()["detail"] == "Only the Fab Lab certifies people."
    assert not Certification.objects.exists()


def test_a_technician_renews_with_a_patch(api, technician, maker, laser):
    held = certification_grant(
        person=maker, capability=laser, expires_on=days_from_today(3), by=None
    )

    response = api.as_user(technician).patch(
        f"{URL}{held.pk}/", {"expires_on": days_from_today(300).isoformat()}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["expires_on"] == days_from_today(300).isoformat()
    held.refresh_from_db()
    assert held.expires_on == days_from_today(300)


def test_a_renewal_into_the_past_is_refused(api, technician, maker, laser):
    held = certification_grant(
        person=maker, capability=laser, expires_on=days_from_today(3), by=None
    )

    response = api.as_user(technician).patch(
        f"{URL}{held.pk}/", {"expires_on": days_from_today(-1).isoformat()}, format="json"
    )

    assert response.status_code == 400
    assert "expires_on" in response.json()["errors"]
    held.refresh_from_db()
    assert held.expires_on == days_from_today(3)


def test_a_technician_revokes_with_a_delete(api, technician, maker, laser):
    held = certification_grant(
        person=maker, capability=laser, expires_on=days_from_today(3), by=None
    )

    assert api.as_user(technician).delete(f"{URL}{held.pk}/").status_code == 204
    assert not Certification.objects.exists()


def test_a_member_may_read_but_not_revoke_their_own(api, maker, laser):
    held = certification_grant(
        person=maker, capability=laser, expires_on=days_from_today(3), by=None
    )

    assert api.as_user(maker).get(f"{URL}{held.pk}/").status_code == 200
    assert api.as_user(maker).delete(f"{URL}{held.pk}/").status_code == 403
    assert Certification.objects.filter(pk=held.pk).exists()


# --- Who sees what --------------------------------------------------------------------------


def _usernames(response) -> set[str]:
    return {row["person"]["username"] for row in response.json()["results"]}


def test_a_member_sees_their_coops_people_and_themselves_only(api, cutshop, maker, laser):
    colleague = MembershipFactory(producer=cutshop, user=UserFactory(username="colleague")).user
    elsewhere = ProducerFactory(capabilities=[laser], certified=False)
    stranger = MembershipFactory(producer=elsewhere, user=UserFactory(username="stranger")).user
    for person in (maker, colleague, stranger):
        certification_grant(
            person=person, capability=laser, expires_on=days_from_today(40), by=None
        )

    assert _usernames(api.as_user(maker).get(URL)) == {"maker", "colleague"}


def test_a_resident_sees_only_their_own(api, resident, maker, laser):
    for person in (resident, maker):
        certification_grant(
            person=person, capability=laser, expires_on=days_from_today(40), by=None
        )

    assert _usernames(api.as_user(resident).get(URL)) == {"resident"}


def test_technicians_see_everyone_and_filter_by_capability_and_currency(
    api, technician, maker, laser
):
    cnc = Capability.objects.get(slug="cnc_routing")
    certification_grant(person=maker, capability=laser, expires_on=days_from_today(40), by=None)
    old = certification_grant(
        person=technician, capability=cnc, expires_on=days_from_today(40), by=None
    )
    Certification.objects.filter(pk=old.pk).update(
        certified_on=days_from_today(-400), expires_on=days_from_today(-2)
    )
    client = api.as_user(technician)

    assert _usernames(client.get(URL)) == {"maker", "technician"}
    assert _usernames(client.get(f"{URL}?capability=laser_cutting")) == {"maker"}
    assert _usernames(client.get(f"{URL}?current=false")) == {"technician"}
    assert client.get(f"{URL}?current=false").json()["results"][0]["current"] is False


def test_signed_out_nobody_reads_certifications(api):
    assert api.get(URL).status_code == 401


# --- The gate at job start --------------------------------------------------------------------


def test_starting_a_job_without_a_certified_member_answers_409_naming_the_capability(
    api, accepted_job, maker
):
    response = api.as_user(maker).post(f"/api/v1/jobs/{accepted_job.pk}/start/")

    assert response.status_code == 409
    answer = response.json()
    assert answer["code"] == "certification_required"
    assert answer["capability"] == "laser_cutting"
    assert answer["capabilities"] == ["laser_cutting"]
    assert "laser cutting" in answer["detail"]
    accepted_job.refresh_from_db()
    assert accepted_job.status == Job.Status.ACCEPTED


def test_after_certifying_through_the_api_the_job_starts(api, accepted_job, maker, technician):
    assert api.as_user(technician).post(URL, body("maker"), format="json").status_code == 201

    response = api.as_user(maker).post(f"/api/v1/jobs/{accepted_job.pk}/start/")

    assert response.status_code == 200
    assert response.json()["status"] == Job.Status.IN_PRODUCTION


def test_an_expired_certification_refuses_the_start_of_a_job_routed_while_it_held(
    api, accepted_job, maker, laser
):
    held = certification_grant(
        person=maker, capability=laser, expires_on=days_from_today(30), by=None
    )
    Certification.objects.filter(pk=held.pk).update(
        certified_on=days_from_today(-400), expires_on=days_from_today(-1)
    )

    response = api.as_user(maker).post(f"/api/v1/jobs/{accepted_job.pk}/start/")

    assert response.status_code == 409
    assert response.json()["code"] == "certification_required"


def test_a_new_certification_links_to_reading_renewing_and_revoking_it():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    answer = schema["paths"][URL]["post"]["responses"]["201"]

    assert {link["operationId"] for link in answer["links"].values()} == {
        "v1_certifications_retrieve",
        "v1_certifications_partial_update",
        "v1_certifications_destroy",
    }
