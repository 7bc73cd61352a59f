"""A co-op's own data, for its managers to keep or take elsewhere, as one zip."""

from django.http import FileResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from frontend.workbench.common import coop_context, coop_view
from orders.exports import TABLES, producer_export_zip


@coop_view(managers_only=True)
@require_GET
def export(request, producer):
    context = coop_context(request, producer, "export", tables=["producer", *TABLES])
    return render(request, "frontend/workbench/coop_export.html", context)


@coop_view(managers_only=True)
@require_GET
def export_download(request, producer):
    name = f"{producer.slug}-export-{timezone.localdate():%Y-%m-%d}.zip"
    return FileResponse(
        producer_export_zip(producer),
        as_attachment=True,
        filename=name,
        content_type="application/zip",
    )
