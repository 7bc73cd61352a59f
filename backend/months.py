"""Months named in a query string (`?month=2025-04`), for the usage reports.

One rule for the API and the workbench: four-digit year, two-digit month, and a
year the ledger can plausibly hold, so that the month before and the month after
can always be worked out (the last representable month has no month after).
"""

import datetime
import re

MONTH_PATTERN = re.compile(r"([0-9]{4})-([0-9]{2})")
FIRST_YEAR = 2000
LAST_YEAR = 2999
MONTH_HELP = "Months are written like 2025-04"


def parse_month(value: str) -> datetime.date:
    """The first day of the month `YYYY-MM`; ValueError when it is not one the reports know."""
    match = MONTH_PATTERN.fullmatch(value)
    if not match:
        raise ValueError(f"{MONTH_HELP}.")
    year, month = int(match[1]), int(match[2])
    if not 1 <= month <= 12:
        raise ValueError(f"{MONTH_HELP}: there is no month {month:02d}.")
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"{MONTH_HELP}, from {FIRST_YEAR} to {LAST_YEAR}.")
    return datetime.date(year, month, 1)
