"""Writes to materials and stock locations (not to stock: see `stock`)."""

from django.core.exceptions import ValidationError
from django.db import transaction

from catalog.models import Material, StockLocation

FINISHED_GOODS_REFUSED = (
    "Finished goods are counted on their product, not added here as a material."
)


def _refuse_finished_goods(material: Material) -> None:
    """The finished-goods counts of products are made by the product services only."""
    if material.category == Material.Category.FINISHED_GOODS:
        raise ValidationError({"category": FINISHED_GOODS_REFUSED})


def material_create(**fields) -> Material:
    """Add a raw material. Raises ValidationError (nothing written) for bad fields or the
    finished-goods category."""
    with transaction.atomic():
        material = Material(**fields)
        _refuse_finished_goods(material)
        material.full_clean()
        material.save()
    return material


def material_update(*, material: Material, **fields) -> Material:
    """Change a material's description, cost or reorder point. The SKU and unit stay."""
    fields.pop("sku", None)
    with transaction.atomic():
        for name, value in fields.items():
            setattr(material, name, value)
        _refuse_finished_goods(material)
        material.full_clean()
        material.save()
    return material


def location_create(*, producer, code: str, name: str, shared: bool = False) -> StockLocation:
    with transaction.atomic():
        location = StockLocation(producer=producer, code=code, name=name, shared=shared)
        location.full_clean()
        location.save()
    return location
