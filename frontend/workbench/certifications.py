"""Certifications: who is certified by the Fab Lab for what, and until when.

Co-op members see the people of their co-ops (and which of the co-op's capabilities
nobody holds, so work needing them cannot start); Fab Lab and platform staff see
everyone, and certify, renew and revoke.
"""

import datetime

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fablab.emails import in_sentence
from fablab.models import Certification
from fablab.selectors import certifications_visible_to
from fablab.services.certifications import (
    certification_grant,
    certification_renew,
    certification_revoke,
    may_certify,
)
from frontend.workbench.common import my_producers, workbench_view
from frontend.workbench.forms import _Form
from producers.models import Capability, Membership

User = get_user_model()
# "Runs out in 12 days" this close to the expiry; the date itself further off.
SOON_DAYS = 60


def _person_name(user) -> str:
    full = user.get_full_name()
    return f"{full} ({user.username})" if full else user.username


def _day(day: datetime.date) -> str:
    return date_format(day, "D j M Y")


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        coops = ", ".join(sorted(m.producer.name for m in obj.memberships.all()))
        return f"{_person_name(obj)} · {coops}" if coops else _person_name(obj)


def _a_year_on() -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=365)


class CertifyForm(_Form):
    person = PersonChoiceField(
        label="Person",
        queryset=User.objects.none(),
        empty_label="Pick a person",
        help_text="Members of the co-ops and the Fab Lab.",
        error_messages={"invalid_choice": "Pick one of the people listed."},
    )
    capability = forms.ModelChoiceField(
        label="Capability",
        queryset=Capability.objects.order_by("name"),
        empty_label="Pick a capability",
        error_messages={"invalid_choice": "Pick one of the capabilities listed."},
    )
    expires_on = forms.DateField(
        label="Runs out on",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The last day the certification holds. A year is usual.",
    )
    note = forms.CharField(
        label="Note (optional)",
        max_length=240,
        required=False,
        help_text="For example: trained on the Epilog laser, 2 hours.",
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"expires_on": _a_year_on()})
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = (
            User.objects.filter(is_active=True, memberships__isnull=False)
            .distinct()
            .order_by("first_name", "last_name", "username")
            .prefetch_related(
                Prefetch("memberships", queryset=Membership.objects.select_related("producer"))
            )
        )


class RenewForm(_Form):
    expires_on = forms.DateField(
        label="Runs out on", widget=forms.DateInput(attrs={"type": "date"})
    )


class ShowForm(_Form):
    """What the Fab Lab's list shows: one capability, and only the soon or long gone."""

    WHEN = [
        ("", "Any expiry"),
        ("soon", "Running out soon"),
        ("expired", "Expired"),
    ]
    capability = forms.ModelChoiceField(
        label="Capability",
        queryset=Capability.objects.order_by("name"),
        required=False,
        empty_label="Every capability",
    )
    when = forms.ChoiceField(label="Expiry", choices=WHEN, required=False)

    def keep(self, certifications: list[Certification]) -> list[Certification]:
        if not self.is_valid():
            return certifications
        capability, when = self.cleaned_data["capability"], self.cleaned_data["when"]
        return [
            c
            for c in certifications
            if (capability is None or c.capability_id == capability.pk)
            and (not when or c.state == when)
        ]


def _described(certification: Certification, today: datetime.date) -> Certification:
    """Add what the page shows about the expiry: `days_left` and `state`."""
    days = (certification.expires_on - today).days
    certification.days_left = days
    if days < 0:
        certification.state = "expired"
    elif days <= settings.FABLAB_CERTIFICATION_REMIND_DAYS:
        certification.state = "soon"
    else:
        certification.state = "current"
    certification.shows_days = 0 <= days <= SOON_DAYS
    certification.capability_words = in_sentence(certification.capability.name)
    certification.person_name = _person_name(certification.person)
    return certification


def _certifications(user) -> list[Certification]:
    today = timezone.localdate()
    rows = certifications_visible_to(user).prefetch_related(
        Prefetch(
            "person__memberships",
            queryset=Membership.objects.select_related("producer").order_by("producer__name"),
        )
    )
    return [_described(c, today) for c in rows.order_by("expires_on", "person__username", "pk")]


