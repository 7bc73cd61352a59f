from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from django.core.exceptions import ValidationError

from backend.sign_in import SignInLimitMixin
from orders.models import Order, PickupPoint
from orders.services.inputs import ADDRESS_MAX, EMAIL_MAX, NAME_MAX, NOTE_MAX, PHONE_MAX
from producers import accounts
from producers.exceptions import EmailInUse


class AddToCartForm(forms.Form):
    quantity = forms.IntegerField(min_value=1, max_value=100, initial=1, label="How many")


class CartLineForm(forms.Form):
    quantity = forms.IntegerField(min_value=0, max_value=100, label="Quantity")


class CheckoutForm(forms.Form):
    """Parses the checkout; the rules (and their messages) are `order_place`'s."""

    name = forms.CharField(max_length=NAME_MAX, required=False, label="Your name")
    email = forms.CharField(
        max_length=EMAIL_MAX,
        required=False,
        label="Email",
        help_text="We send your order's link here.",
        widget=forms.EmailInput,
    )
    phone = forms.CharField(
        max_length=PHONE_MAX,
        required=False,
        label="Phone (optional)",
        help_text="So the co-op can call when it is ready.",
    )
    fulfilment = forms.ChoiceField(
        choices=Order.Fulfilment.choices,
        widget=forms.RadioSelect,
        label="How you get it",
        initial=Order.Fulfilment.PICKUP,
    )
    delivery_address = forms.CharField(
        max_length=ADDRESS_MAX,
        required=False,
        label="Delivery address",
        help_text="Local delivery in Jackson only.",
    )
    pickup_point = forms.ModelChoiceField(
        queryset=PickupPoint.objects.active(),
        to_field_name="slug",
        required=False,
        empty_label="At each co-op that makes a part",
        blank=True,
        widget=forms.RadioSelect,
        label="Where you collect it",
        error_messages={
            "invalid_choice": "That pickup point is not open for orders: choose another."
        },
    )
    payment_method = forms.ChoiceField(widget=forms.RadioSelect, label="How you pay")
    note = forms.CharField(
        max_length=NOTE_MAX,
        required=False,
        label="Anything the co-ops should know (optional)",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    checkout_token = forms.CharField(widget=forms.HiddenInput)

    # The service names fields by its arguments; this form by what a person reads.
    SERVICE_FIELDS = {"contact_name": "name", "contact_email": "email", "contact_phone": "phone"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(Order.PaymentMethod.PAY_AT_PICKUP, "Pay when you pick up or receive it")]
        if settings.STRIPE_SECRET_KEY:
            choices.insert(0, (Order.PaymentMethod.STRIPE, "Card, now (secure payment by Stripe)"))
        self.fields["payment_method"].choices = choices
        self.fields["payment_method"].initial = choices[0][0]
        self.fields["pickup_point"].label_from_instance = lambda point: (
            f"{point.name}, {point.address} — open {point.opening_hours}"
        )

    def clean(self):
        data = super().clean()
        # The point is chosen under "Pick up": a delivery leaves it behind, whatever is ticked.
        if data.get("fulfilment") != Order.Fulfilment.PICKUP:
            data["pickup_point"] = None
        return data

    def add_service_errors(self, error: ValidationError) -> None:
        """Show a service's field errors next to the fields they name."""
        for field, messages in error.message_dict.items():
            name = self.SERVICE_FIELDS.get(field, field)
            for message in messages:
                self.add_error(name if name in self.fields else None, message)


class SignInForm(SignInLimitMixin, AuthenticationForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "Email or username"


class SignUpForm(forms.Form):
    """Email, an optional name and a password. Short hints; Django's password rules are
    shown only when a password breaks one."""

    email = forms.EmailField(
        max_length=254,
        label="Email",
        help_text="We send you a link to confirm it.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    name = forms.CharField(
        max_length=150,
        required=False,
        label="Your name (optional)",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    password1 = forms.CharField(
        label="Password",
        strip=False,
        help_text="At least 8 characters.",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label="Password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_email(self):
        email = accounts.email_normalise(self.cleaned_data["email"])
        # Emails sign in too, so one email names one account. The message names no
        # account; the sign-up limit makes asking about many emails slow.
        if accounts.email_is_taken(email):
            raise forms.ValidationError(EmailInUse.default_detail, code="email_in_use")
        return email

    def clean(self):
        data = super().clean()
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", "The two passwords differ. Type the same one twice.")
        elif first:
            # Judged against what the person typed, so "keisha2026" is refused for Keisha.
            person = get_user_model()(
                username=data.get("email", ""),
                email=data.get("email", ""),
                first_name=data.get("name", ""),
            )
            try:
                password_validation.validate_password(first, person)
            except ValidationError as error:
                self.add_error("password1", error)
        return data


class PasswordResetRequestForm(PasswordResetForm):
    email = forms.EmailField(
        label="Email",
        max_length=254,
        help_text="The email of your account.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class NewPasswordForm(SetPasswordForm):
    """Django's form (its validators, the two fields) with plain words and no rule list."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = "New password"
        self.fields["new_password1"].help_text = "At least 8 characters."
        self.fields["new_password2"].label = "New password again"
        self.fields["new_password2"].help_text = ""
