"""Writes to product pictures: the files go through Django's storage API, never local paths.

Every picture is re-encoded by `catalog.images.prepare_image` before anything is
stored, so a refused upload leaves neither a file nor a row behind.
"""

import logging
import secrets

from django.core.files.base import ContentFile
from django.core.files.storage import Storage, default_storage
from django.db import transaction
from django.db.models import Max

from catalog.images import PreparedImage, prepare_image
from catalog.models import Product, ProductImage

logger = logging.getLogger(__name__)


def product_image_add(
    *, product: Product, upload, alt_text: str, position: int | None = None
) -> ProductImage:
    """Check, re-encode and store an uploaded picture. `position=None` adds it at the end."""
    prepared = prepare_image(upload)
    return product_image_store(
        product=product, prepared=prepared, alt_text=alt_text, position=position
    )


def product_image_store(
    *, product: Product, prepared: PreparedImage, alt_text: str, position: int | None = None
) -> ProductImage:
    """Store a picture `prepare_image` has already accepted (the admin prepares it in its form)."""
    image = ProductImage(product=product, alt_text=alt_text.strip(), position=position or 0)
    # Refuse a bad alt text or position before any file is written.
    image.full_clean(exclude=["image"], validate_unique=False, validate_constraints=False)

    # A random stem: the uploader's file name says nothing we want to publish.
    stem = secrets.token_hex(8)
    saved: list[tuple[Storage, str]] = []
    try:
        with transaction.atomic():
            image.image.save(f"{stem}.{prepared.extension}", ContentFile(prepared.main), save=False)
            saved.append((image.image.storage, image.image.name))
            # The field only measures named files; the sizes are known anyway.
            image.width, image.height = prepared.width, prepared.height
            renditions = []
            for data, width, height in prepared.renditions:
                name = default_storage.save(
                    f"products/{product.pk}/{stem}-{width}w.webp", ContentFile(data)
                )
                saved.append((default_storage, name))
                renditions.append(
                    {"name": name, "width": width, "height": height, "format": "webp"}
                )
            image.renditions = renditions
            # Lock the product so that two uploads at once do not take the same place.
            Product.objects.select_for_update().values_list("pk", flat=True).get(pk=product.pk)
            if position is None:
                image.position = _next_position(product)
            image.save()
    except BaseException:
        _delete_files(saved)
        raise
    return image


def product_image_update(
    *, image: ProductImage, alt_text: str | None = None, position: int | None = None
) -> ProductImage:
    """Change what the picture is said to show, or where it comes in the product's gallery."""
    changed = []
    if alt_text is not None:
        image.alt_text = alt_text.strip()
        changed.append("alt_text")
    if position is not None:
        image.position = position
        changed.append("position")
    if not changed:
        return image
    image.full_clean(exclude=["image"], validate_unique=False, validate_constraints=False)
    with transaction.atomic():
        image.save(update_fields=changed)
    return image


def product_image_delete(*, image: ProductImage) -> None:
    """Delete the row now and its files once the deletion is committed.

    Deleting files first would leave a row pointing at nothing if the
    transaction then rolled back.
    """
    files = stored_files(image)
    with transaction.atomic():
        image.delete()
        transaction.on_commit(lambda: _delete_files(files), robust=True)


def stored_files(image: ProductImage) -> list[tuple[Storage, str]]:
    """Every file a picture uses, with its storage: the main file and its renditions."""
    files = [(image.image.storage, image.image.name)] if image.image else []
    return files + [(default_storage, r["name"]) for r in image.renditions or []]


def rendition_urls(image: ProductImage) -> list[dict]:
    return [
        {"url": default_storage.url(r["name"]), "width": r["width"], "height": r["height"]}
        for r in image.renditions or []
    ]


def _next_position(product: Product) -> int:
    last = ProductImage.objects.filter(product=product).aggregate(last=Max("position"))["last"]
    return 0 if last is None else last + 1


def _delete_files(files: list[tuple[Storage, str]]) -> None:
    for storage, name in files:
        try:
            storage.delete(name)
        except Exception:
            # A file left behind costs storage, not correctness: log it and go on.
            logger.exception("could not delete stored picture %s", name)


def product_image_move(*, image: ProductImage, by: int) -> ProductImage:
    """Move a picture `by` places in its product's gallery (-1 earlier, +1 later).

    Locks the product so that moves and uploads happen one at a time, numbers the
    gallery 0, 1, 2… in its current order and swaps the picture with its neighbour.
    At either end it stays where it is.
    """
    with transaction.atomic():
        Product.objects.select_for_update().values_list("pk", flat=True).get(pk=image.product_id)
        gallery = list(ProductImage.objects.filter(product_id=image.product_id))
        index = next(i for i, other in enumerate(gallery) if other.pk == image.pk)
        target = index + by
        if 0 <= target < len(gallery):
            gallery[index], gallery[target] = gallery[target], gallery[index]
        for position, picture in enumerate(gallery):
            if picture.position != position:
                picture.position = position
                picture.save(update_fields=["position"])
            if picture.pk == image.pk:
                image.position = position
    return image
