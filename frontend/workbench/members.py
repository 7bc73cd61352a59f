"""A co-op's members: who they are, their roles, invitations, and accepting one.

The list is every member's to read; managers invite, change roles and remove. The last
manager stays (the services refuse, and the page says why). Accepting an invitation
(`invitation_page`) is not a workbench page: whoever holds the link opens it, signed
in or not.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.forms import UserCreationForm
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from backend import sign_in_limit
from frontend.workbench.common import coop_context, coop_view
from frontend.workbench.forms import _Form
from orders.services.invitations import member_invite
from producers.exceptions import (
    AlreadyMember,
    InvitationUnusable,
    InvitedEmailHasAccount,
    LastManager,
)
from producers.models import Invitation, Membership
from producers.permissions import forget_roles, is_member
from producers.selectors import invitation_for_token, invitations_pending, producer_members
from producers.services import (
    invitation_accept,
    invitation_accept_new_account,
    invitation_check,
    invitation_revoke,
    membership_change_role,
    membership_remove,
)

ROLE_CHOICES = Membership.Role.choices


class InviteForm(_Form):
    email = forms.EmailField(
        label="Email", help_text="We send the invitation's link here. It works for 7 days."
    )
    role = forms.ChoiceField(
        label="Role",
        choices=ROLE_CHOICES,
        initial=Membership.Role.MEMBER,
        help_text="Members work on jobs and stock; managers also change the co-op's "
        "settings and members.",
    )


class RoleForm(_Form):
    role = forms.ChoiceField(label="Role", choices=ROLE_CHOICES)


class InvitationAccountForm(UserCreationForm):
    """A new account for an invitation: the email is the invitation's, proven by its link."""

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ["username"]

    def __init__(self, *args, email: str, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        # Known before validation, so the password checks compare it with the email too.
        self.instance.email = email


def _membership(producer, pk) -> Membership:
    return get_object_or_404(producer_members(producer=producer), pk=pk)


def _render(request, producer, *, invite_form=None, refusal: str = "", status: int = 200):
    members = list(producer_members(producer=producer).order_by("user__username"))
    context = coop_context(
        request,
        producer,
        "members",
        members=members,
        managers=sum(1 for m in members if m.is_manager),
        invitations=list(invitations_pending(producer=producer)),
        invite_form=invite_form or InviteForm(),
        role_choices=ROLE_CHOICES,
        refusal=refusal,
        now=timezone.now(),
    )
    return render(request, "frontend/workbench/coop_members.html", context, status=status)


@coop_view
@require_GET
def coop_members(request, producer):
    return _render(request, producer)


@coop_view
@require_POST
def coop_member_invite(request, producer):
    form = InviteForm(request.POST)
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        try:
            invitation = member_invite(
                producer=producer, email=data["email"], role=data["role"], invited_by=request.user
            )
        except AlreadyMember as error:
            form.add_error("email", error.detail)
            status = 409
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request,
                f"Invitation sent to {invitation.email}. The link works once, for 7 days.",
            )
            return redirect("workbench:coop-members", producer.slug)
    return _render(request, producer, invite_form=form, status=status)


@coop_view
@require_POST
def coop_member_role(request, producer, pk):
    membership = _membership(producer, pk)
    form = RoleForm(request.POST)
    if not form.is_valid():
        return _render(request, producer, refusal="Choose member or manager.", status=400)
    try:
        membership = membership_change_role(membership=membership, role=form.cleaned_data["role"])
    except LastManager:
        return _render(
            request,
            producer,
            refusal=f"{_name(membership.user)} is the co-op's only manager: make someone else "
            "a manager first.",
            status=409,
        )
    forget_roles(request.user)
    messages.success(
        request, f"{_name(membership.user)} is now a {membership.get_role_display().lower()}."
    )
    return redirect("workbench:coop-members", producer.slug)


