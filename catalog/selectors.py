"""Reads shared by the API and the storefront."""

import datetime
from decimal import Decimal

from django.contrib.auth.models import AnonymousUser
from django.db.models import (
    Case,
    CharField,
    Count,
    DecimalField,
    Exists,
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
    WIDE_QTY,
    BillOfMaterialsLine,
    Category,
    Material,
    Product,
    ProductImage,
    StockBalance,
    StockLocation,
    StockMovement,
)
from producers import permissions
from producers.models import Membership, Producer

ZERO = Decimal("0")
THOUSANDTH = Decimal("0.001")
QTY = DecimalField(max_digits=14, decimal_places=3)
# Sums over many rows, and quantities times costs, may pass what one column holds.
MONEY = DecimalField(max_digits=40, decimal_places=4)


def material_list() -> QuerySet[Material]:
    """Materials with what the shared store holds and has free (`shared_available`)."""
    shared = StockBalance.objects.filter(material=OuterRef("pk"), location__shared=True)
    return (
        Material.objects.raw_materials()
        .annotate(
            shared_on_hand=Coalesce(
                Sum(
                    "balances__on_hand",
                    filter=Q(balances__location__shared=True),
                    output_field=WIDE_QTY,
                ),
                Value(Decimal("0")),
                output_field=WIDE_QTY,
            ),
            shared_available=Coalesce(
                Sum(
                    F("balances__on_hand") - F("balances__reserved"),
                    filter=Q(balances__location__shared=True),
                    output_field=WIDE_QTY,
                ),
                Value(Decimal("0")),
                output_field=WIDE_QTY,
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


def sees_whole_ledger(user) -> bool:
    """Fab Lab staff and platform staff see who, why and for whom on every row."""
    return permissions.can_keep_shared_store(user)


def movements_visible_to(user) -> QuerySet[StockMovement]:
    """Ledger rows on the shelves the user may see, with `shown_*` values to display.

    Fab Lab and platform staff see everything. A co-op sees its own rows in full;
    other co-ops' rows on shared shelves keep only their quantities and balances
    (no producer, person, reason or reference), and a person who is neither staff nor
    a member of any producer (a customer) is never named.
    """
    movements = StockMovement.objects.filter(
        location__in=StockLocation.objects.visible_to(user)
    ).select_related("material", "location")
    if sees_whole_ledger(user):
        return movements.annotate(
            shown_producer=F("producer__slug"),
            shown_by=F("created_by__username"),
            shown_reason=F("reason"),
            shown_reference=F("reference"),
        )
    own_ids = permissions.producer_ids_for(user)
    own = Q(location__producer_id__in=own_ids) | Q(producer_id__in=own_ids)
    by_network = Q(created_by__is_staff=True) | Exists(
        Membership.objects.filter(user_id=OuterRef("created_by_id"))
    )
    text = CharField()
    return movements.annotate(
        shown_producer=Case(When(own, then=F("producer__slug")), output_field=text),
        shown_by=Case(When(own & by_network, then=F("created_by__username")), output_field=text),
        shown_reason=Case(When(own, then=F("reason")), default=Value(""), output_field=text),
        shown_reference=Case(When(own, then=F("reference")), default=Value(""), output_field=text),
    )


# Everything that takes stock away from where it was: used here or gone from the
# shared store. Transfers out and losses count only when they leave the shared store.
LEAVES = (
    Q(kind__in=[StockMovement.Kind.DRAWDOWN, StockMovement.Kind.CONSUME])
    | Q(kind=StockMovement.Kind.TRANSFER_OUT, location__shared=True)
    | Q(kind=StockMovement.Kind.ADJUSTMENT, location__shared=True, quantity__lt=0)
)
USAGE_COLUMNS = {
    "drawn_down": StockMovement.Kind.DRAWDOWN,
    "consumed": StockMovement.Kind.CONSUME,
    "transferred_out": StockMovement.Kind.TRANSFER_OUT,
    "written_off": StockMovement.Kind.ADJUSTMENT,
}


def materials_usage(*, month: datetime.date, user) -> list[dict]:
    """What left each producer's hands or the shared store in a month, at its cost then,
    and what of it came from offcuts (`from_offcuts`, worth `saved`).

    Drawdowns and consumption anywhere, plus transfers out of the shared store and
    shared-store counts that found less (a loss is the Fab Lab's, the owner of the
    shelf, when no producer is named). Fab Lab staff and platform staff see every
    producer; a co-op member sees their own producers' rows. Sums are as wide as
    they need to be: no total can overflow what the report shows.
    """
    start = month.replace(day=1)
    end = (start + datetime.timedelta(days=32)).replace(day=1)
    from_offcuts = Q(kind=StockMovement.Kind.OFFCUT_USED)
    movements = (
        StockMovement.objects.filter(
            LEAVES | from_offcuts, created_at__date__gte=start, created_at__date__lt=end
        )
        .annotate(charged_to=Coalesce("producer_id", "location__producer_id"))
        .order_by()
    )
    if not permissions.can_keep_shared_store(user):
        movements = movements.filter(charged_to__in=permissions.producer_ids_for(user))
    # Ledger quantities are negative for every kind that leaves: usage is their opposite.
    used = ExpressionWrapper(-F("quantity"), output_field=WIDE_QTY)
    cost = ExpressionWrapper(-F("quantity") * F("unit_cost"), output_field=MONEY)
    columns = {
        name: Coalesce(
            Sum(Case(When(kind=kind, then=used), output_field=WIDE_QTY)),
            Value(ZERO),
            output_field=WIDE_QTY,
        )
        for name, kind in USAGE_COLUMNS.items()
    }
    # Offcuts put to use: material that came from leftovers rather than whole stock. Their
    # rows stand beside the drawdowns and consumption that took them, so they add no cost.
    columns["from_offcuts"] = Coalesce(
        Sum(Case(When(from_offcuts, then=used), output_field=WIDE_QTY)),
        Value(ZERO),
        output_field=WIDE_QTY,
    )
    rows = list(
        movements.values("charged_to", "material__sku", "material__name", "material__unit")
        .annotate(
            **columns,
            cost=Coalesce(Sum(cost, filter=LEAVES), Value(ZERO), output_field=MONEY),
            saved=Coalesce(Sum(cost, filter=from_offcuts), Value(ZERO), output_field=MONEY),
        )
        .order_by("charged_to", "material__name")
    )
    producers = Producer.objects.in_bulk({row["charged_to"] for row in rows})
    for row in rows:
        producer = producers[row.pop("charged_to")]
        row["producer__slug"], row["producer__name"] = producer.slug, producer.name
    return sorted(rows, key=lambda row: (row["producer__name"], row["material__name"]))


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
    # The product's own count plus, for goods with options, every combination's count.
    stock = (
        StockBalance.objects.filter(
            Q(material_id=OuterRef("stock_item_id"))
            | Q(material__variant__product_id=OuterRef("pk"), material__variant__active=True)
        )
        .order_by()
        .values(total=Func(F("on_hand") - F("reserved"), function="SUM", output_field=WIDE_QTY))
    )
    return (
        Product.objects.visible_to(user)
        .select_related("producer", "category")
        .annotate(
            stock_available=Coalesce(
                Subquery(stock, output_field=WIDE_QTY), Value(Decimal("0")), output_field=WIDE_QTY
            ),
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
    return product_list(user=user).prefetch_related(
        "images", "required_capabilities", "options__values", "personal_fields"
    )


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


# --- A co-op's own goods (the workbench) -----------------------------------------------


def coop_products(*, user, producer: Producer) -> QuerySet[Product]:
    """Every product of `producer` the user sees, drafts and archived ones included, with
    the same joins and annotations as `product_list` (cover picture, free stock)."""
    return product_list(user=user).filter(producer=producer).order_by("-created_at", "-id")


def bom_materials_for(producer: Producer) -> QuerySet[Material]:
    """The materials a co-op may put on a bill of materials: active raw materials held on
    its own shelves or in the shared store (the API accepts any raw material)."""
    held = StockBalance.objects.filter(material=OuterRef("pk")).filter(
        Q(location__shared=True) | Q(location__producer=producer)
    )
    return Material.objects.raw_materials().active().filter(Exists(held)).order_by("name", "pk")


# --- Who can make an open design (the product page) ----------------------------------


def makers_of(product: Product) -> list[Producer]:
    """The active co-ops that may make an open design, by name: the ones routing chooses
    from (every required capability). Empty for any other product. Cached until the
    catalog changes (producers and capabilities move its version)."""
    if not product.open_design:
        return []

    def load() -> list[Producer]:
        capable = _capable_producers([product])[product.pk]
        return list(Producer.objects.filter(pk__in=capable).order_by("name"))

    return cached(("makers", product.pk), load)


# --- Where to look when a search finds nothing ------------------------------------------


def categories_with_goods() -> QuerySet[Category]:
    """Categories holding published goods, each with their number (`count`), in shelf order."""
    published = Q(products__status=Product.Status.PUBLISHED)
    return Category.objects.annotate(count=Count("products", filter=published)).filter(count__gt=0)
