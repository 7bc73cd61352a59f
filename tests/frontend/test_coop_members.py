"""A co-op's members in the workbench, and accepting an invitation from its link."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from orders.models import Email
from producers.models import Invitation, Membership
from producers.services import invitation_accept, invitation_create
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

User = get_user_model()


def url(name, coop, *args):
    return reverse(f"workbench:{name}", args=[coop.slug, *args])


def membership_of(user, coop) -> Membership:
    return Membership.objects.get(user=user, producer=coop)


def invite(coop, email="dana@example.org", role="member"):
    return invitation_create(producer=coop, email=email, role=role, invited_by=None)


def accept_url(token):
    return reverse("frontend:invitation", args=[token])


# --- The list and its changes ---------------------------------------------------------------


def test_the_list_shows_each_members_name_email_role_and_since(client, coop, coop_manager):
    member = MembershipFactory(producer=coop, user=UserFactory(first_name="Dana", last_name="Ray"))
    client.force_login(coop_manager)

    body = client.get(url("coop-members", coop)).content.decode()

    assert "Dana Ray" in body
    assert member.user.email in body
    assert "Manager" in body
    assert member.created_at.strftime("%Y-%m-%d") in body  # the machine-readable date


def test_a_manager_invites_someone_by_email(client, coop, coop_manager):
    client.force_login(coop_manager)

    response = client.post(
        url("coop-member-invite", coop), {"email": "dana@example.org", "role": "manager"}
    )

    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.role, invitation.invited_by) == (
        "dana@example.org",
        "manager",
        coop_manager,
    )
    assert Email.objects.get(kind="member.invited").recipients == ["dana@example.org"]


def test_inviting_an_existing_member_is_refused_beside_the_email(client, coop, coop_manager):
    client.force_login(coop_manager)

    response = client.post(
        url("coop-member-invite", coop), {"email": coop_manager.email, "role": "member"}
    )

    assert response.status_code == 409
    assert "is already a member" in response.content.decode()
    assert not Invitation.objects.exists()
    assert not Email.objects.exists()


def test_a_bad_email_is_refused_beside_the_field(client, coop, coop_manager):
    client.force_login(coop_manager)

    response = client.post(url("coop-member-invite", coop), {"email": "dana", "role": "member"})

    assert response.status_code == 400
    assert "Enter a valid email address." in response.content.decode()
    assert not Invitation.objects.exists()


def test_a_manager_makes_a_member_a_manager_and_back(client, coop, coop_manager, coop_member):
    client.force_login(coop_manager)
    membership = membership_of(coop_member, coop)

    client.post(url("coop-member-role", coop, membership.pk), {"role": "manager"})
    assert membership_of(coop_member, coop).role == "manager"

    client.post(url("coop-member-role", coop, membership.pk), {"role": "member"})
    assert membership_of(coop_member, coop).role == "member"


def test_demoting_the_last_manager_is_refused_with_a_reason(client, coop, coop_manager):
    client.force_login(coop_manager)
    membership = membership_of(coop_manager, coop)

    response = client.post(url("coop-member-role", coop, membership.pk), {"role": "member"})

    assert response.status_code == 409
    assert "only manager" in response.content.decode()
    assert membership_of(coop_manager, coop).role == "manager"


def test_removing_asks_first_then_removes(client, coop, coop_manager, coop_member):
    client.force_login(coop_manager)
    membership = membership_of(coop_member, coop)
    remove = url("coop-member-remove", coop, membership.pk)

    confirm = client.get(remove)
    assert confirm.status_code == 200
    assert "Remove coop-member from" in confirm.content.decode()
    assert Membership.objects.filter(pk=membership.pk).exists()

    client.post(remove)
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_removing_the_last_manager_is_refused_with_a_reason(client, coop, coop_manager):
    client.force_login(coop_manager)
    membership = membership_of(coop_manager, coop)

    response = client.post(url("coop-member-remove", coop, membership.pk))

    assert response.status_code == 409
    assert "only manager" in response.content.decode()
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_another_co_ops_membership_is_not_found(client, coop, coop_manager, other_manager):
    client.force_login(coop_manager)
    theirs = other_manager.memberships.get()

    response = client.post(url("coop-member-remove", coop, theirs.pk))

    assert response.status_code == 404
    assert Membership.objects.filter(pk=theirs.pk).exists()


def test_a_manager_withdraws_a_pending_invitation(client, coop, coop_manager):
    invitation, token = invite(coop)
    client.force_login(coop_manager)

    client.post(url("coop-invitation-revoke", coop, invitation.pk))

    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert client.get(accept_url(token)).status_code == 410


def test_a_member_cannot_invite_or_change_roles(client, coop, coop_member, coop_manager):
    client.force_login(coop_member)
    manager = membership_of(coop_manager, coop)

    invited = client.post(url("coop-member-invite", coop), {"email": "x@example.org"})
    demoted = client.post(url("coop-member-role", coop, manager.pk), {"role": "member"})

    assert (invited.status_code, demoted.status_code) == (403, 403)
    assert not Invitation.objects.exists()
    assert membership_of(coop_manager, coop).role == "manager"


# --- Accepting an invitation ----------------------------------------------------------------


def test_someone_new_makes_an_account_from_the_link_and_lands_on_the_job_board(client, coop):
    _, token = invite(coop, email="dana@example.org")

    page = client.get(accept_url(token))
    assert page.status_code == 200
    assert "dana@example.org" in page.content.decode()

    response = client.post(
        accept_url(token),
        {"username": "dana", "password1": "walnut-board-42", "password2": "walnut-board-42"},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("workbench:home")
    user = User.objects.get(username="dana")
    assert user.email == "dana@example.org"
    assert membership_of(user, coop).role == "member"
    assert client.get(reverse("workbench:home")).status_code == 200


def test_a_weak_password_is_refused_beside_the_field_and_no_account_is_made(client, coop):
    _, token = invite(coop)

    response = client.post(
        accept_url(token), {"username": "dana", "password1": "123", "password2": "123"}
    )

    assert response.status_code == 400
    assert "too short" in response.content.decode()
    assert not User.objects.filter(username="dana").exists()
    assert Invitation.objects.get().accepted_at is None


def test_an_email_that_has_an_account_is_asked_to_sign_in(client, coop):
    UserFactory(email="dana@example.org")
    _, token = invite(coop, email="dana@example.org")

    response = client.post(
        accept_url(token),
        {"username": "dana2", "password1": "walnut-board-42", "password2": "walnut-board-42"},
    )

    assert response.status_code == 409
    assert "sign in" in response.content.decode()
    assert not Membership.objects.filter(producer=coop).exists()


def test_a_signed_in_account_joins_with_one_button(client, coop, resident):
    _, token = invite(coop, email=resident.email)
    client.force_login(resident)

    assert "signed in as" in client.get(accept_url(token)).content.decode()
    response = client.post(accept_url(token))

    assert response.status_code == 302
    assert membership_of(resident, coop).role == "member"


def test_a_member_following_an_invitation_is_told_and_nothing_changes(client, coop, coop_member):
    invitation, token = invite(coop, email="someone@example.org")
    client.force_login(coop_member)

    page = client.get(accept_url(token))
    response = client.post(accept_url(token))

    assert "already a member" in page.content.decode()
    assert response.status_code == 409
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_an_expired_link_says_so_and_changes_nothing(client, coop):
    invitation, token = invite(coop)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())

    response = client.post(
        accept_url(token),
        {"username": "dana", "password1": "walnut-board-42", "password2": "walnut-board-42"},
    )

    assert response.status_code == 410
    assert "has expired" in response.content.decode()
    assert not User.objects.filter(username="dana").exists()


def test_a_used_link_says_so(client, coop, resident):
    _, token = invite(coop)
    invitation_accept(token=token, user=resident)

    response = client.get(accept_url(token))

    assert response.status_code == 410
    assert "already been accepted" in response.content.decode()


def test_a_tampered_link_is_not_found_and_says_so(client, coop):
    _, token = invite(coop)

    response = client.get(accept_url(token + "x"))

    assert response.status_code == 404
    assert "not one we sent" in response.content.decode()


@pytest.mark.parametrize("who", ["anon", "resident", "other co-op's manager", "staff"])
def test_anyone_with_a_live_link_may_open_it_and_nobody_opens_a_dead_one(
    client, coop, resident, other_manager, staff, who
):
    user = {"anon": None, "resident": resident, "staff": staff}.get(who, other_manager)
    if user is not None:
        client.force_login(user)
    live_invitation, live = invite(coop, email="dana@example.org")
    revoked_invitation, revoked = invite(coop, email="eli@example.org")
    revoked_invitation.revoked_at = timezone.now()
    revoked_invitation.save()

    assert client.get(accept_url(live)).status_code == 200
    assert client.get(accept_url(revoked)).status_code == 410
    assert client.post(accept_url(revoked)).status_code == 410
    assert client.get(accept_url("made-up-token")).status_code == 404
    assert not Membership.objects.filter(producer=coop).exists()
