"""The demo catalog: what the Fab Lab and the co-ops sell, drawn and described.

Used by `manage.py seed_demo`. Products are made through the product services; a
product whose title already exists is left alone.
"""

import json
from decimal import Decimal
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile

from catalog.models import Category, Material, Product
from catalog.services.images import product_image_add
from catalog.services.products import bom_replace, product_create, product_stock_receive
from demo.images import draw_product
from producers.models import Capability, Producer

CATEGORIES = [
    ("kitchen", "Kitchen and table"),
    ("home", "Home and furniture"),
    ("signs", "Signs and lettering"),
    ("bags", "Bags and textiles"),
    ("garden", "Garden"),
    ("parts", "Parts and repairs"),
    ("kids", "Kids and learning"),
]

# Each product: producer, title, category, price, fulfilment, lead days, stock on
# hand, picture, bill of materials [(sku, per unit)], open design capabilities
# (any co-op with them may make it), description. Drafts are not for sale yet.
CATALOG_FILE = Path(__file__).with_name("catalog.json")


def seed_categories() -> dict[str, Category]:
    categories = {}
    for position, (slug, name) in enumerate(CATEGORIES):
        categories[slug], _ = Category.objects.get_or_create(
            slug=slug, defaults={"name": name, "position": position}
        )
    return categories


def seed_products(by, *, with_images: bool = True, progress=None) -> int:
    """The demo catalog, made through the product services. Returns how many were created."""
    categories = seed_categories()
    producers = {p.slug: p for p in Producer.objects.all()}
    materials = {m.sku: m for m in Material.objects.raw_materials()}
    capabilities = {c.slug: c for c in Capability.objects.all()}
    existing = set(Product.objects.values_list("title", flat=True))
    catalog = json.loads(CATALOG_FILE.read_text(encoding="utf-8"))
    rows = [(row, Product.Status.PUBLISHED) for row in catalog["products"]]
    rows += [(row, Product.Status.DRAFT) for row in catalog["drafts"]]
    created = 0
    for index, (row, status) in enumerate(rows, start=1):
        title, bom, caps = row["title"], row["bom"], row["capabilities"]
        if title in existing:
            continue
        product = product_create(
            producer=producers[row["producer"]],
            title=title,
            description=row["description"],
            category=categories[row["category"]],
            price=Decimal(row["price"]),
            fulfilment=row["fulfilment"],
            lead_time_days=row["lead_time_days"],
            open_design=bool(caps),
            required_capabilities=[capabilities[c] for c in caps],
            machine_minutes=row.get("machine_minutes", 0),
            status=status,
        )
        if bom:
            bom_replace(product=product, lines=[(materials[sku], Decimal(q)) for sku, q in bom])
        if row["on_hand"]:
            product_stock_receive(
                product=product, quantity=row["on_hand"], by=by, reason="Opening count"
            )
        if with_images:
            upload = SimpleUploadedFile(
                f"{product.slug}.png", draw_product(row["picture"], title), content_type="image/png"
            )
            product_image_add(
                product=product, upload=upload, alt_text=f"Drawing of the {title.lower()}"
            )
        created += 1
        if progress:
            progress(index, len(rows))
    return created
