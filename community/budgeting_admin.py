"""Budgeting rounds in the back office: read there, changed through the round pages
(`/community/rounds/`), whose services check every rule. Ballots are not listed: nobody's
choices are shown with their name, not even to staff; the results give the counts."""

from django.contrib import admin

from backend.admin import ReadOnlyAdmin
from community.budgeting_models import Proposal, Round


class ProposalInline(admin.TabularInline):
    model = Proposal
    fields = ["title", "amount", "carried_out_by", "status", "approvals", "funded", "disbursement"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Round)
class RoundAdmin(ReadOnlyAdmin):
    list_display = ["title", "budget", "phase_label", "voting_close_at", "results_published_at"]
    search_fields = ["title"]
    fields = [
        "title",
        "description",
        "budget",
        "proposals_open_at",
        "proposals_close_at",
        "voting_open_at",
        "voting_close_at",
        "results_published_at",
        "created_by",
        "created_at",
    ]
    readonly_fields = fields
    inlines = [ProposalInline]

    @admin.display(description="phase")
    def phase_label(self, obj: Round) -> str:
        return obj.phase().label


@admin.register(Proposal)
class ProposalAdmin(ReadOnlyAdmin):
    list_display = ["title", "round", "amount", "carried_out_by", "status", "approvals", "funded"]
    list_filter = ["status", "funded", "round"]
    search_fields = ["title", "carried_out_by", "proposer__username", "proposer__email"]
    list_select_related = ["round"]
    fields = [
        "round",
        "title",
        "description",
        "amount",
        "carried_out_by",
        "proposer",
        "status",
        "moderation_reason",
        "moderated_by",
        "moderated_at",
        "approvals",
        "funded",
        "disbursement",
        "created_at",
    ]
    readonly_fields = fields
