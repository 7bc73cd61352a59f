"""The workbench's certifications page, and the job board's word when nobody is certified."""

from html import unescape

import pytest
from django.urls import reverse

from fablab.models import Certification
from fablab.services.certifications import certification_grant
from orders.models import Job
from producers.models import Capability
from tests.fablab.days import days_from_today
from tests.factories import MembershipFactory, ProducerFactory, UserFactory

pytestmark = pytest.mark.django_db

PAGE = "/workbench/certifications/"
NEW = "/workbench/certifications/new/"


def signed_in(client, user):
    client.force_login(user)
    return client


def certify(person, capability, days, **extra):
    return certification_grant(
        person=person, capability=capability, expires_on=days_from_today(days), by=None, **extra
    )


def new_body(person, capability, days=365, **extra):
    return {
        "certify-person": person.pk,
        "certify-capability": capability.pk,
        "certify-expires_on": days_from_today(days).isoformat(),
        **{f"certify-{key}": value for key, value in extra.items()},
    }


# --- What a co-op member sees -------------------------------------------------------------------


def test_a_member_sees_who_in_the_coop_holds_what_and_when_it_runs_out(
    client, cutshop, maker, laser
):
    colleague = MembershipFactory(
        producer=cutshop, user=UserFactory(username="sam", first_name="Sam", last_name="Roe")
    ).user
    stranger = MembershipFactory(producer=ProducerFactory(), user=UserFactory()).user
    certify(maker, laser, 12)
    old = certify(colleague, laser, 10)
    Certification.objects.filter(pk=old.pk).update(
        certified_on="2025-01-05", expires_on="2025-11-03"
    )
    certify(stranger, laser, 100)

    page = signed_in(client, maker).get(PAGE).content.decode()

    assert "Runs out in 12 days" in page
    assert 'Expired on <time datetime="2025-11-03">Mon 3 Nov 2025</time>' in page
    assert "lab-cert-soon" in page
    assert "lab-cert-expired" in page
    assert "Sam Roe (sam)" in page
    assert stranger.username not in page
    # Only the Fab Lab certifies: a member gets no form.
    assert 'action="/workbench/certifications/new/"' not in page


def test_a_member_is_told_which_capabilities_nobody_in_the_coop_holds(client, maker):
    page = signed_in(client, maker).get(PAGE).content.decode()

    assert (
        "Nobody at Woodshop holds a current certification for laser cutting: "
        "jobs that need it cannot start." in page
    )
    assert "Nobody at Woodshop is certified yet." in page


def test_the_nav_links_to_the_page(client, maker):
    page = signed_in(client, maker).get("/workbench/").content.decode()

    assert f'<a href="{PAGE}">Certifications</a>' in page


# --- What a technician does -----------------------------------------------------------------------


def test_a_technician_certifies_a_member(client, technician, maker, laser):
    response = signed_in(client, technician).post(
        NEW, new_body(maker, laser, note="Epilog, 2 hours"), follow=True
    )

    assert response.status_code == 200
    held = Certification.objects.get(person=maker)
    assert (held.capability, held.certified_by, held.note) == (laser, technician, "Epilog, 2 hours")
    page = response.content.decode()
    assert "Certified maker for laser cutting until" in page
    assert "Everyone certified" in page


def test_an_unknown_capability_is_refused_and_nothing_is_saved(client, technician, maker):
    body = new_body(maker, Capability.objects.first())
    body["certify-capability"] = "999999"

    response = signed_in(client, technician).post(NEW, body)

    assert response.status_code == 400
    assert "Pick one of the capabilities listed." in response.content.decode()
    assert not Certification.objects.exists()


def test_an_expiry_of_today_is_refused_next_to_the_field(client, technician, maker, laser):
    response = signed_in(client, technician).post(NEW, new_body(maker, laser, days=0))

    assert response.status_code == 400
    assert "The expiry must be after the day of certifying." in response.content.decode()
    assert not Certification.objects.exists()


