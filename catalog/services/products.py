"""Writes to products, their bills of materials and their finished-goods stock."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from catalog.caching import catalog_changed
from catalog.models import (
    BillOfMaterialsLine,
    Material,
    Product,
    StockLocation,
    Unit,
    Variant,
)
from catalog.services.offcuts import OffcutFit, offcut_fit_clean
from catalog.services.stock import (
    clean_quantity,
    stock_adjust_to_count,
    stock_receive,
)
from producers.models import Capability, Producer

# The fields product_create and product_update take, in the order the API lists them.
PRODUCT_WRITE_FIELDS = (
    "title",
    "slug",
    "description",
    "category",
    "price",
    "status",
    "fulfilment",
    "lead_time_days",
    "open_design",
    "machine_minutes",
    "licence",
)
PRODUCT_FIELDS = frozenset(PRODUCT_WRITE_FIELDS)


def _unique_slug(title: str, *, exclude_pk: int | None = None) -> str:
    base = slugify(title)[:170] or "product"
    slug, n = base, 2
    taken = Product.objects.exclude(pk=exclude_pk) if exclude_pk else Product.objects.all()
    while taken.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def search_text_for(product: Product) -> str:
    parts = [product.title, product.description]
    if product.category_id:
        parts.append(product.category.name)
    parts.append(product.producer.name)
    return "\n".join(part for part in parts if part)


def finished_goods_location(producer: Producer) -> StockLocation:
    """The shelf where a producer's ready-made goods are counted."""
    location, _ = StockLocation.objects.get_or_create(
        code=f"goods-{producer.pk}",
        defaults={"producer": producer, "name": "Finished goods", "shared": False},
    )
    return location


def _ensure_stock_item(product: Product) -> None:
    if product.fulfilment != Product.Fulfilment.STOCK or product.stock_item_id:
        return
    product.stock_item = Material.objects.create(
        sku=f"FG-{product.pk}",
        name=f"{product.title} (finished goods)",
        unit=Unit.EACH,
        category=Material.Category.FINISHED_GOODS,
    )
    product.save(update_fields=["stock_item", "updated_at"])


def _save(product: Product, capabilities: list[Capability] | None) -> Product:
    if product.status == Product.Status.PUBLISHED and product.published_at is None:
        product.published_at = timezone.now()
    product.search_text = search_text_for(product)
    product.full_clean()
    product.save()
    if capabilities is not None:
        product.required_capabilities.set(capabilities)
    _ensure_stock_item(product)
    return product


def product_sync(*, product: Product) -> Product:
    """Bring derived fields up to date after an edit made elsewhere (the admin)."""
    with transaction.atomic():
        if product.status == Product.Status.PUBLISHED and product.published_at is None:
            product.published_at = timezone.now()
        product.search_text = search_text_for(product)
        product.save(update_fields=["search_text", "published_at", "updated_at"])
        _ensure_stock_item(product)
    return product


def product_create(
    *,
    producer: Producer,
    title: str,
    price: Decimal,
    required_capabilities: list[Capability] | None = None,
    **fields,
) -> Product:
    """Create a product; a `stock` product gets its finished-goods count in the ledger."""
    unknown = set(fields) - PRODUCT_FIELDS
    if unknown:
        raise TypeError(f"unknown product fields: {sorted(unknown)}")
    with transaction.atomic():
        product = Product(producer=producer, title=title, price=price, **fields)
        if not product.slug:
            product.slug = _unique_slug(title)
        return _save(product, required_capabilities)


def product_update(
    *,
    product: Product,
    required_capabilities: list[Capability] | None = None,
    **fields,
) -> Product:
    unknown = set(fields) - PRODUCT_FIELDS - {"producer"}
    if unknown:
        raise TypeError(f"unknown product fields: {sorted(unknown)}")
    with transaction.atomic():
        for name, value in fields.items():
            setattr(product, name, value)
        return _save(product, required_capabilities)


def product_archive(*, product: Product) -> Product:
    """Take a product off sale. Its history (orders, ledger) stays."""
    with transaction.atomic():
        product.status = Product.Status.ARCHIVED
        product.save(update_fields=["status", "updated_at"])
    return product


