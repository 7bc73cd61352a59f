"""When a machine can be used: its weekly opening hours, less its out-of-service periods.

Opening hours are wall-clock times in the network's time zone (`TIME_ZONE`, America/
Chicago by default). Each day's window is made aware in that zone before it becomes
UTC, so 9 am stays 9 am on both sides of a daylight-saving change.
"""

import datetime
from collections.abc import Iterable

from django.utils import timezone

Window = tuple[datetime.datetime, datetime.datetime]


def _days(start: datetime.datetime, end: datetime.datetime) -> Iterable[datetime.date]:
    zone = timezone.get_current_timezone()
    day = timezone.localtime(start, zone).date() - datetime.timedelta(days=1)
    last = timezone.localtime(end, zone).date()
    while day <= last:
        yield day
        day += datetime.timedelta(days=1)


def weekly_windows(hours, start: datetime.datetime, end: datetime.datetime) -> list[Window]:
    """The open windows (aware datetimes) that `hours` (OpeningHours rows) give in [start, end)."""
    zone = timezone.get_current_timezone()
    by_weekday: dict[int, list] = {}
    for row in hours:
        by_weekday.setdefault(row.weekday, []).append(row)
    windows = []
    for day in _days(start, end):
        for row in by_weekday.get(day.weekday(), []):
            opens = timezone.make_aware(datetime.datetime.combine(day, row.opens), zone)
            closes = timezone.make_aware(datetime.datetime.combine(day, row.closes), zone)
            opens, closes = max(opens, start), min(closes, end)
            if opens < closes:
                windows.append((opens, closes))
    return _merged(sorted(windows))


def _merged(windows: list[Window]) -> list[Window]:
    merged: list[Window] = []
    for opens, closes in windows:
        if merged and opens <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], closes))
        else:
            merged.append((opens, closes))
    return merged


def subtract(windows: list[Window], taken: Iterable[Window]) -> list[Window]:
    """`windows` less every interval in `taken` (both half-open, [start, end))."""
    free = list(windows)
    for t_start, t_end in sorted(taken):
        left = []
        for w_start, w_end in free:
            if t_end <= w_start or t_start >= w_end:
                left.append((w_start, w_end))
                continue
            if w_start < t_start:
                left.append((w_start, t_start))
            if t_end < w_end:
                left.append((t_end, w_end))
        free = left
    return free


def covers(windows: list[Window], start: datetime.datetime, end: datetime.datetime) -> bool:
    """Whether one window holds all of [start, end)."""
    return any(w_start <= start and end <= w_end for w_start, w_end in windows)


def minutes(windows: Iterable[Window]) -> int:
    return int(sum((end - start).total_seconds() for start, end in windows) // 60)


def duration_in_words(total_minutes: int) -> str:
    """2 hours, 1 hour 30 minutes, 45 minutes."""
    hours, rest = divmod(total_minutes, 60)
    parts = [f"{hours} hour{'s' if hours != 1 else ''}"] if hours else []
    if rest or not parts:
        parts.append(f"{rest} minute{'s' if rest != 1 else ''}")
    return " ".join(parts)
