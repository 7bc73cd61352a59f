"""The Fab Lab's people and machines: who is certified for what, which machine gives
which capability and when it is open, and who has booked it.

Times are stored in UTC and shown in the network's time zone (`TIME_ZONE`); opening
hours are wall-clock times in that zone, so a booking across a daylight-saving change
is checked against the hours the clock on the wall shows that day.
"""

import datetime
import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from producers.models import Capability, Producer

MONEY = {"max_digits": 12, "decimal_places": 2}


def new_calendar_token() -> str:
    return secrets.token_urlsafe(24)


class CertificationQuerySet(models.QuerySet):
    def current(self, on: datetime.date | None = None):
        """Certifications that hold on `on` (today by default): not yet expired."""
        return self.filter(expires_on__gte=on or timezone.localdate())


class Certification(models.Model):
    """A person trained and signed off by a Fab Lab technician for one capability."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="certifications"
    )
    capability = models.ForeignKey(
        Capability, on_delete=models.PROTECT, related_name="certifications"
    )
    certified_on = models.DateField(default=timezone.localdate)
    expires_on = models.DateField()
    certified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.CharField(max_length=240, blank=True)
    # When the reminder before expiry went out; cleared when the certification is renewed.
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CertificationQuerySet.as_manager()

    class Meta:
        ordering = ["expires_on", "pk"]
        constraints = [
            # One certification per person and capability: renewing moves its expiry.
            models.UniqueConstraint(
                fields=["person", "capability"], name="certification_one_per_capability"
            ),
            models.CheckConstraint(
                condition=Q(expires_on__gt=F("certified_on")),
                name="certification_expires_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.capability} until {self.expires_on}"

    def is_current(self, on: datetime.date | None = None) -> bool:
        return self.expires_on >= (on or timezone.localdate())


class Machine(models.Model):
    """A machine that gives a capability, kept by a producer (the Fab Lab or a co-op)."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=80, unique=True)
    capability = models.ForeignKey(Capability, on_delete=models.PROTECT, related_name="machines")
    # The Fab Lab's machines are open to every co-op; a co-op's own only to its members.
    keeper = models.ForeignKey(Producer, on_delete=models.PROTECT, related_name="machines")
    description = models.CharField(max_length=240, blank=True)
    rate_per_hour = models.DecimalField(
        **MONEY, default=0, validators=[MinValueValidator(0)], help_text="Cost per machine hour."
    )
    max_booking_minutes = models.PositiveIntegerField(
        default=240,
        validators=[MinValueValidator(15), MaxValueValidator(24 * 60)],
        help_text="The longest one booking may be.",
    )
    active = models.BooleanField(default=True)
    calendar_token = models.CharField(
        max_length=64, unique=True, default=new_calendar_token, editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rate_per_hour__gte=0), name="machine_rate_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(max_booking_minutes__gte=15, max_booking_minutes__lte=24 * 60),
                name="machine_max_booking_in_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class OpeningHours(models.Model):
    """When a machine may be booked on one day of the week, in the network's time zone."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, "Monday"
        TUESDAY = 1, "Tuesday"
        WEDNESDAY = 2, "Wednesday"
        THURSDAY = 3, "Thursday"
        FRIDAY = 4, "Friday"
        SATURDAY = 5, "Saturday"
        SUNDAY = 6, "Sunday"

    machine = models.ForeignKey(Machine, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    opens = models.TimeField()
    closes = models.TimeField()

    class Meta:
        ordering = ["machine", "weekday", "opens"]
        verbose_name_plural = "opening hours"
        constraints = [
            models.CheckConstraint(
                condition=Q(closes__gt=F("opens")), name="hours_close_after_open"
            ),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="hours_weekday_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"


class OutOfService(models.Model):
    """A time a machine cannot be used: repair, maintenance, a class."""

    machine = models.ForeignKey(Machine, on_delete=models.CASCADE, related_name="outages")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    reason = models.CharField(max_length=240)

    class Meta:
        ordering = ["starts_at"]
        verbose_name_plural = "out-of-service periods"
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="outage_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.machine}: {self.reason}"


class BookingQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=Booking.Status.BOOKED)

    def overlapping(self, starts_at: datetime.datetime, ends_at: datetime.datetime):
        return self.filter(starts_at__lt=ends_at, ends_at__gt=starts_at)


class Booking(models.Model):
    """Machine time held by a co-op member, for a job or on its own.

    No two active bookings of one machine overlap: on PostgreSQL an exclusion
    constraint says so (migration 0002); on SQLite the booking services check under
    a write lock that serialises them.
    """

    class Status(models.TextChoices):
        BOOKED = "booked", "Booked"
        CANCELLED = "cancelled", "Cancelled"

    machine = models.ForeignKey(Machine, on_delete=models.PROTECT, related_name="bookings")
    producer = models.ForeignKey(Producer, on_delete=models.PROTECT, related_name="bookings")
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="machine_bookings"
    )
    job = models.ForeignKey(
        "orders.Job",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="bookings",
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    note = models.CharField(max_length=240, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.BOOKED)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = BookingQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "pk"]
        indexes = [models.Index(fields=["machine", "starts_at"], name="booking_machine_start")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="booking_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["booked", "cancelled"]), name="booking_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.machine} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


class CoopCalendar(models.Model):
    """The secret behind a co-op's calendar feed of its bookings; resetting replaces it."""

    producer = models.OneToOneField(Producer, on_delete=models.CASCADE, related_name="calendar")
    token = models.CharField(max_length=64, unique=True, default=new_calendar_token)

    def __str__(self) -> str:
        return f"Calendar of {self.producer}"
