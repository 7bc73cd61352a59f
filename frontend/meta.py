"""The product list's meta description, which follows its search and filters."""

from catalog.caching import cached
from catalog.models import Category
from producers.models import Producer

DEFAULT = (
    "Goods made in West Jackson by worker-owned co-ops around a shared Fab Lab: "
    "search and filter by category, co-op, price and what is on the shelf now."
)


def product_list_description(params) -> str:
    """Plain text (the template escapes it). No query unless a category or a co-op is
    chosen, and then only once until the catalog changes."""
    q = " ".join(params.get("q", "").split())[:80]
    category = params.get("category", "")
    producer = params.get("producer", "")
    if not (q or category or producer):
        return DEFAULT
    names = cached(
        ("storefront-products-meta", category, producer), lambda: _names(category, producer)
    )
    makers = names["producer"] or "worker-owned co-ops around a shared Fab Lab"
    text = f"goods made in West Jackson by {makers}"
    prefixes = [f"Search results for “{q}”"] if q else []
    if names["category"]:
        prefixes.append(names["category"])
    text = f"{', '.join(prefixes)}: {text}" if prefixes else text[0].upper() + text[1:]
    return f"{text}. Every sale pays the co-op that made it."


def _names(category: str, producer: str) -> dict[str, str | None]:
    categories = Category.objects.filter(slug=category)
    producers = Producer.objects.active().filter(slug=producer)
    return {
        "category": categories.values_list("name", flat=True).first() if category else None,
        "producer": producers.values_list("name", flat=True).first() if producer else None,
    }