def _by_coop(user, certifications: list[Certification]) -> list[dict]:
    """For each of the user's co-ops: its people's certifications, and the capabilities
    the co-op offers that nobody there holds today."""
    groups = []
    for producer in my_producers(user):
        held = [
            c
            for c in certifications
            if any(m.producer_id == producer.pk for m in c.person.memberships.all())
        ]
        current = {c.capability_id for c in held if c.state != "expired"}
        groups.append(
            {
                "producer": producer,
                "certifications": held,
                "uncovered": [
                    in_sentence(cap.name)
                    for cap in producer.capabilities.all()
                    if cap.pk not in current
                ],
            }
        )
    return groups


def _render(request, *, certify_form=None, failed=None, status: int = 200):
    user = request.user
    certifier = may_certify(user)
    certifications = _certifications(user)
    context = {
        "section": "certifications",
        "certifier": certifier,
        "certifications": certifications,
        "remind_days": settings.FABLAB_CERTIFICATION_REMIND_DAYS,
        "a_year_on": _a_year_on(),
        # (certification pk, its renew form with errors) after a refused renewal.
        "failed": failed,
    }
    if certifier:
        context["certify_form"] = certify_form or CertifyForm(prefix="certify")
        show = ShowForm(request.GET or None, prefix="show")
        context["show_form"] = show
        context["shown"] = show.keep(certifications)
    else:
        context["groups"] = _by_coop(user, certifications)
    return render(request, "frontend/workbench/certifications.html", context, status=status)


def _refuse(request):
    messages.error(request, "Only the Fab Lab certifies people. Ask a technician.")
    return _render(request, status=403)


@workbench_view
@require_GET
def certifications(request):
    return _render(request)


@workbench_view
@require_POST
def certification_new(request):
    if not may_certify(request.user):
        return _refuse(request)
    form = CertifyForm(request.POST, prefix="certify")
    if not form.is_valid():
        return _render(request, certify_form=form, status=400)
    data = form.cleaned_data
    try:
        certification = certification_grant(
            person=data["person"],
            capability=data["capability"],
            expires_on=data["expires_on"],
            note=data["note"],
            by=request.user,
        )
    except ValidationError as error:
        form.add_service_error(error)
        return _render(request, certify_form=form, status=400)
    except PermissionDenied:
        return _refuse(request)
    messages.success(
        request,
        f"Certified {_person_name(certification.person)} for "
        f"{in_sentence(certification.capability.name)} until "
        f"{_day(certification.expires_on)}.",
    )
    return redirect("workbench:certifications")


def _visible(request, pk: int) -> Certification:
    return get_object_or_404(certifications_visible_to(request.user), pk=pk)


@workbench_view
@require_POST
def certification_renew_view(request, pk: int):
    certification = _visible(request, pk)
    if not may_certify(request.user):
        return _refuse(request)
    form = RenewForm(request.POST)
    if form.is_valid():
        try:
            certification = certification_renew(
                certification=certification,
                expires_on=form.cleaned_data["expires_on"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_service_error(error)
        except PermissionDenied:
            return _refuse(request)
    if form.errors:
        return _render(request, failed=(certification.pk, form), status=400)
    messages.success(
        request,
        f"Renewed {_person_name(certification.person)}'s certification for "
        f"{in_sentence(certification.capability.name)} until "
        f"{_day(certification.expires_on)}.",
    )
    return redirect(f"{reverse('workbench:certifications')}#certification-{certification.pk}")


@workbench_view
@require_http_methods(["GET", "POST"])
def certification_revoke_view(request, pk: int):
    certification = _described(_visible(request, pk), timezone.localdate())
    if not may_certify(request.user):
        return _refuse(request)
    if request.method == "POST":
        try:
            certification_revoke(certification=certification, by=request.user)
        except PermissionDenied:
            return _refuse(request)
        messages.success(
            request,
            f"Revoked {certification.person_name}'s certification for "
            f"{certification.capability_words}.",
        )
        return redirect("workbench:certifications")
    return render(
        request,
        "frontend/workbench/certification_revoke.html",
        {"section": "certifications", "certification": certification},
    )
