"""The reminder before a certification runs out: once, to its holder, by housekeeping."""

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from fablab.models import Certification
from fablab.services.certifications import (
    certification_grant,
    certification_renew,
    certifications_remind_expiring,
)
from orders import housekeeping
from orders.emails import email_queue_rendered
from orders.models import Email
from tests.fablab.days import days_from_today
from tests.factories import FabLabFactory, UserFactory

pytestmark = pytest.mark.django_db

KIND = "certification.expiring"


def remind(**kwargs) -> int:
    return certifications_remind_expiring(queue_email=email_queue_rendered, **kwargs)


@pytest.fixture
def holder():
    return UserFactory(username="pat", first_name="Pat", last_name="Doe", email="pat@example.org")


def certify(person, capability, days):
    return certification_grant(
        person=person, capability=capability, expires_on=days_from_today(days), by=None
    )


def test_a_holder_is_reminded_once_when_the_expiry_comes_within_the_window(settings, holder, laser):
    settings.FABLAB_CERTIFICATION_REMIND_DAYS = 30
    FabLabFactory(contact_email="lab@example.org")
    held = certify(holder, laser, 12)

    assert remind() == 1
    assert remind() == 0

    (email,) = Email.objects.filter(kind=KIND)
    assert email.recipients == ["pat@example.org"]
    assert email.subject.startswith("Your laser cutting certification runs out on ")
    assert "Hello Pat Doe," in email.body_text
    assert "in 12 days" in email.body_text
    assert "lab@example.org" in email.body_text
    assert "<strong>laser cutting</strong>" in email.body_html
    (sent,) = mail.outbox
    assert sent.to == ["pat@example.org"]
    held.refresh_from_db()
    assert held.reminded_at is not None


def test_nobody_is_reminded_before_the_window(settings, holder, laser):
    settings.FABLAB_CERTIFICATION_REMIND_DAYS = 30
    certify(holder, laser, 31)

    assert remind() == 0
    assert not mail.outbox


def test_an_expired_certification_gets_no_reminder(holder, laser):
    held = certify(holder, laser, 5)
    Certification.objects.filter(pk=held.pk).update(
        certified_on=days_from_today(-300), expires_on=days_from_today(-1)
    )

    assert remind() == 0
    assert not Email.objects.filter(kind=KIND).exists()


def test_a_renewed_certification_is_reminded_again_before_its_new_expiry(settings, holder, laser):
    settings.FABLAB_CERTIFICATION_REMIND_DAYS = 30
    held = certify(holder, laser, 10)
    assert remind() == 1

    certification_renew(certification=held, expires_on=days_from_today(365), by=None)
    assert remind() == 0  # the new expiry is a year off

    assert remind(on=days_from_today(340)) == 1
    assert Email.objects.filter(kind=KIND).count() == 2


def test_a_holder_without_an_email_or_account_is_skipped(laser):
    certify(UserFactory(username="no-mail", email=""), laser, 3)
    certify(UserFactory(username="left", email="left@example.org"), laser, 3)
    get_user_model().objects.filter(username="left").update(is_active=False)

    assert remind() == 0


def test_housekeeping_sends_the_reminders(holder, laser):
    certify(holder, laser, 2)

    results = housekeeping.housekeeping.call(repeat=False)

    assert results["certification_reminders"] == 1
    assert Email.objects.filter(kind=KIND, recipients=["pat@example.org"]).exists()
