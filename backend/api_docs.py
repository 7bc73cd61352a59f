"""The API's browsable documentation, served so it works under the site's
Content-Security-Policy: self-hosted assets, no inline script or style."""

from drf_spectacular.views import SpectacularSwaggerSplitView


class ApiDocsView(SpectacularSwaggerSplitView):
    """Swagger UI whose start-up script is fetched from this same URL (`?script`)."""

    template_name = "api_docs/swagger_ui.html"
