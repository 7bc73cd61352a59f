"""Refuse at the door what no page or endpoint can take.

A NUL character cannot be stored or looked up in PostgreSQL text: one in a path,
a query string or a form body would otherwise reach a query and fail as a
database error (a 500) instead of a 400. JSON bodies are checked by
`backend.parsers.GuardedJSONParser`; multipart bodies by the serializers' fields.
"""

from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponseBadRequest, JsonResponse
from django.http.request import RawPostDataException

from backend.errors import not_a_field_error

NUL_MESSAGE = "The request contains a NUL character, which nothing here accepts."


class RejectNulMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if carries_nul(request):
            if request.path_info.startswith("/api/"):
                body = {
                    "code": "invalid",
                    "detail": NUL_MESSAGE,
                    "errors": not_a_field_error(NUL_MESSAGE),
                }
                return JsonResponse(body, status=400)
            return HttpResponseBadRequest(NUL_MESSAGE, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


def carries_nul(request) -> bool:
    if "\x00" in request.path_info:
        return True
    query = request.META.get("QUERY_STRING", "")
    if "%00" in query or "\x00" in query:
        return True
    if request.content_type == "application/x-www-form-urlencoded":
        try:
            body = request.body
        except (RequestDataTooBig, RawPostDataException):
            return False  # too big is refused by whoever reads it next
        return b"%00" in body or b"\x00" in body
    return False
