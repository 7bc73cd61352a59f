"""Signing in, the same at every door: user name or email, and the shared guessing limit.

The storefront form, the admin form and the token endpoint all pass through
`SignInLimitMixin` (or its checks), so a block set at one door holds at the others.
"""

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError

from backend import sign_in_limit


class UsernameOrEmailBackend(ModelBackend):
    """Accepts a user name, or the email of exactly one account. A name that is also
    someone's email wins, so nobody can take over a name by choosing it as email."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username:
            username = sign_in_limit.sign_in_name(username)
        # The password is hashed even when no account matched, as ModelBackend does,
        # so timing does not tell which accounts exist.
        return super().authenticate(request, username=username, password=password, **kwargs)


class SignInLimitMixin:
    """For an `AuthenticationForm`: refuse before checking the password while the address
    or the name is blocked, count each failure, and forget a name's failures when it signs
    in. `retry_after` holds the seconds to wait when refused."""

    retry_after = 0

    def clean(self):
        username = str(self.data.get("username", ""))
        self.retry_after = sign_in_limit.seconds_blocked(self.request, username)
        if self.retry_after:
            raise ValidationError(
                sign_in_limit.retry_message(self.retry_after), code="too_many_attempts"
            )
        try:
            data = super().clean()
        except ValidationError:
            sign_in_limit.record_failure(self.request, username)
            if sign_in_limit.email_shared(username.strip()):
                raise ValidationError(
                    sign_in_limit.SHARED_EMAIL_MESSAGE, code="email_shared"
                ) from None
            raise
        if self.get_user() is not None:
            sign_in_limit.clear(self.request, username)
        return data


class AdminSignInForm(SignInLimitMixin, AdminAuthenticationForm):
    pass


def with_retry_after(response):
    """429 and `Retry-After` on a sign-in page whose form was refused by the limit."""
    form = (getattr(response, "context_data", None) or {}).get("form")
    wait = getattr(form, "retry_after", 0)
    if wait:
        response.status_code = 429
        response["Retry-After"] = str(wait)
    return response


def admin_sign_in(request, extra_context=None):
    """The admin's own sign-in page, answering 429 while the limit holds."""
    return with_retry_after(admin.site.login(request, extra_context))
