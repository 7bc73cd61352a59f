from django.contrib import admin

from producers.models import (
    ApiToken,
    Capability,
    EmailVerification,
    Invitation,
    Membership,
    Producer,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Capability)
class CapabilityAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "description"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Producer)
class ProducerAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "status", "max_open_jobs", "has_payout_account"]
    list_filter = ["kind", "status", "capabilities"]
    search_fields = ["name", "slug", "description", "contact_email"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["capabilities"]
    # The payout account is made by the co-op's managers from the workbench ("Set up
    # payouts"), never pasted in by hand.
    readonly_fields = [
        "stripe_account_id",
        "stripe_payouts_enabled",
        "webhook_secret_rotated_at",
        "created_at",
        "updated_at",
    ]
    inlines = [MembershipInline]
    fieldsets = [
        (None, {"fields": ["kind", "name", "slug", "status", "description", "capabilities"]}),
        (
            "Where and how to reach",
            {
                "fields": [
                    "address",
                    "latitude",
                    "longitude",
                    "website",
                    "contact_email",
                    "contact_phone",
                ]
            },
        ),
        ("Production", {"fields": ["max_open_jobs"]}),
        (
            "Payouts and job webhooks",
            {
                "fields": [
                    "stripe_account_id",
                    "stripe_payouts_enabled",
                    "webhook_url",
                    "webhook_secret_rotated_at",
                ]
            },
        ),
        ("Record", {"fields": ["created_at", "updated_at"]}),
    ]

    @admin.display(boolean=True, description="Payout account")
    def has_payout_account(self, producer: Producer) -> bool:
        return bool(producer.stripe_account_id)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "producer", "role", "created_at"]
    list_filter = ["role", "producer"]
    search_fields = ["user__username", "user__email", "producer__name"]
    autocomplete_fields = ["user", "producer"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are issued through the API only; here staff see and revoke them."""

    list_display = ["user", "name", "prefix", "created_at", "last_used_at", "expires_at"]
    search_fields = ["user__username", "name", "prefix"]
    readonly_fields = list_display
    exclude = ["digest", "password_mark"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(EmailVerification)
class EmailVerificationAdmin(admin.ModelAdmin):
    """Written only when someone proves their email (a link, an invitation); staff may
    delete one to ask for a new proof."""

    list_display = ["email", "user", "verified_at"]
    search_fields = ["email", "user__username"]
    readonly_fields = list_display

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Invitations are made from the workbench (the link goes out by email only); here
    staff see them and may delete one."""

    list_display = ["email", "producer", "role", "created_at", "expires_at", "accepted_at"]
    list_filter = ["role", "producer"]
    search_fields = ["email", "producer__name"]
    readonly_fields = [
        "producer",
        "email",
        "role",
        "invited_by",
        "created_at",
        "expires_at",
        "accepted_at",
        "accepted_by",
        "revoked_at",
    ]
    exclude = ["digest"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
