"""Design file downloads: a co-op's signed job link, and the public files of open licences.

Every file goes out as an attachment that the browser may not sniff or run: an
SVG is never shown as a page of this site, whatever it holds.
"""

from django.http import FileResponse, Http404
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from catalog.design_selectors import public_design_file
from catalog.models import DesignFile
from orders.design_links import design_link_open
from orders.exceptions import DesignLinkExpired, DesignLinkInvalid, DesignLinkRefused

SANDBOX = "sandbox; default-src 'none'"


def design_response(design: DesignFile) -> FileResponse:
    """The file as a download, with headers that keep it from running as a page."""
    response = FileResponse(
        design.file.open("rb"),
        as_attachment=True,
        filename=design.name,
        content_type=design.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = SANDBOX
    response["Cache-Control"] = "private, no-store"
    return response


@require_http_methods(["GET", "HEAD"])
def design_download(request, token: str):
    """A co-op's link from its job card or webhook: checked, then the file."""
    try:
        design = design_link_open(token=token, user=request.user)
    except (DesignLinkInvalid, DesignLinkExpired, DesignLinkRefused) as error:
        return render(
            request,
            "frontend/design_link_refused.html",
            {"error": error, "expired": isinstance(error, DesignLinkExpired)},
            status=error.status_code,
        )
    return design_response(design)


@require_http_methods(["GET", "HEAD"])
def public_design_download(request, slug: str, pk: int):
    """A design file from the product page, when the product's licence shares it."""
    design = public_design_file(slug=slug, pk=pk)
    if design is None:
        raise Http404("No such design file.")
    return design_response(design)