@coop_view(managers_only=True)
@require_http_methods(["GET", "HEAD", "POST"])
def coop_member_remove(request, producer, pk):
    """A page that asks first; the POST removes."""
    membership = _membership(producer, pk)
    context = coop_context(request, producer, "members", membership=membership)
    if request.method != "POST":
        return render(request, "frontend/workbench/coop_member_remove.html", context)
    try:
        membership_remove(membership=membership)
    except LastManager:
        context["refusal"] = (
            f"{_name(membership.user)} is the co-op's only manager and cannot be removed: "
            "make someone else a manager first."
        )
        return render(request, "frontend/workbench/coop_member_remove.html", context, status=409)
    forget_roles(request.user)
    messages.success(request, f"{_name(membership.user)} is no longer a member of {producer.name}.")
    if membership.user == request.user and not request.user.is_staff:
        return redirect("workbench:home")
    return redirect("workbench:coop-members", producer.slug)


@coop_view
@require_POST
def coop_invitation_revoke(request, producer, pk):
    invitation = get_object_or_404(Invitation, pk=pk, producer=producer)
    if invitation_revoke(invitation=invitation):
        messages.success(request, f"The invitation to {invitation.email} was withdrawn.")
    else:
        messages.info(
            request, f"The invitation to {invitation.email} was already used or withdrawn."
        )
    return redirect("workbench:coop-members", producer.slug)


def _name(user) -> str:
    return user.get_full_name() or user.get_username()


# --- Accepting an invitation (not a workbench page) ----------------------------------------


def _unusable(request, invitation, error: InvitationUnusable):
    return render(
        request,
        "frontend/invitation_unusable.html",
        {"invitation": invitation, "error": error},
        status=404 if error.reason == "unknown" else 410,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def invitation_page(request, token):
    """Join a co-op from an invitation's link: with the signed-in account, or a new one."""
    invitation = invitation_for_token(token=token)
    try:
        invitation_check(invitation)
    except InvitationUnusable as error:
        return _unusable(request, invitation, error)
    user = request.user
    signed_in = user.is_authenticated
    form = None if signed_in else InvitationAccountForm(email=invitation.email)
    context = {"invitation": invitation, "producer": invitation.producer}
    status = 200
    if request.method == "POST":
        try:
            if signed_in:
                invitation_accept(token=token, user=user)
            else:
                response = _sign_up_and_accept(request, token, invitation)
                if response is not None:
                    return response
                form = None
        except InvitationUnusable as error:
            return _unusable(request, invitation, error)
        except AlreadyMember as error:
            context["refusal"], status = error.detail, 409
        else:
            forget_roles(request.user)
            messages.success(
                request,
                f"Welcome to {invitation.producer.name}! This is your job board: the co-op's "
                "orders arrive here.",
            )
            return redirect("workbench:home")
    if signed_in and is_member(user, invitation.producer):
        context["refusal"] = f"You are already a member of {invitation.producer.name}."
    context["form"] = form
    return render(request, "frontend/invitation.html", context, status=status)


def _sign_up_and_accept(request, token, invitation):
    """None when the account was made and signed in; else the page to answer with."""
    form = InvitationAccountForm(request.POST, email=invitation.email)
    context = {"invitation": invitation, "producer": invitation.producer, "form": form}
    # Counted like any sign-up: trying usernames here is no faster than on the sign-up page.
    wait = sign_in_limit.sign_up_seconds_blocked(request)
    if wait:
        context["form"] = InvitationAccountForm(email=invitation.email)
        context["refusal"] = sign_in_limit.retry_message(wait)
        response = render(request, "frontend/invitation.html", context, status=429)
        response["Retry-After"] = str(wait)
        return response
    sign_in_limit.record_sign_up(request)
    if not form.is_valid():
        return render(request, "frontend/invitation.html", context, status=400)
    try:
        membership = invitation_accept_new_account(
            token=token,
            username=form.cleaned_data["username"],
            password=form.cleaned_data["password1"],
        )
    except InvitedEmailHasAccount as error:
        context["refusal"] = error.detail
        return render(request, "frontend/invitation.html", context, status=409)
    except ValidationError as error:
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return render(request, "frontend/invitation.html", context, status=400)
    login(request, membership.user, backend="backend.sign_in.UsernameOrEmailBackend")
    return None
