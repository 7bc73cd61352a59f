from django import template
from django.core.files.storage import default_storage

register = template.Library()


@register.filter
def storage_url(name: str) -> str:
    """The public address of a stored file, whatever the storage (disk or object storage)."""
    return default_storage.url(name) if name else ""


@register.filter
def srcset(renditions) -> str:
    return ", ".join(f"{default_storage.url(r['name'])} {r['width']}w" for r in renditions or [])
