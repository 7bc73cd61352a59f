"""The project's URLs plus the uploaded pictures, for `make lighthouse` only."""

from django.conf import settings
from django.urls import re_path
from django.views.static import serve

from backend.urls import urlpatterns as project_urlpatterns

media_prefix = settings.MEDIA_URL.strip("/")

urlpatterns = [
    *project_urlpatterns,
    re_path(rf"^{media_prefix}/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}),
]
