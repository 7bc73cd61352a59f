from django.contrib import admin

from backend.admin import ReadOnlyAdmin
from community.models import Disbursement, FundEntry


@admin.register(FundEntry)
class FundEntryAdmin(ReadOnlyAdmin):
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


@admin.register(Disbursement)
class DisbursementAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "amount", "paid_to", "purpose", "recorded_by"]
    fields = ["created_at", "amount", "paid_to", "purpose", "recorded_by"]
    readonly_fields = fields


# Budgeting rounds register their own pages in the back office.
from community import budgeting_admin  # noqa: E402, F401
