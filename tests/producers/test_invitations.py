"""Invitations into a co-op: made with a one-time link, accepted once, or refused whole."""

import datetime
import threading

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import connection
from django.utils import timezone

from orders.models import Email
from orders.services.invitations import member_invite
from producers import services
from producers.accounts import email_is_verified
from producers.exceptions import AlreadyMember, InvitationUnusable, InvitedEmailHasAccount
from producers.models import Invitation, Membership
from producers.services import (
    invitation_accept,
    invitation_accept_new_account,
    invitation_create,
    invitation_digest,
    invitation_revoke,
)
from tests.factories import MembershipFactory, ProducerFactory, UserFactory

pytestmark = pytest.mark.django_db

User = get_user_model()


def invite(producer=None, email="dana@example.org", role="member"):
    return invitation_create(
        producer=producer or ProducerFactory(), email=email, role=role, invited_by=None
    )


def test_only_a_digest_of_the_token_is_stored():
    invitation, token = invite()

    assert token not in invitation.digest
    assert Invitation.objects.get().digest == invitation_digest(token)


def test_an_invitation_expires_after_seven_days():
    invitation, _ = invite()

    assert invitation.expires_at - invitation.created_at == pytest.approx(
        datetime.timedelta(days=7), abs=datetime.timedelta(seconds=5)
    )


def test_inviting_an_existing_member_is_refused_and_writes_nothing():
    membership = MembershipFactory(user=UserFactory(email="dana@example.org"))

    with pytest.raises(AlreadyMember):
        invite(membership.producer, email="DANA@example.org")

    assert not Invitation.objects.exists()


def test_inviting_the_same_email_again_withdraws_the_earlier_link():
    producer = ProducerFactory()
    first, first_token = invite(producer)
    invite(producer)

    first.refresh_from_db()
    assert first.revoked_at is not None
    with pytest.raises(InvitationUnusable) as refused:
        invitation_accept(token=first_token, user=UserFactory())
    assert refused.value.reason == "revoked"


def test_a_signed_in_account_accepts_and_becomes_a_member_in_the_invited_role():
    invitation, token = invite(role="manager")
    user = UserFactory()

    membership = invitation_accept(token=token, user=user)

    assert (membership.user, membership.producer, membership.role) == (
        user,
        invitation.producer,
        "manager",
    )
    invitation.refresh_from_db()
    assert invitation.accepted_by == user
    assert invitation.accepted_at is not None


def test_an_invitation_works_once():
    _, token = invite()
    invitation_accept(token=token, user=UserFactory())

    with pytest.raises(InvitationUnusable) as refused:
        invitation_accept(token=token, user=UserFactory())

    assert refused.value.reason == "used"
    assert Membership.objects.count() == 1


def test_an_expired_invitation_is_refused_and_changes_nothing():
    invitation, token = invite()
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())

    with pytest.raises(InvitationUnusable) as refused:
        invitation_accept(token=token, user=UserFactory())

    assert refused.value.reason == "expired"
    assert not Membership.objects.exists()
    assert Invitation.objects.get().accepted_at is None


def test_a_tampered_token_is_unknown():
    _, token = invite()

    with pytest.raises(InvitationUnusable) as refused:
        invitation_accept(token=token[:-1] + ("A" if token[-1] != "A" else "B"), user=UserFactory())

    assert refused.value.reason == "unknown"
    assert not Membership.objects.exists()


def test_a_revoked_invitation_is_refused():
    invitation, token = invite()
    assert invitation_revoke(invitation=invitation)

    with pytest.raises(InvitationUnusable):
        invitation_accept(token=token, user=UserFactory())
    assert not invitation_revoke(invitation=invitation)


def test_a_member_accepting_again_is_told_so_and_the_invitation_stays_unused():
    invitation, token = invite()
    user = MembershipFactory(producer=invitation.producer).user

    with pytest.raises(AlreadyMember):
        invitation_accept(token=token, user=user)

    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_a_new_account_gets_the_invitations_email_and_joins():
    invitation, token = invite(email="dana@example.org")

    membership = invitation_accept_new_account(
        token=token, username="dana", password="a-long-pass-phrase"
    )

    user = membership.user
    assert (user.username, user.email) == ("dana", "dana@example.org")
    assert user.check_password("a-long-pass-phrase")
    assert membership.producer == invitation.producer


def test_a_new_account_for_a_used_invitation_leaves_no_account_behind():
    _, token = invite()
    invitation_accept(token=token, user=UserFactory())
    accounts = User.objects.count()

    with pytest.raises(InvitationUnusable):
        invitation_accept_new_account(token=token, username="late", password="a-long-pass-phrase")

    assert User.objects.count() == accounts


def test_a_new_account_for_an_email_that_has_one_is_refused():
    UserFactory(email="dana@example.org")
    _, token = invite(email="dana@example.org")

    with pytest.raises(InvitedEmailHasAccount):
        invitation_accept_new_account(token=token, username="dana2", password="a-long-pass-phrase")

    assert not Membership.objects.exists()


def test_accepting_marks_the_email_proven_only_when_it_is_the_invited_one(monkeypatch):
    proven = []
    monkeypatch.setattr(
        services, "invitation_email_proven", lambda *, user, invitation: proven.append(user)
    )
    _, token = invite(email="dana@example.org")
    _, other_token = invite(email="eli@example.org")
    dana = UserFactory(email="Dana@example.org")

    invitation_accept(token=token, user=dana)
    invitation_accept(token=other_token, user=UserFactory(email="someone@example.org"))

    assert proven == [dana]


def test_inviting_queues_an_email_with_the_link_and_nothing_when_refused(
    django_capture_on_commit_callbacks,
):
    producer = ProducerFactory(name="Woodshop")
    with django_capture_on_commit_callbacks(execute=True):
        invitation = member_invite(
            producer=producer, email="dana@example.org", role="member", invited_by=None
        )

    email = Email.objects.get()
    assert email.recipients == ["dana@example.org"]
    assert "Woodshop" in email.subject
    assert "/invitations/" in email.body_text
    assert mail.outbox[0].to == ["dana@example.org"]
    token = email.body_text.split("/invitations/")[1].split("/")[0]
    assert invitation_digest(token) == invitation.digest

    MembershipFactory(producer=producer, user=UserFactory(email="eli@example.org"))
    with pytest.raises(AlreadyMember):
        member_invite(producer=producer, email="eli@example.org", role="member", invited_by=None)
    assert Email.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_acceptances_of_one_invitation_at_once_make_one_membership():
    _, token = invite()
    people = [UserFactory(), UserFactory()]
    barrier = threading.Barrier(2)
    outcomes = []

    def accept(user):
        try:
            barrier.wait()
            invitation_accept(token=token, user=user)
            outcomes.append("joined")
        except InvitationUnusable as error:
            outcomes.append(error.reason)
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(user,)) for user in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["joined", "used"]
    assert Membership.objects.count() == 1


def test_accepting_the_invitation_confirms_the_invited_email():
    _, token = invite(email="dana@example.org")
    dana = UserFactory(email="dana@example.org")

    invitation_accept(token=token, user=dana)

    assert email_is_verified(dana)
