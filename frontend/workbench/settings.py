"""A co-op's profile and settings: what residents see, its logo, and its webhook.

Managers change them (through `producer_update`, which keeps identity fields staff's);
members look. A rotated signing secret is shown once, in the answer to the rotation
itself: it is never stored in the session or shown on a later page.
"""

import copy

from django import forms
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from catalog.services.logos import producer_logo_remove, producer_logo_set
from frontend.workbench.common import coop_context, coop_view
from frontend.workbench.forms import _Form
from orders import selectors as order_selectors
from orders.delivery import webhook_send_test
from producers.models import WEBHOOK_SECRET_GRACE, Producer
from producers.services import producer_rotate_webhook_secret, producer_update

RECENT_DELIVERIES = 10
TEST_EVENT_INTERVAL = 5  # seconds
EXCERPT_CHARS = 200

PROFILE_FIELDS = (
    "description",
    "pickup_address",
    "opening_hours",
    "public_phone",
    "website",
    "contact_email",
    "contact_phone",
)


class ProfileForm(forms.ModelForm):
    class Meta:
        model = Producer
        fields = PROFILE_FIELDS
        labels = {
            "description": "About the co-op",
            "pickup_address": "Pickup address",
            "opening_hours": "Pickup hours",
            "public_phone": "Public phone",
            "website": "Website",
            "contact_email": "Contact email (private)",
            "contact_phone": "Contact phone (private)",
        }
        help_texts = {
            "description": "Shown on your co-op's page in the shop.",
            "contact_email": "For the network and the Fab Lab; residents never see it.",
            "contact_phone": "For the network and the Fab Lab; residents never see it.",
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class LogoForm(_Form):
    logo = forms.FileField(
        label="New logo",
        help_text="A JPEG, PNG or WebP picture, 10 MB at most. It is shown up to 320 px wide.",
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        error_messages={"required": "Choose a picture to upload."},
    )


class WebhookForm(_Form):
    webhook_url = forms.URLField(
        label="Webhook address",
        max_length=500,
        required=False,
        help_text="Where new and changed jobs are sent, signed. Leave empty to use only "
        "email and the job board.",
        error_messages={"invalid": "Enter a full web address, such as https://example.org/hook."},
    )


def _render(request, producer, *, forms=None, status=200, **extra):
    forms = forms or {}
    deliveries = list(
        order_selectors.deliveries_for(producer_ids={producer.pk})[:RECENT_DELIVERIES]
    )
    for delivery in deliveries:
        attempts = list(delivery.attempt_log.all())
        delivery.last_attempt = attempts[-1] if attempts else None
    rotated_at = producer.webhook_secret_rotated_at
    grace_until = rotated_at + WEBHOOK_SECRET_GRACE if rotated_at else None
    context = coop_context(
        request,
        producer,
        "settings",
        profile_form=forms.get("profile") or ProfileForm(instance=copy.copy(producer)),
        logo_form=forms.get("logo") or LogoForm(),
        webhook_form=forms.get("webhook")
        or WebhookForm(initial={"webhook_url": producer.webhook_url}),
        deliveries=deliveries,
        previous_secret_until=grace_until if grace_until and grace_until > timezone.now() else None,
        **extra,
    )
    response = render(request, "frontend/workbench/coop_settings.html", context, status=status)
    if "new_secret" in extra:
        response["Cache-Control"] = "no-store"
    return response


@coop_view
@require_http_methods(["GET", "HEAD", "POST"])
def coop_settings(request, producer):
    """The page, and the profile's form."""
    if request.method != "POST":
        return _render(request, producer)
    # A copy: a refused form must not leave its values on the co-op the page shows.
    form = ProfileForm(request.POST, instance=copy.copy(producer))
    if form.is_valid():
        try:
            producer_update(producer=producer, **{f: form.cleaned_data[f] for f in PROFILE_FIELDS})
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, "Profile saved. Residents see the change at once.")
            return redirect("workbench:coop-settings", producer.slug)
    return _render(request, producer, forms={"profile": form}, status=400)


@coop_view
@require_POST
def coop_logo(request, producer):
    if request.POST.get("remove"):
        producer_logo_remove(producer=producer)
        messages.success(request, "Logo removed.")
        return redirect("workbench:coop-settings", producer.slug)
    form = LogoForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            producer_logo_set(producer=producer, upload=form.cleaned_data["logo"])
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, "Logo saved. It shows on your co-op's page in the shop.")
            return redirect("workbench:coop-settings", producer.slug)
    return _render(request, producer, forms={"logo": form}, status=400)


@coop_view
@require_POST
def coop_webhook(request, producer):
    form = WebhookForm(request.POST)
    if form.is_valid():
        url = form.cleaned_data["webhook_url"]
        try:
            producer_update(producer=producer, webhook_url=url)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request,
                "Webhook address saved: new jobs are sent to it."
                if url
                else "Webhook address removed: jobs reach you by email and on the job board.",
            )
            return redirect("workbench:coop-settings", producer.slug)
    return _render(request, producer, forms={"webhook": form}, status=400)


@coop_view
@require_POST
def coop_webhook_rotate(request, producer):
    """Answered with the page itself, not a redirect: the new secret is in this answer only."""
    secret = producer_rotate_webhook_secret(producer=producer)
    return _render(request, producer, new_secret=secret)


@coop_view
@require_POST
def coop_webhook_test(request, producer):
    """Sends at once, so one co-op sends at most one test every few seconds: the button
    must not turn the platform into a request cannon."""
    sends = bool(producer.webhook_url)
    if sends and not cache.add(f"webhook-test:{producer.pk}", True, timeout=TEST_EVENT_INTERVAL):
        return _render(
            request,
            producer,
            status=429,
            test_result={"ok": False, "throttled": True},
        )
    outcome = webhook_send_test(producer=producer)
    ok = outcome.status_code is not None and 200 <= outcome.status_code < 300
    excerpt = outcome.excerpt[:EXCERPT_CHARS]
    return _render(
        request,
        producer,
        test_result={
            "ok": ok,
            "status_code": outcome.status_code,
            "error": outcome.error,
            "excerpt": excerpt,
            "cut": len(outcome.excerpt) > EXCERPT_CHARS,
            "duration_ms": outcome.duration_ms,
            "url": producer.webhook_url,
        },
    )
