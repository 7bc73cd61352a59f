"""Residents' accounts: sign in (email or username), sign up, confirm the email, reset a
forgotten password. The rules live in `producers.accounts` and `orders.services.accounts`.

Email confirmation links go through the orders outbox (stored and retried). Password
reset links are sent by Django's mailer directly: such a link is a key to the account,
so it is not kept in a table the back office reads, and a reset that fails to send is
simply asked for again.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.http import require_POST

from backend import sign_in_limit
from backend.sign_in import with_retry_after
from frontend.forms import NewPasswordForm, PasswordResetRequestForm, SignInForm, SignUpForm
from orders.services.accounts import (
    account_sign_up,
    email_verification_send,
    guest_orders_join,
)
from producers import accounts
from producers.exceptions import (
    EmailInUse,
    EmailVerifiedElsewhere,
    VerificationLinkExpired,
    VerificationLinkInvalid,
)

BACKEND = "backend.sign_in.UsernameOrEmailBackend"


class SignInView(auth_views.LoginView):
    """Sign in with an email or a username; while the shared limit holds (too many failures
    for the account or from the address) the form answers 429 without checking the password.
    A verified account gets the guest orders placed with its email since it last signed in."""

    template_name = "frontend/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        joined = guest_orders_join(user=form.get_user())
        if joined:
            messages.info(self.request, _joined_message(joined))
        return response

    def form_invalid(self, form):
        return with_retry_after(super().form_invalid(form))


def _joined_message(count: int) -> str:
    orders = "order" if count == 1 else "orders"
    return f"{count} {orders} you placed as a guest with this email are now in My orders."


def sign_up(request):
    """Make an account. Every try counts against a per-address limit, so probing which
    emails are taken is as slow as guessing passwords."""
    if request.user.is_authenticated:
        return redirect("frontend:home")
    form = SignUpForm(request.POST or None)
    if request.method == "POST":
        wait = sign_in_limit.sign_up_seconds_blocked(request)
        if wait:
            # A fresh form: nothing sent is validated, so nothing is looked up.
            context = {"form": SignUpForm(), "blocked": sign_in_limit.retry_message(wait)}
            response = render(request, "frontend/sign_up.html", context, status=429)
            response["Retry-After"] = str(wait)
            return response
        sign_in_limit.record_sign_up(request)
        if form.is_valid():
            data = form.cleaned_data
            try:
                user = account_sign_up(
                    email=data["email"], name=data["name"], password=data["password1"]
                )
            except EmailInUse as error:  # taken between the form's check and the service's
                form.add_error("email", error.detail)
            else:
                login(request, user, backend=BACKEND)
                messages.success(
                    request,
                    f"Welcome! We sent a link to {user.email}: open it to confirm your email.",
                )
                return redirect("frontend:my_orders")
        return render(request, "frontend/sign_up.html", {"form": form}, status=400)
    return render(request, "frontend/sign_up.html", {"form": form})


def email_verify(request, token):
    """The link from the confirmation email. Marks the email verified (which joins the
    guest orders placed with it); an altered, old or outdated link changes nothing."""
    try:
        user = accounts.email_verify_token_user(token)
        accounts.email_verified_mark(user=user)
    except (VerificationLinkInvalid, EmailVerifiedElsewhere) as error:
        expired = isinstance(error, VerificationLinkExpired)
        context = {"problem": error.detail, "expired": expired}
        return render(request, "frontend/email_verify_failed.html", context, status=400)
    messages.success(request, f"Thank you: {user.email} is confirmed.")
    if request.user.is_authenticated and request.user.pk == user.pk:
        return redirect("frontend:my_orders")
    return redirect("frontend:sign_in")


@login_required
@require_POST
def email_verify_resend(request):
    """Send the confirmation link again, a few times per window at most."""
    user = request.user
    if accounts.email_is_verified(user):
        messages.info(request, "Your email is already confirmed.")
        return redirect("frontend:my_orders")
    kind, ident = "verify-resend", str(user.pk)
    wait = sign_in_limit.limit_seconds_blocked(kind, ident, sign_in_limit.MAX_VERIFY_RESENDS)
    if wait:
        messages.error(request, sign_in_limit.retry_message(wait))
        return redirect("frontend:my_orders")
    sign_in_limit.limit_record(kind, ident)
    email_verification_send(user=user)
    messages.success(request, f"We sent a new link to {user.email}.")
    return redirect("frontend:my_orders")


class PasswordResetView(auth_views.PasswordResetView):
    """Ask for a reset link. The answer is the same whether or not the email has an
    account; asking is limited per address (429) and, silently, per email."""

    template_name = "frontend/password_reset_form.html"
    form_class = PasswordResetRequestForm
    email_template_name = "frontend/emails/password_reset.txt"
    subject_template_name = "frontend/emails/password_reset_subject.txt"
    success_url = reverse_lazy("frontend:password_reset_done")

    def form_valid(self, form):
        address = sign_in_limit.client_address(self.request)
        wait = sign_in_limit.limit_seconds_blocked(
            "reset-address", address, sign_in_limit.MAX_RESET_REQUESTS
        )
        if wait:
            form.add_error(None, sign_in_limit.retry_message(wait))
            response = self.render_to_response(self.get_context_data(form=form), status=429)
            response["Retry-After"] = str(wait)
            return response
        sign_in_limit.limit_record("reset-address", address)
        email = accounts.email_normalise(form.cleaned_data["email"])
        if sign_in_limit.limit_seconds_blocked(
            "reset-email", email, sign_in_limit.MAX_RESET_EMAILS
        ):
            return redirect(self.success_url)  # the same answer, and no more email
        sign_in_limit.limit_record("reset-email", email)
        self.extra_email_context = {"site_url": _site_url()}
        return super().form_valid(form)


def _site_url() -> str:
    # Links in emails use the configured address, never the request's Host header.
    return settings.SITE_URL


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "frontend/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's single-use, expiring link: it stops working once the password changes
    (the token covers the password hash) or after PASSWORD_RESET_TIMEOUT."""

    template_name = "frontend/password_reset_confirm.html"
    form_class = NewPasswordForm
    success_url = reverse_lazy("frontend:password_reset_complete")

    def dispatch(self, *args, **kwargs):
        return _bad_link_status(super().dispatch(*args, **kwargs))


def _bad_link_status(response):
    """400 for a link that does not work, and for a new password the validators refuse."""
    context = getattr(response, "context_data", None) or {}
    form = context.get("form")
    refused = form is not None and form.is_bound and bool(form.errors)
    if response.status_code == 200 and (context.get("validlink") is False or refused):
        response.status_code = 400
    return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "frontend/password_reset_complete.html"
