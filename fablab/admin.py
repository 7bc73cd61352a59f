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
    list_display = ["person", "capability", "certified_on", "expires_on", "certified_by"]
    list_filter = ["capability"]
    search_fields = ["person__username", "person__email"]
    raw_id_fields = ["person", "certified_by"]


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    list_display = ["machine", "starts_at", "ends_at", "producer", "booked_by", "status"]
    list_filter = ["machine", "status"]
    raw_id_fields = ["booked_by", "job"]
    date_hierarchy = "starts_at"
