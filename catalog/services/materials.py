"""Writes to materials and stock locations (not to stock: see `stock`)."""

from django.db import transaction

from catalog.models import Material, StockLocation


def material_create(**fields) -> Material:
    with transaction.atomic():
        material = Material(**fields)
        material.full_clean()
        material.save()
    return material


def material_update(*, material: Material, **fields) -> Material:
    """Change a material's description, cost or reorder point. The SKU and unit stay."""
    fields.pop("sku", None)
    with transaction.atomic():
        for name, value in fields.items():
            setattr(material, name, value)
        material.full_clean()
        material.save()
    return material


def location_create(*, producer, code: str, name: str, shared: bool = False) -> StockLocation:
    with transaction.atomic():
        location = StockLocation(producer=producer, code=code, name=name, shared=shared)
        location.full_clean()
        location.save()
    return location
