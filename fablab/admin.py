from django.contrib import admin

from fablab.models import Booking, Certification, Machine, OpeningHours, OutOfService


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    extra = 0


class OutOfServiceInline(admin.TabularInline):
    model = OutOfService
    extra = 0


@admin.register(Machine)
class MachineAdmin(admin.ModelAdmin):
    list_display = ["name", "capability", "keeper", "rate_per_hour", "active"]
    list_filter = ["capability", "keeper", "active"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [OpeningHoursInline, OutOfServiceInline]


@admin.register(Certification)
class CertificationAdmin(admin.ModelAdmin):
    list_display = [
        "person",
        "capability",
        "certified_on",
        "expires_on",
        "certified_by",
        "reminded_at",
    ]
    list_filter = ["capability", "expires_on"]
    search_fields = ["person__username", "person__email", "person__last_name"]
    raw_id_fields = ["person", "certified_by"]
    readonly_fields = ["reminded_at"]
    date_hierarchy = "expires_on"

    def save_model(self, request, obj, form, change):
        # A new expiry is a renewal: the reminder goes out again before it.
        if "expires_on" in form.changed_data:
            obj.reminded_at = None
        if not change and obj.certified_by_id is None:
            obj.certified_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    list_display = ["machine", "starts_at", "ends_at", "producer", "booked_by", "status"]
    list_filter = ["machine", "status"]
    raw_id_fields = ["booked_by", "job"]
    date_hierarchy = "starts_at"
