"""Putting a product on sale and taking it off: publish, pause, back to draft.

Archiving is `catalog.services.products.product_archive` (allowed from any status).

Each change locks the product's row, re-reads its status under the lock and
refuses a change the status does not allow (`InvalidTransition`), so two
managers clicking at once cannot archive and publish the same product past each
other. Publishing also checks that the product is ready (`ProductNotReady`).
"""

from django.db import transaction
from django.utils import timezone

from backend.errors import InvalidTransition
from catalog.exceptions import ProductNotReady
from catalog.models import BillOfMaterialsLine, Product, ProductImage
from catalog.services.products import product_create, product_update

Status = Product.Status

# status -> the statuses it may move to.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.DRAFT: frozenset({Status.PUBLISHED, Status.ARCHIVED}),
    Status.PUBLISHED: frozenset({Status.PAUSED, Status.ARCHIVED}),
    Status.PAUSED: frozenset({Status.PUBLISHED, Status.ARCHIVED}),
    Status.ARCHIVED: frozenset({Status.DRAFT}),
}

_REFUSALS = {
    Status.PUBLISHED: "It is already on sale.",
    Status.PAUSED: "Only goods on sale can be paused.",
    Status.ARCHIVED: "It is already archived.",
    Status.DRAFT: "Only archived goods go back to draft.",
}


def product_allowed_statuses(product: Product) -> frozenset[str]:
    """The statuses a product may move to from where it is now."""
    return TRANSITIONS.get(product.status, frozenset())


def product_missing_for_sale(product: Product) -> list[str]:
    """What a product still needs before it can be published, in words for its co-op."""
    missing = []
    if product.price is None or product.price <= 0:
        missing.append("Give it a price above zero.")
    if not ProductImage.objects.filter(product_id=product.pk).exists():
        missing.append("Add at least one picture, so residents see what they buy.")
    if (
        product.fulfilment == Product.Fulfilment.MADE_TO_ORDER
        and not BillOfMaterialsLine.objects.filter(product_id=product.pk).exists()
    ):
        missing.append("List its materials: made-to-order goods need a bill of materials.")
    return missing


def _move(product: Product, to: str) -> Product:
    with transaction.atomic():
        locked = Product.objects.select_for_update(of=("self",)).get(pk=product.pk)
        if to not in product_allowed_statuses(locked):
            raise InvalidTransition(
                f"{locked.title} is {locked.get_status_display().lower()}: {_REFUSALS[to]}",
                status=locked.status,
            )
        if to == Status.PUBLISHED:
            missing = product_missing_for_sale(locked)
            if missing:
                raise ProductNotReady(
                    f"{locked.title} cannot go on sale yet. " + " ".join(missing),
                    missing=missing,
                )
            if locked.published_at is None:
                locked.published_at = timezone.now()
        locked.status = to
        locked.save(update_fields=["status", "published_at", "updated_at"])
    product.status, product.published_at = locked.status, locked.published_at
    return product


def product_publish(*, product: Product) -> Product:
    """Put a draft or paused product on sale. Raises `ProductNotReady` with what it lacks
    (a price, a picture, a bill of materials for made-to-order goods), or
    `InvalidTransition` from any other status."""
    return _move(product, Status.PUBLISHED)


def product_pause(*, product: Product) -> Product:
    """Take a product on sale off the storefront for now; `product_publish` puts it back."""
    return _move(product, Status.PAUSED)


def product_unarchive(*, product: Product) -> Product:
    """Bring an archived product back as a draft, to be checked and published again."""
    return _move(product, Status.DRAFT)


def product_status_change(*, product: Product, to: str) -> Product:
    """Move a product to `to` by the rules above; asking for the status it has changes nothing."""
    if to == product.status:
        return product
    return _move(product, to)


def product_create_by_member(*, producer, status: str | None = None, **fields) -> Product:
    """A product as a co-op member adds it: saved as a draft, then moved to the status asked
    for by the same rules as the workbench's buttons. All or nothing: a product that
    cannot go on sale yet (`ProductNotReady`) is not created at all."""
    with transaction.atomic():
        product = product_create(producer=producer, status=Status.DRAFT, **fields)
        if status is not None:
            product_status_change(product=product, to=status)
    return product


def product_update_by_member(*, product: Product, status: str | None = None, **fields) -> Product:
    """A member's edit: the fields, then the status by the rules above, all or nothing."""
    with transaction.atomic():
        product_update(product=product, **fields)
        if status is not None:
            product_status_change(product=product, to=status)
    return product
