"""The fund in the back office: its ledger read-only; disbursements and adjustments recorded
through the fund's services, their refusals shown beside the fields, nothing written on error."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from backend.admin import ReadOnlyAdmin
from community.exceptions import FundTooLow
from community.models import Disbursement, FundEntry
from community.services.fund import adjustment_record, disbursement_record


class RecordThroughService(forms.ModelForm):
    """A form whose `clean()` asks the service to write the row and keeps what it wrote.

    The admin saves inside one transaction: whatever fails after the service has
    written rolls it back with the rest. `by` is set per request by the admin.
    """

    by = None
    amount = forms.DecimalField(max_digits=12, decimal_places=2)

    def record(self, data: dict):
        raise NotImplementedError

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            self.instance = self.record(data)
        except FundTooLow as refused:
            self.add_error("amount", refused.detail)
        except ValidationError as refused:
            self.add_error(None, refused)
        return data

    def _post_clean(self):
        # The service validated and wrote the row; the model form must not change it.
        pass


class DisbursementForm(RecordThroughService):
    class Meta:
        model = Disbursement
        fields = ["amount", "paid_to", "purpose"]

    def record(self, data: dict) -> Disbursement:
        return disbursement_record(
            amount=data["amount"], paid_to=data["paid_to"], purpose=data["purpose"], by=self.by
        )


class AdjustmentForm(RecordThroughService):
    class Meta:
        model = FundEntry
        fields = ["amount", "reason"]
        help_texts = {
            "amount": "Up (positive) or down (negative). The fund can never go below zero.",
            "reason": "Why the fund is corrected; shown on the public ledger.",
        }

    def record(self, data: dict) -> FundEntry:
        return adjustment_record(amount=data["amount"], reason=data["reason"], by=self.by)


class RecordsThroughServiceAdmin(ReadOnlyAdmin):
    """Read-only rows; the add form records a new one through its service."""

    add_form: type[RecordThroughService]
    add_fields: list[str]

    def has_add_permission(self, request) -> bool:
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.add_{opts.model_name}")

    def get_fields(self, request, obj=None):
        return self.add_fields if obj is None else self.fields

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None:
            return super().get_form(request, obj, change=change, **kwargs)
        kwargs["form"] = self.add_form
        kwargs["fields"] = self.add_fields
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"by": request.user})

    def save_model(self, request, obj, form, change):
        pass  # the service wrote it while the form was checked

    def save_related(self, request, form, formsets, change):
        pass


@admin.register(FundEntry)
class FundEntryAdmin(RecordsThroughServiceAdmin):
    add_form = AdjustmentForm
    add_fields = ["amount", "reason"]
    list_display = ["created_at", "kind", "amount", "reason", "producer"]
    list_filter = ["kind", "source"]
    search_fields = ["reason"]
    fields = [
        "created_at",
        "kind",
        "amount",
        "sale",
        "reason",
        "source",
        "source_id",
        "producer",
        "job",
        "created_by",
    ]
    readonly_fields = fields

    def add_view(self, request, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "title": "Record an adjustment to the fund"}
        return super().add_view(request, form_url, extra_context)


@admin.register(Disbursement)
class DisbursementAdmin(RecordsThroughServiceAdmin):
    add_form = DisbursementForm
    add_fields = ["amount", "paid_to", "purpose"]
    list_display = ["created_at", "amount", "paid_to", "purpose", "recorded_by"]
    fields = ["created_at", "amount", "paid_to", "purpose", "recorded_by"]
    readonly_fields = fields

    def add_view(self, request, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "title": "Record a disbursement from the fund"}
        return super().add_view(request, form_url, extra_context)


# Budgeting rounds register their own pages in the back office.
from community import budgeting_admin  # noqa: E402, F401
