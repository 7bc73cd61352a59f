"""Writes to a product's design files: add a version, remove one.

The content is judged before anything is stored (`catalog.design_formats`), so a
refused upload leaves neither a file nor a row behind.
"""

import hashlib
import logging
import os
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils.text import get_valid_filename

from catalog.caching import catalog_changed
from catalog.design_formats import WORDS, kind_for_name, refuse, sniff_design
from catalog.models import DesignFile, Product, design_storage

logger = logging.getLogger(__name__)

NOTE_MAX = 240
NAME_MAX = 120


def clean_design_name(name: str) -> str:
    """The upload's name without folders or odd characters: "Frame v2.svg" -> "Frame_v2.svg"."""
    base = os.path.basename((name or "").replace("\\", "/")).strip()
    try:
        cleaned = get_valid_filename(base)
    except Exception:
        raise refuse("The file needs a name, such as frame.svg.") from None
    if len(cleaned) > NAME_MAX:
        stem, dot, extension = cleaned.rpartition(".")
        cleaned = f"{stem[: NAME_MAX - len(extension) - 1]}{dot}{extension}"
    return cleaned


def design_file_add(*, product: Product, upload, uploaded_by=None, note: str = "") -> DesignFile:
    """Check an uploaded design file and store it as the next version of its name.

    Refuses (ValidationError on `file` or `note`) a file over DESIGN_FILE_MAX_BYTES, a
    name that is not .svg/.dxf/.stl/.3mf/.pdf, content that is not what the name says,
    and an SVG that could run a script. Locks the product so two uploads of one name
    get two versions. Writes the file, then the row; the file is removed again if the
    row is not written.
    """
    limit = settings.DESIGN_FILE_MAX_BYTES
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ValidationError({"note": f"Keep the note to {NOTE_MAX} characters."})
    size = getattr(upload, "size", None)
    if size is None:
        raise refuse("The upload has no size; send the design as a file.")
    if size > limit:
        raise refuse(
            f"The file is {_megabytes(size)}; design files may be {_megabytes(limit)} at most."
        )
    name = clean_design_name(getattr(upload, "name", ""))
    claimed = kind_for_name(name)
    upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise refuse(f"The file is over {_megabytes(limit)}; design files may be no bigger.")
    kind = sniff_design(data)
    if kind != claimed:
        raise refuse(
            f"The file is named {name} but its content is {WORDS[kind]}, not {WORDS[claimed]}."
        )

    stored = None
    try:
        with transaction.atomic():
            Product.objects.select_for_update().values_list("pk", flat=True).get(pk=product.pk)
            last = DesignFile.objects.filter(product=product, name=name).aggregate(
                last=Max("version")
            )["last"]
            design = DesignFile(
                product=product,
                name=name,
                kind=kind,
                version=(last or 0) + 1,
                size=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
                note=note,
                uploaded_by=uploaded_by,
            )
            # A random stored name: two versions never overwrite each other.
            design.file.save(
                f"{secrets.token_hex(8)}.{name.rsplit('.', 1)[-1].lower()}",
                ContentFile(data),
                save=False,
            )
            stored = design.file.name
            design.save()
            catalog_changed()
    except BaseException:
        if stored:
            _delete(stored)
        raise
    return design


def design_file_remove(*, design_file: DesignFile) -> None:
    """Delete one version: the row now, its file once the deletion is committed."""
    name = design_file.file.name
    with transaction.atomic():
        design_file.delete()
        catalog_changed()
        transaction.on_commit(lambda: _delete(name), robust=True)


def _delete(name: str) -> None:
    try:
        design_storage.delete(name)
    except Exception:
        # A file left behind costs storage, not correctness.
        logger.exception("could not delete stored design file %s", name)


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"
