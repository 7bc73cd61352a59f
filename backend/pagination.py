import base64
import binascii
import datetime
import json
from decimal import Decimal

from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import InvalidPage, Paginator
from django.db.models import Q, QuerySet
from rest_framework import pagination
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from backend.parsers import plausible_offset

MAX_ID = 2**63 - 1


class PageNumberPagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 100


class KeysetPagination(PageNumberPagination):
    """Page numbers to jump, keyset cursors to walk.

    `?page=N` still works: an offset, cheap near the start. The `next` and
    `previous` links carry the sort key of the row they continue from instead,
    so a client walking the list pays the same for its 4,000th page as for its
    first, and never skips or repeats a row when rows are added meanwhile.

    Cursors need an ordering of non-null columns ending in the primary key, all
    in one direction (`-created_at, -id`); any other ordering (a ranked search)
    falls back to page-number links.
    """

    cursor_query_param = "cursor"

    def count_rows(self, queryset: QuerySet) -> int:
        return queryset.count()

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.page_size = self.get_page_size(request)
        self.keys = _keyset_fields(queryset)
        self._model = queryset.model
        self._unpaged = queryset
        self.count = None
        raw = request.query_params.get(self.cursor_query_param)
        if raw is None:
            return self._offset_page(queryset)
        if self.keys is None:
            message = "This ordering can't be walked by cursor; use page numbers."
            raise ValidationError({self.cursor_query_param: [message]})
        backwards, values = self._decode(raw)
        names = [name for name, _ in self.keys]
        descending = self.keys[0][1] != backwards
        ordering = [f"-{name}" if descending else name for name in names]
        rows = list(
            queryset.filter(_beyond(names, values, descending)).order_by(*ordering)[
                : self.page_size + 1
            ]
        )
        more = len(rows) > self.page_size
        rows = rows[: self.page_size]
        if backwards:
            rows.reverse()
        self.has_next, self.has_previous = (True, more) if backwards else (more, True)
        self.rows = rows
        return rows

    def _offset_page(self, queryset):
        paginator = Paginator(queryset, self.page_size)
        paginator.count = self.count_rows(queryset)  # the cached property, filled once
        number = self.request.query_params.get(self.page_query_param) or 1
        if number in self.last_page_strings:
            number = paginator.num_pages
        try:
            page = paginator.page(number)
        except InvalidPage as error:
            raise NotFound(f"Invalid page: {error}") from error
        if page.number > 1 and self.keys is not None:
            page.object_list = _deferred_join(queryset, page.start_index() - 1, self.page_size)
        self.page = page
        self.count = paginator.count
        self.rows = list(page)
        self.has_next = page.has_next()
        self.has_previous = page.has_previous()
        return self.rows

    def get_paginated_response(self, data):
        if self.count is None:
            self.count = self.count_rows(self._unpaged)
        return Response(
            {
                "count": self.count,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_next_link(self):
        if not self.has_next:
            return None
        if self.keys is None:
            return super().get_next_link()
        return self._link(self.rows[-1], backwards=False)

    def get_previous_link(self):
        if not self.has_previous:
            return None
        if self.keys is None:
            return super().get_previous_link()
        if not self.rows:
            return None
        return self._link(self.rows[0], backwards=True)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        parameters.append(
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Where to continue: copy it from a `next` or `previous` link.",
                "schema": {"type": "string"},
            }
        )
        return parameters

    # --- cursors ----------------------------------------------------------------------

    def _link(self, row, *, backwards: bool) -> str:
        values = [_plain(getattr(row, name)) for name, _ in self.keys]
        payload = json.dumps([int(backwards), values])
        token = base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")
        url = remove_query_param(self.request.build_absolute_uri(), self.page_query_param)
        return replace_query_param(url, self.cursor_query_param, token)

    def _decode(self, raw: str) -> tuple[bool, list]:
        invalid = ValidationError({self.cursor_query_param: ["Invalid cursor."]})
        try:
            padded = raw + "=" * (-len(raw) % 4)
            backwards, values = json.loads(base64.urlsafe_b64decode(padded.encode()))
            if backwards not in (0, 1) or len(values) != len(self.keys):
                raise invalid
            parsed = []
            for field, value in zip(self._fields(), values, strict=True):
                value = field.to_python(value)
                # The column's own limits (digits, length): a value the database
                # cannot hold must be a bad cursor, not a failed query.
                field.run_validators(value)
                parsed.append(value)
        except (ValueError, TypeError, binascii.Error, DjangoValidationError) as error:
            raise invalid from error
        if not all(plausible_offset(value) for value in parsed):
            raise invalid  # an offset no time zone has, which the database refuses
        if any(value is None or "\x00" in str(value) for value in parsed):
            raise invalid  # nor can PostgreSQL hold a NUL character in text
        if not 0 <= parsed[-1] <= MAX_ID:
            raise invalid
        return bool(backwards), parsed

    def _fields(self):
        model = self._model
        return [model._meta.get_field(name) for name, _ in self.keys]


def _plain(value):
    """A sort key as JSON can carry it exactly (datetimes keep their microseconds)."""
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _keyset_fields(queryset: QuerySet) -> list[tuple[str, bool]] | None:
    """[(field, descending)] when the ordering suits a cursor, else None."""
    ordering = list(queryset.query.order_by) or (
        list(queryset.model._meta.ordering) if queryset.query.default_ordering else []
    )
    keys = []
    for item in ordering:
        if not isinstance(item, str) or "__" in item:
            return None
        name = item.removeprefix("-")
        try:
            field = queryset.model._meta.get_field("id" if name == "pk" else name)
        except FieldDoesNotExist:
            return None  # an annotation, such as a search rank
        if not field.concrete or field.null or field.is_relation:
            return None
        keys.append((field.attname, item.startswith("-")))
    if not keys or keys[-1][0] != queryset.model._meta.pk.attname:
        return None
    if len({descending for _, descending in keys}) != 1:
        return None
    return keys


def _deferred_join(queryset: QuerySet, offset: int, limit: int) -> list:
    """The page's rows, skipping `offset` rows by id only.

    An `OFFSET` on the full query would build every skipped row, with its joins
    and subqueries, only to throw it away (seconds, 90,000 rows deep). Walking
    the sort index for ids first, then reading just the page, costs a fraction.
    """
    ids = list(queryset.values_list("pk", flat=True)[offset : offset + limit])
    rows = {row.pk: row for row in queryset.filter(pk__in=ids)}
    return [rows[pk] for pk in ids if pk in rows]


def _beyond(names: list[str], values: list, descending: bool) -> Q:
    """Rows after (names) = (values) in the given direction, as the index can read it."""
    op = "lt" if descending else "gt"
    after = Q()
    for index, name in enumerate(names):
        equal = dict(zip(names[:index], values[:index], strict=True))
        after |= Q(**equal, **{f"{name}__{op}": values[index]})
    # The redundant bound on the first column lets the database range-scan its index.
    return Q(**{f"{names[0]}__{op}e": values[0]}) & after
