import datetime

from django.utils import timezone


def days_from_today(days: int) -> datetime.date:
    """The day `days` from today in the network's time zone (before today when negative)."""
    return timezone.localdate() + datetime.timedelta(days=days)