def bom_replace(*, product: Product, lines: list[tuple]) -> list:
    """Set the whole bill of materials at once; one line per material.

    Each line is `(material, quantity)` or `(material, quantity, OffcutFit | None)`: the
    smallest offcut the line may be cut from, checked against the material.
    """
    seen, fits = set(), []
    for material, _, *fit in lines:
        if material.pk in seen:
            raise ValidationError({"lines": f"{material.sku} is listed twice."})
        if material.category == Material.Category.FINISHED_GOODS:
            raise ValidationError({"lines": f"{material.sku} is not a material."})
        seen.add(material.pk)
        fit = fit[0] if fit else None
        fits.append(offcut_fit_clean(material, **fit.__dict__) if fit else None)
    with transaction.atomic():
        product.bom_lines.all().delete()
        created = BillOfMaterialsLine.objects.bulk_create(
            [
                BillOfMaterialsLine(
                    product=product,
                    material=material,
                    quantity=clean_quantity(material, qty),
                    **(fit.as_fields() if fit else {}),
                )
                for (material, qty, *_), fit in zip(lines, fits, strict=True)
            ]
        )
    catalog_changed()  # bulk inserts send no signals; lists show made-to-order availability
    return created


def _lock_bom(product: Product) -> list[BillOfMaterialsLine]:
    Product.objects.select_for_update(of=("self",)).values_list("pk", flat=True).get(pk=product.pk)
    return list(BillOfMaterialsLine.objects.filter(product=product).select_related("material"))


def bom_line_put(
    *, product: Product, material: Material, quantity, offcut: OffcutFit | None = None
) -> list:
    """Add a material to the bill of materials, or change its quantity and the smallest
    offcut it may be cut from; the other lines stay.

    Locks the product's row so that two edits at once cannot lose each other's lines,
    then saves the whole bill through `bom_replace` (same checks, same errors).
    """
    with transaction.atomic():
        kept = [
            (line.material, line.quantity, OffcutFit.of(line))
            for line in _lock_bom(product)
            if line.material_id != material.pk
        ]
        return bom_replace(product=product, lines=[*kept, (material, quantity, offcut)])


def bom_line_remove(*, product: Product, line_id: int) -> BillOfMaterialsLine:
    """Take one line off the bill of materials (locking as `bom_line_put`); returns it.

    Raises `BillOfMaterialsLine.DoesNotExist` if the product has no such line.
    """
    with transaction.atomic():
        lines = _lock_bom(product)
        removed = next((line for line in lines if line.pk == line_id), None)
        if removed is None:
            raise BillOfMaterialsLine.DoesNotExist(f"no line {line_id} on {product.slug}")
        bom_replace(
            product=product,
            lines=[
                (line.material, line.quantity, OffcutFit.of(line))
                for line in lines
                if line.pk != line_id
            ],
        )
    return removed


def _ready_made(product: Product) -> None:
    if product.fulfilment != Product.Fulfilment.STOCK or product.stock_item is None:
        raise ValidationError({"product": "Only ready-made (stock) goods keep a stock count."})


def _stock_item(product: Product, variant: Variant | None = None) -> Material:
    _ready_made(product)
    if variant is not None:
        if variant.product_id != product.pk or not variant.active:
            raise ValidationError({"variant": "That combination is not offered for this product."})
        return variant.stock_item
    # Goods with options are counted per combination, never as a whole.
    if product.variants.filter(active=True).exists():
        raise ValidationError({"variant": "Choose which size or colour you are counting."})
    return product.stock_item


def product_stock_receive(
    *, product: Product, quantity, by, reason: str, variant: Variant | None = None
):
    """Record finished goods made and put on the producer's shelf (of one combination, for
    goods with options: ValidationError on `variant` without one)."""
    return stock_receive(
        material=_stock_item(product, variant),
        location=finished_goods_location(product.producer),
        quantity=quantity,
        by=by,
        reason=reason,
        producer=product.producer,
    )


def product_stock_count(
    *, product: Product, counted, by, reason: str, variant: Variant | None = None
):
    """Record a count of finished goods (of one combination, for goods with options); the
    difference goes in the ledger."""
    return stock_adjust_to_count(
        material=_stock_item(product, variant),
        location=finished_goods_location(product.producer),
        counted=counted,
        by=by,
        reason=reason,
    )


def product_set_low_stock_level(*, product: Product, level) -> Product:
    """Set the free count at or below which a ready-made product is flagged as running low.

    Raises ValidationError (on `low_stock_level`) for a made-to-order product or a level
    that is not a whole number from 0 to 100,000.
    """
    _ready_made(product)
    try:
        value = int(str(level))
    except (TypeError, ValueError):
        raise ValidationError({"low_stock_level": "Enter a whole number."}) from None
    if not 0 <= value <= 100_000:
        raise ValidationError({"low_stock_level": "Enter a whole number from 0 to 100,000."})
    with transaction.atomic():
        Product.objects.filter(pk=product.pk).update(
            low_stock_level=value, updated_at=timezone.now()
        )
        product.low_stock_level = value
    return product
