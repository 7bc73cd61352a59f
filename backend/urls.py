from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from backend.api_docs import ApiDocsView
from backend.health import healthz
from backend.sign_in import AdminSignInForm, admin_sign_in

admin.site.site_header = "Community Production back office"
admin.site.site_title = "Community Production"
admin.site.login_form = AdminSignInForm

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    # Before the admin's own URLs, so the limited view answers for its sign-in page.
    path("admin/login/", admin_sign_in),
    path("admin/", admin.site.urls),
    path("api/v1/", include("backend.api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", ApiDocsView.as_view(url_name="schema"), name="api-docs"),
    path("workbench/", include("frontend.workbench_urls")),
    path("", include("frontend.urls")),
]

# Under /api/ these answer JSON, as the API's own errors do.
handler400 = "backend.http_errors.bad_request"
handler404 = "backend.http_errors.not_found"

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