def test_a_member_may_not_certify(client, maker, laser):
    response = signed_in(client, maker).post(NEW, new_body(maker, laser))

    assert response.status_code == 403
    assert "Only the Fab Lab certifies people." in response.content.decode()
    assert not Certification.objects.exists()


def test_a_technician_renews_a_certification(client, technician, maker, laser):
    held = certify(maker, laser, 5)

    response = signed_in(client, technician).post(
        reverse("workbench:certification-renew", args=[held.pk]),
        {"expires_on": days_from_today(200).isoformat()},
    )

    assert response.status_code == 302
    assert response["Location"].endswith(f"{PAGE}#certification-{held.pk}")
    held.refresh_from_db()
    assert held.expires_on == days_from_today(200)


def test_a_renewal_into_the_past_is_refused_on_its_card(client, technician, maker, laser):
    held = certify(maker, laser, 5)

    response = signed_in(client, technician).post(
        reverse("workbench:certification-renew", args=[held.pk]),
        {"expires_on": days_from_today(-3).isoformat()},
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert f'id="renew-{held.pk}-error"' in page
    assert "The expiry must be after the day of certifying." in page
    held.refresh_from_db()
    assert held.expires_on == days_from_today(5)


def test_a_technician_revokes_after_confirming(client, technician, maker, laser):
    held = certify(maker, laser, 50)
    url = reverse("workbench:certification-revoke", args=[held.pk])
    signed_in(client, technician)

    confirm = unescape(client.get(url).content.decode())
    assert "Revoke maker's certification for laser cutting?" in confirm
    assert Certification.objects.exists()

    response = client.post(url, follow=True)

    assert "Revoked maker's certification for laser cutting." in unescape(response.content.decode())
    assert not Certification.objects.exists()


# --- The job board ----------------------------------------------------------------------------


def test_starting_a_job_nobody_is_certified_for_says_so_on_the_board(
    client, accepted_job, maker, technician
):
    start = reverse("workbench:job-action", args=[accepted_job.pk, "start"])
    signed_in(client, maker)

    refused = client.post(start, follow=True).content.decode()

    assert (
        f"Order {accepted_job.order.number}: Nobody at Woodshop holds a current certification "
        "for laser cutting. Ask the Fab Lab to certify a member first."
    ) in refused
    accepted_job.refresh_from_db()
    assert accepted_job.status == Job.Status.ACCEPTED

    signed_in(client, technician).post(
        NEW, new_body(maker, accepted_job.producer.capabilities.get())
    )
    signed_in(client, maker).post(start)

    accepted_job.refresh_from_db()
    assert accepted_job.status == Job.Status.IN_PRODUCTION


def test_the_fab_lab_shows_only_what_runs_out_soon_for_one_capability(
    client, technician, maker, laser
):
    cnc = Capability.objects.get(slug="cnc_routing")
    colleague = MembershipFactory(producer=maker.memberships.get().producer).user
    certify(maker, laser, 10, note="soon laser")
    certify(maker, cnc, 10, note="soon cnc")
    certify(colleague, laser, 300, note="far laser")
    signed_in(client, technician)

    page = client.get(PAGE, {"show-capability": laser.pk, "show-when": "soon"}).content.decode()

    assert "soon laser" in page
    assert "soon cnc" not in page
    assert "far laser" not in page
    assert (
        "No certification matches." in client.get(PAGE, {"show-when": "expired"}).content.decode()
    )


def test_the_page_reads_the_same_few_times_however_many_are_certified(
    client, technician, laser, django_assert_max_num_queries
):
    for n in range(12):
        coop = ProducerFactory(certified=False)
        person = MembershipFactory(producer=coop, user=UserFactory(username=f"p{n}")).user
        certify(person, laser, 10 + n)
    signed_in(client, technician)

    with django_assert_max_num_queries(11):
        page = client.get(PAGE).content.decode()

    assert page.count('class="lab-cert ') == 12
