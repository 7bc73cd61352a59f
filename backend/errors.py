"""Domain errors and the one place that turns errors into HTTP answers.

Every error body has a machine-readable `code` and a human `detail`; a
validation error adds `errors` (field -> messages), a business-rule error adds
whatever a client needs to recover (available quantities, failing lines...).
"""

import logging
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DatabaseError, DataError, IntegrityError, InterfaceError, OperationalError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler

logger = logging.getLogger(__name__)


class DomainError(Exception):
    """A broken business rule. Answers 409 unless a subclass says otherwise."""

    code = "conflict"
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the current state."

    def __init__(self, detail: str | None = None, **extra: Any) -> None:
        self.detail = detail or self.default_detail
        self.extra = extra
        super().__init__(self.detail)

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "detail": self.detail, **self.extra}


class InvalidTransition(DomainError):
    code = "invalid_transition"
    default_detail = "That change of status is not allowed from the current status."


def exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, DomainError):
        return Response(exc.as_dict(), status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, DatabaseError):
        return _database_error(exc)

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        response.data = {
            "code": "invalid",
            "detail": "Some of the data sent is not valid.",
            "errors": errors,
        }
    elif isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        response.data = {
            "code": codes if isinstance(codes, str) else exc.default_code,
            "detail": str(exc.detail),
        }
        if response.status_code == status.HTTP_400_BAD_REQUEST:
            # A malformed body is no field's fault, but every 400 carries `errors`.
            response.data["errors"] = not_a_field_error(response.data["detail"])
    return response


def not_a_field_error(detail: str) -> dict[str, list[str]]:
    """The `errors` of a 400 whose cause is the whole request, not one field."""
    return {"non_field_errors": [detail]}


# --- Database errors ----------------------------------------------------------------------

# SQLSTATE classes that pass by themselves: serialization failures and deadlocks (40),
# insufficient resources such as a full disk (53), operator intervention such as a
# shutdown or a cancelled statement (57), a lost connection (08).
TRANSIENT_SQLSTATE_CLASSES = frozenset({"40", "53", "57", "08"})


def is_transient(exc: DatabaseError) -> bool:
    """Whether retrying the same request later may succeed.

    PostgreSQL says so by the SQLSTATE of the driver's error. Without one (SQLite,
    or a connection that broke before any answer), only an operational error (a
    locked database, a dropped connection) or a closed connection is transient.
    """
    if isinstance(exc, InterfaceError):
        return True
    sqlstate = getattr(exc.__cause__, "sqlstate", None)
    if sqlstate:
        return sqlstate[:2] in TRANSIENT_SQLSTATE_CLASSES
    return isinstance(exc, OperationalError)


def _database_error(exc: DatabaseError) -> Response | None:
    """503 for what passes; 409/400 for what the request itself caused; else a 500."""
    if is_transient(exc):
        # The transaction was rolled back, so nothing is half-written and the client may retry.
        logger.warning("database unavailable: %s", exc)
        return Response(
            {"code": "service_unavailable", "detail": "Please try again in a moment."},
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": "5"},
        )
    if isinstance(exc, IntegrityError):
        # A race lost against a constraint (two clients taking the same slug at once), or
        # input that slipped past validation: rolled back, the state is as before.
        logger.error("integrity error reached the handler: %s", exc)
        return Response(
            {"code": "conflict", "detail": "That clashed with a change made at the same time."},
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, DataError):
        # A value the column cannot hold got past the edge: a bug in validation to fix there.
        logger.error("data error reached the handler: %s", exc)
        detail = "A value sent is out of range or not allowed."
        return Response(
            {"code": "invalid_value", "detail": detail, "errors": not_a_field_error(detail)},
            status=status.HTTP_400_BAD_REQUEST,
        )
    return None  # a fault in the code, not in the request: DRF re-raises it (a 500, reported)
