"""A co-op's logo: judged and re-encoded by the same pipeline as product pictures.

The upload goes through `catalog.images.prepare_image` (JPEG, PNG or WebP by content,
10 MB and 40 megapixels at most, metadata dropped); the smallest WebP rendition,
at most 320 px wide, is what is stored: a logo is shown small.
"""

import logging
import secrets

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction

from catalog.images import prepare_image
from producers.models import Producer

logger = logging.getLogger(__name__)


def producer_logo_set(*, producer: Producer, upload) -> Producer:
    """Check, re-encode and store a new logo; the old file is deleted once that commits.

    Raises `ValidationError({"logo": ...})` for a refused picture; nothing is stored then.
    """
    try:
        prepared = prepare_image(upload)
    except ValidationError as error:
        raise ValidationError({"logo": error.message_dict.get("image", error.messages)}) from None
    data, _width, _height = prepared.renditions[0]
    old = producer.logo.name if producer.logo else ""
    storage = producer.logo.storage
    try:
        with transaction.atomic():
            # A random name: the uploader's file name says nothing we want to publish.
            producer.logo.save(f"logo-{secrets.token_hex(8)}.webp", ContentFile(data), save=False)
            producer.save(update_fields=["logo", "updated_at"])
    except BaseException:
        if producer.logo.name and producer.logo.name != old:
            _delete(storage, producer.logo.name)
        producer.logo.name = old
        raise
    if old:
        transaction.on_commit(lambda: _delete(storage, old), robust=True)
    return producer


def producer_logo_remove(*, producer: Producer) -> Producer:
    """Remove the logo; its file is deleted once that commits."""
    old = producer.logo.name if producer.logo else ""
    if not old:
        return producer
    storage = producer.logo.storage
    with transaction.atomic():
        producer.logo = ""
        producer.save(update_fields=["logo", "updated_at"])
        transaction.on_commit(lambda: _delete(storage, old), robust=True)
    return producer


def _delete(storage, name: str) -> None:
    try:
        storage.delete(name)
    except Exception:
        # A file left behind costs storage, not correctness: log it and go on.
        logger.exception("could not delete stored logo %s", name)
