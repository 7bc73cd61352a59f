"""The project's URLs plus `bench/baseline/`, the ceiling every endpoint is compared with.

The baseline answers the same JSON as a page of 24 products (captured from the
API before the runs), from the same process, settings and middleware, without
touching the database.
"""

import functools
import json
import os
from pathlib import Path

from django.http import JsonResponse
from django.urls import path

from backend.urls import urlpatterns as project_urlpatterns


@functools.cache
def _payload() -> dict:
    source = os.environ.get("BENCH_BASELINE_PAYLOAD", "")
    if not source:
        return {}
    return json.loads(Path(source).read_text())


def baseline(request):
    return JsonResponse(_payload())


urlpatterns = [path("bench/baseline/", baseline, name="bench-baseline"), *project_urlpatterns]
