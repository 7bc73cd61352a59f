"""Reads shared by the API and the storefront."""

import datetime
from decimal import Decimal

from django.contrib.auth.models import AnonymousUser
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField
from django.db import connection
from django.db.models import (
    Case,
    DecimalField,
    Exists,
    Expression,
    ExpressionWrapper,
    F,
    Func,
    JSONField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, JSONObject

from catalog.caching import cached
from catalog.models import (
    BillOfMaterialsLine,
    Material,
    Product,
    ProductImage,
    StockBalance,
    StockLocation,
    StockMovement,
)
from producers import permissions
from producers.models import Producer

ZERO = Decimal("0")
THOUSANDTH = Decimal("0.001")
QTY = DecimalField(max_digits=14, decimal_places=3)
MONEY = DecimalField(max_digits=18, decimal_places=4)


def material_list() -> QuerySet[Material]:
    """Materials with what the shared store holds and has free (`shared_available`)."""
    shared = StockBalance.objects.filter(material=OuterRef("pk"), location__shared=True)
    return (
        Material.objects.raw_materials()
        .annotate(
            shared_on_hand=Coalesce(
                Sum("balances__on_hand", filter=Q(balances__location__shared=True)),
                Value(Decimal("0")),
                output_field=QTY,
            ),
            shared_available=Coalesce(
                Sum(
                    F("balances__on_hand") - F("balances__reserved"),
                    filter=Q(balances__location__shared=True),
                ),
                Value(Decimal("0")),
                output_field=QTY,
            ),
            in_shared_store=Exists(shared.filter(on_hand__gt=F("reserved"))),
        )
        .order_by("name", "pk")
    )  # Meta.ordering does not apply to aggregated queries


def materials_below_reorder(materials: QuerySet[Material]) -> QuerySet[Material]:
    return materials.filter(reorder_point__gt=0, shared_available__lt=F("reorder_point"))


def locations_visible_to(user) -> QuerySet[StockLocation]:
    return StockLocation.objects.visible_to(user).select_related("producer")


def balances_visible_to(user) -> QuerySet[StockBalance]:
    return StockBalance.objects.filter(
        location__in=StockLocation.objects.visible_to(user)
    ).select_related("material", "location__producer")


def movements_visible_to(user) -> QuerySet[StockMovement]:
    return StockMovement.objects.filter(
        location__in=StockLocation.objects.visible_to(user)
    ).select_related("material", "location", "producer", "created_by")


USAGE_KINDS = [StockMovement.Kind.DRAWDOWN, StockMovement.Kind.CONSUME]


def materials_usage(*, month: datetime.date, user) -> list[dict]:
    """What each producer drew down and consumed in a month, with its cost at the time.

    Fab Lab staff and platform staff see every producer; a co-op member sees
    their own producers' rows.
    """
    start = month.replace(day=1)
    end = (start + datetime.timedelta(days=32)).replace(day=1)
    movements = StockMovement.objects.filter(
        kind__in=USAGE_KINDS,
        created_at__date__gte=start,
        created_at__date__lt=end,
        producer__isnull=False,
    )
    if not permissions.can_keep_shared_store(user):
        movements = movements.filter(producer_id__in=permissions.producer_ids_for(user))
    # Ledger quantities are negative for both kinds: usage is their opposite.
    used = ExpressionWrapper(-F("quantity"), output_field=QTY)
    cost = ExpressionWrapper(-F("quantity") * F("unit_cost"), output_field=MONEY)
    rows = (
        movements.values(
            "producer__slug",
            "producer__name",
            "material__sku",
            "material__name",
            "material__unit",
        )
        .annotate(
            drawn_down=Coalesce(
                Sum(Case(When(kind="drawdown", then=used))), Value(Decimal("0")), output_field=QTY
            ),
            consumed=Coalesce(
                Sum(Case(When(kind="consume", then=used))), Value(Decimal("0")), output_field=QTY
            ),
            cost=Coalesce(Sum(cost), Value(Decimal("0")), output_field=MONEY),
        )
        .order_by("producer__name", "material__name")
    )
    return list(rows)


def ledger_totals(*, pks: list[int] | None = None) -> dict[int, tuple[Decimal, Decimal]]:
    """What the ledger says each balance holds: {balance id: (on hand, reserved)}."""
    on_hand_kinds = list(StockMovement.ON_HAND_KINDS)
    reserved_kinds = list(StockMovement.RESERVED_KINDS)
    movements = StockMovement.objects.all()
    if pks is not None:
        movements = movements.filter(balance_id__in=pks)
    rows = (
        movements.order_by()
        .values("balance_id")
        .annotate(
            on_hand=Coalesce(
                Sum("quantity", filter=Q(kind__in=on_hand_kinds)),
                Value(Decimal("0")),
                output_field=QTY,
            ),
            reserved=Coalesce(
                Sum("quantity", filter=Q(kind__in=reserved_kinds)),
                Value(Decimal("0")),
                output_field=QTY,
            ),
        )
    )
    # SQLite sums decimals as floats: round back to the ledger's three places.
    return {
        row["balance_id"]: (
            Decimal(row["on_hand"]).quantize(THOUSANDTH),
            Decimal(row["reserved"]).quantize(THOUSANDTH),
        )
        for row in rows
    }


# --- Products -------------------------------------------------------------------------

PRODUCT_ORDERINGS = {
    "price": ("price", "id"),
    "-price": ("-price", "-id"),
    "newest": ("-created_at", "-id"),
    "title": ("title", "id"),
    "-title": ("-title", "-id"),
}


class _JSONValue(Func):
    """A JSON column nested as JSON inside `JSONObject` (SQLite would nest it as text)."""

    function = "json"
    output_field = JSONField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return compiler.compile(self.get_source_expressions()[0])


def product_list(*, user) -> QuerySet[Product]:
    """Products the user may see, with what a list shows already joined or annotated.

    Each row carries its producer and category (joined), its first image (`cover`) and
    its ready-made stock (annotated), so a page costs the same few queries
    whatever its size. Made-to-order availability is added per page by
    `with_availability`.
    """
    first_image = ProductImage.objects.filter(product=OuterRef("pk")).order_by("position", "id")
    stock = (
        StockBalance.objects.filter(material_id=OuterRef("stock_item_id"))
        .order_by()
        .values("material_id")
        .annotate(total=Sum(F("on_hand") - F("reserved")))
        .values("total")[:1]
    )
    return (
        Product.objects.visible_to(user)
        .select_related("producer", "category")
        .annotate(
            stock_available=Coalesce(Subquery(stock, output_field=QTY), Value(Decimal("0"))),
            # One subquery for the whole picture rather than one per column.
            cover=Subquery(
                first_image.values(
                    data=JSONObject(
                        name="image",
                        alt_text="alt_text",
                        width="width",
                        height="height",
                        renditions=_JSONValue("renditions"),
                    )
                )[:1],
                output_field=JSONField(),
            ),
        )
        .prefetch_related(
            Prefetch(
                "bom_lines",
                queryset=BillOfMaterialsLine.objects.select_related("material").order_by("pk"),
            )
        )
    )


def sees_public_catalog(user) -> bool:
    """Whether the user sees what anonymous visitors see (no drafts of their own)."""
    return not permissions.is_platform_staff(user) and not permissions.producer_ids_for(user)


def product_detail(*, user) -> QuerySet[Product]:
    return product_list(user=user).prefetch_related("images", "required_capabilities")


def public_product(slug: str) -> Product | None:
    """A published product as anyone outside its co-op sees it, availability included.

    Cached until the catalog changes (see catalog.caching); None if there is none.
    """

    def load() -> Product | None:
        product = product_detail(user=AnonymousUser()).filter(slug=slug).first()
        if product is not None:
            with_availability([product])
        return product

    return cached(("product", slug), load)


class _StoredSearchVector(Expression):
    """The product's `search_vector` column, which only PostgreSQL has (migration 0005)."""

    output_field = SearchVectorField()

    def as_sql(self, compiler, connection):
        table = compiler.quote_name(compiler.query.get_initial_alias())
        return f"{table}.{connection.ops.quote_name('search_vector')}", []


def product_search(products: QuerySet[Product], query: str) -> QuerySet[Product]:
    """Full-text search, ranked, on PostgreSQL (GIN index); every word must match on SQLite."""
    query = query.strip()
    if not query:
        return products
    if connection.vendor == "postgresql":
        search_query = SearchQuery(query, config="english", search_type="websearch")
        vector = _StoredSearchVector()
        return (
            products.annotate(search=vector)
            .filter(search=search_query)
            .annotate(rank=SearchRank(vector, search_query))
            .order_by("-rank", "-created_at", "-id")
        )
    for word in query.split()[:10]:
        products = products.filter(search_text__icontains=word)
    return products


def with_availability(products: list[Product]) -> list[Product]:
    """Say for each made-to-order product whether it can be made now.

    It can when some producer that may make it (its own, or for an open design
    any active producer with the required capabilities) can take every bill of
    materials line from one of its own shelves or from the shared store. Two
    queries for the whole page at most.
    """
    made = [p for p in products if p.made_to_order]
    for product in products:
        product.can_make_now = None
    if not made:
        return products
    material_ids = {line.material_id for p in made for line in p.bom_lines.all()}
    open_designs = [p for p in made if p.open_design]
    capable = _capable_producers(open_designs) if open_designs else {}
    producer_ids = {p.producer_id for p in made} | {pid for ids in capable.values() for pid in ids}
    best = _best_available(material_ids, producer_ids)
    for product in made:
        candidates = capable.get(product.pk, {product.producer_id})
        product.can_make_now = any(
            all(
                max(
                    best.get((line.material_id, pid), ZERO),
                    best.get((line.material_id, None), ZERO),
                )
                >= line.quantity
                for line in product.bom_lines.all()
            )
            for pid in candidates
        )
    return products


def _capable_producers(products: list[Product]) -> dict[int, set[int]]:
    """For each open design, the active producers that have all its required capabilities."""
    Required = Product.required_capabilities.through
    Has = Producer.capabilities.through
    required: dict[int, set[int]] = {p.pk: set() for p in products}
    has: dict[int, set[int]] = {}
    rows = (
        Required.objects.filter(product_id__in=required)
        .values_list(Value("r"), "product_id", "capability_id")
        .union(
            Has.objects.filter(producer__status=Producer.Status.ACTIVE).values_list(
                Value("h"), "producer_id", "capability_id"
            ),
            all=True,
        )
    )
    for side, owner, capability in rows:
        (required[owner] if side == "r" else has.setdefault(owner, set())).add(capability)
    return {
        pk: {pid for pid, caps in has.items() if needs <= caps} for pk, needs in required.items()
    }


def _best_available(material_ids: set[int], producer_ids: set[int]) -> dict:
    """{(material, producer or None for the shared store): most available on one shelf}."""
    if not material_ids:
        return {}
    rows = StockBalance.objects.filter(
        Q(location__shared=True) | Q(location__producer_id__in=producer_ids),
        material_id__in=material_ids,
    ).values_list("material_id", "location__shared", "location__producer_id", "on_hand", "reserved")
    best: dict = {}
    for material_id, shared, producer_id, on_hand, reserved in rows:
        key = (material_id, None if shared else producer_id)
        best[key] = max(best.get(key, ZERO), on_hand - reserved)
    return best
