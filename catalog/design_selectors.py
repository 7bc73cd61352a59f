"""Reads of design files: the current version of each, and which of them are public."""

from collections import defaultdict

from django.db.models import QuerySet

from catalog.models import DesignFile, Product, licence_terms


def current_versions(files) -> list[DesignFile]:
    """The newest version of each name, in name order, from files ordered name, -version."""
    seen: set[tuple[int, str]] = set()
    newest = []
    for design in files:
        key = (design.product_id, design.name)
        if key not in seen:
            seen.add(key)
            newest.append(design)
    return newest


def design_files_of(product: Product) -> QuerySet[DesignFile]:
    """Every version of every design file of a product, newest version of each name first."""
    return DesignFile.objects.filter(product=product).select_related("uploaded_by")


def current_design_files(product_ids) -> dict[int, list[DesignFile]]:
    """product id -> the newest version of each of its design files (one query)."""
    files = DesignFile.objects.filter(product_id__in=set(product_ids)).order_by(
        "product_id", "name", "-version"
    )
    by_product: dict[int, list[DesignFile]] = defaultdict(list)
    for design in current_versions(files):
        by_product[design.product_id].append(design)
    return dict(by_product)


def files_are_public(product: Product) -> bool:
    """Anyone may download the files of a published product under an open licence."""
    return product.is_published and licence_terms(product.licence).public


def public_design_files(product: Product) -> list[DesignFile]:
    """The files the product page offers: none unless the licence lets them be shared."""
    if not files_are_public(product):
        return []
    return current_design_files([product.pk]).get(product.pk, [])


def public_design_file(*, slug: str, pk: int) -> DesignFile | None:
    """One version of a published product's design file, if its licence makes it public."""
    design = DesignFile.objects.select_related("product").filter(product__slug=slug, pk=pk).first()
    if design is None or not files_are_public(design.product):
        return None
    return design
