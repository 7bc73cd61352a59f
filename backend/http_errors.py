"""Django's own error pages, answered as JSON `{code, detail}` under `/api/`.

DRF's exception handler covers errors raised inside API views; these cover what
happens before a view runs: a route that does not exist, a body over the size limit.
"""

from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.views import defaults

from backend.errors import not_a_field_error


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def not_found(request, exception=None):
    if _is_api(request):
        return JsonResponse({"code": "not_found", "detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)


def bad_request(request, exception=None):
    if isinstance(exception, RequestDataTooBig) and _is_api(request):
        return JsonResponse(
            {"code": "too_large", "detail": "The request body is too large."}, status=413
        )
    if _is_api(request):
        body = {
            "code": "bad_request",
            "detail": "Bad request.",
            "errors": not_a_field_error("Bad request."),
        }
        return JsonResponse(body, status=400)
    return defaults.bad_request(request, exception)
