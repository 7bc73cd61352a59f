"""A co-op's members and invitations: members look, managers change; removing asks first."""

from producers.services import invitation_create, membership_add
from tests.factories import UserFactory
from tests.frontend.workbench_matrix import coop_page, managers_page

ROWS = {
    **coop_page("workbench:coop-members", methods=("get",)),
    **coop_page("workbench:coop-member-invite", methods=("post",)),
    **coop_page("workbench:coop-member-role", methods=("post",)),
    **managers_page("workbench:coop-member-remove", methods=("get", "post")),
    **coop_page("workbench:coop-invitation-revoke", methods=("post",)),
}


def prepare(side):
    side.extra_membership = membership_add(
        producer=side.producer, user=UserFactory(username=f"extra-{side.name}")
    )
    side.invitation, _token = invitation_create(
        producer=side.producer, email=f"new-{side.name}@example.org", role="member", invited_by=None
    )


def kwargs(name, side):
    if name in ("workbench:coop-member-role", "workbench:coop-member-remove"):
        return {"pk": side.extra_membership.pk}
    if name == "workbench:coop-invitation-revoke":
        return {"pk": side.invitation.pk}
    return {}


def body(name, side):
    if name == "workbench:coop-member-invite":
        return {"email": "someone.new@example.org", "role": "member"}
    if name == "workbench:coop-member-role":
        return {"role": "manager"}
    return {}
