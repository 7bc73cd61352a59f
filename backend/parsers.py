"""The API's JSON parser: refuses what no client of ours sends and the code below cannot take.

A body nested thousands deep overflows the parser's stack (a 500); one nested
merely deep makes every recursive step after it slow. A NUL character can be held
by no text column in PostgreSQL. Each is refused here as a 400 before any view runs.
"""

import datetime

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

# Our deepest body (an order: body → lines → line → field) is four levels; 32 is ample.
MAX_DEPTH = 32


# Real time zones lie within ±14:00 of UTC; PostgreSQL refuses a timestamp beyond ±15:59.
MOST_UTC_OFFSET = datetime.timedelta(hours=14)


def plausible_offset(value) -> bool:
    """False for a datetime whose time-zone offset no real place has."""
    offset = value.utcoffset() if isinstance(value, datetime.datetime) else None
    return offset is None or abs(offset) <= MOST_UTC_OFFSET


class GuardedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(f"JSON parse error - nested deeper than {MAX_DEPTH} levels.") from None
        check_json(data)
        return data


def check_json(data) -> None:
    """Raise ParseError for nesting beyond MAX_DEPTH or a NUL character in any string."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            if "\x00" in value:
                raise ParseError("JSON parse error - text may not contain NUL characters.")
            continue
        if not isinstance(value, dict | list):
            continue
        if depth > MAX_DEPTH:
            raise ParseError(f"JSON parse error - nested deeper than {MAX_DEPTH} levels.")
        items = [*value.keys(), *value.values()] if isinstance(value, dict) else value
        stack.extend((item, depth + 1) for item in items)
