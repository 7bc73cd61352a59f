"""A large catalog, fast: `seed_demo --products 100000` for benchmarks.

Bulk inserts in batches, bypassing per-row services but writing exactly what
they would: search text, image rows with renditions, and for ready-made goods a
finished-goods material, its balance and the receipt that explains it.
"""

import random
from collections.abc import Callable
from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.text import slugify

from catalog.caching import catalog_changed
from catalog.images import prepare_image
from catalog.models import (
    Category,
    Material,
    Product,
    ProductImage,
    StockBalance,
    StockMovement,
    Unit,
)
from catalog.services.products import finished_goods_location
from demo.images import DRAWINGS, draw_product
from producers.models import Producer

BATCH = 2000
ADJECTIVES = [
    "Walnut",
    "Birch",
    "Cedar",
    "Pine",
    "Canvas",
    "Acrylic",
    "Oak",
    "Cotton",
    "Maple",
    "Printed",
    "Engraved",
    "Painted",
    "Woven",
    "Folding",
    "Stacking",
    "Hanging",
]
NOUNS = {
    "board": ["cutting board", "cheese board", "serving paddle", "trivet"],
    "shelf": ["shelf", "bookcase", "stool", "bench", "crate"],
    "sign": ["sign", "name plate", "door sign", "banner"],
    "bag": ["tote", "apron", "pouch", "backpack", "cushion"],
    "planter": ["planter", "window box", "raised bed", "compost bin"],
    "printed": ["knob", "bracket", "phone stand", "hook"],
    "shirt": ["T-shirt", "hoodie", "cap"],
    "seedlings": ["seedling flat", "herb tray", "starter pack"],
}


def _pictures() -> dict[str, dict]:
    """One picture per kind of good, stored once and shared by every bulk product."""
    pictures = {}
    for kind in DRAWINGS:
        prepared = prepare_image(
            ContentFile(draw_product(kind, f"Locally made {kind}"), name=f"{kind}.png")
        )
        main = default_storage.save(
            f"products/bulk/{kind}.{prepared.extension}", ContentFile(prepared.main)
        )
        renditions = []
        for data, width, height in prepared.renditions:
            name = default_storage.save(f"products/bulk/{kind}-{width}.webp", ContentFile(data))
            renditions.append({"name": name, "width": width, "height": height, "format": "webp"})
        pictures[kind] = {
            "image": main,
            "width": prepared.width,
            "height": prepared.height,
            "renditions": renditions,
        }
    return pictures


def seed_bulk_products(
    total: int, *, by=None, progress: Callable[[int, int], None] | None = None
) -> int:
    """Add products until the catalog holds `total`. Returns how many were added."""
    missing = total - Product.objects.count()
    if missing <= 0:
        return 0
    producers = list(Producer.objects.active().order_by("pk"))
    categories = list(Category.objects.order_by("pk")) or [None]
    locations = {p.pk: finished_goods_location(p) for p in producers}
    pictures = _pictures()
    rng = random.Random(total)
    start = Product.objects.filter(slug__startswith="bulk-").count()
    added = 0
    while added < missing:
        size = min(BATCH, missing - added)
        with transaction.atomic():
            _batch(start + added, size, rng, producers, categories, locations, pictures, by)
        added += size
        if progress:
            progress(added, missing)
    catalog_changed()  # bulk inserts send no signals
    return added


def _batch(offset, size, rng, producers, categories, locations, pictures, by) -> None:
    products = []
    kinds = []
    for n in range(offset, offset + size):
        kind = rng.choice(list(NOUNS))
        title = f"{rng.choice(ADJECTIVES)} {rng.choice(NOUNS[kind])}"
        producer = producers[n % len(producers)]
        category = categories[n % len(categories)]
        made_to_order = n % 3 == 0
        products.append(
            Product(
                producer=producer,
                title=title,
                slug=f"bulk-{slugify(title)}-{n}",
                description=f"{title}, made in West Jackson by {producer.name}.",
                category=category,
                price=Decimal(rng.randrange(500, 25000)) / 100,
                status=Product.Status.PUBLISHED,
                fulfilment=Product.Fulfilment.MADE_TO_ORDER if made_to_order else "stock",
                lead_time_days=rng.randint(2, 21) if made_to_order else 0,
                search_text="\n".join(
                    [
                        title,
                        f"{title}, made in West Jackson by {producer.name}.",
                        category.name if category else "",
                        producer.name,
                    ]
                ),
            )
        )
        kinds.append(kind)
    products = Product.objects.bulk_create(products)
    ProductImage.objects.bulk_create(
        [
            ProductImage(
                product=product, position=0, alt_text=f"Drawing of a {kind}", **pictures[kind]
            )
            for product, kind in zip(products, kinds, strict=True)
        ]
    )
    ready_made = [p for p in products if p.fulfilment == Product.Fulfilment.STOCK]
    items = Material.objects.bulk_create(
        [
            Material(
                sku=f"FG-{p.pk}",
                name=f"{p.title} (finished goods)",
                unit=Unit.EACH,
                category=Material.Category.FINISHED_GOODS,
            )
            for p in ready_made
        ]
    )
    for product, item in zip(ready_made, items, strict=True):
        product.stock_item = item
    Product.objects.bulk_update(ready_made, ["stock_item"])
    counts = [Decimal(rng.randint(0, 40)) for _ in ready_made]
    balances = StockBalance.objects.bulk_create(
        [
            StockBalance(material=item, location=locations[p.producer_id], on_hand=count)
            for p, item, count in zip(ready_made, items, counts, strict=True)
        ]
    )
    StockMovement.objects.bulk_create(
        [
            StockMovement(
                balance=balance,
                material_id=balance.material_id,
                location_id=balance.location_id,
                kind=StockMovement.Kind.RECEIPT,
                quantity=balance.on_hand,
                on_hand_after=balance.on_hand,
                reserved_after=0,
                unit_cost=0,
                producer_id=p.producer_id,
                created_by=by,
                reason="Opening count",
            )
            for p, balance in zip(ready_made, balances, strict=True)
            if balance.on_hand
        ]
    )
