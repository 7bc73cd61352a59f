"""Telling residents when a sold-out ready-made product is back on sale.

A resident leaves an address on a sold-out product's page (`back_in_stock_request`).
When stock moves so that some of the product is free again, the stock service's
transaction sends `goods_back_in_stock` with the products concerned; the orders app,
which owns the emails, listens, claims the pending requests (`back_in_stock_claim`)
and queues one email per request in that same transaction. Catalog never imports
orders: the signal is the seam, as `producers.accounts.email_verified` is.
"""

from collections.abc import Iterable
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Sum
from django.dispatch import Signal
from django.utils import timezone

from catalog.exceptions import NotSoldOut
from catalog.models import (
    WIDE_QTY,
    BackInStockRequest,
    Material,
    Product,
    StockBalance,
    StockMovement,
)

ZERO = Decimal("0")
# Bounds on what one address, or a flood of made-up ones, can make us store.
MAX_PENDING_PER_EMAIL = 20
MAX_PENDING_PER_PRODUCT = 1000

# Sent inside the stock transaction with `product_ids`: published ready-made products
# that have free stock again and someone waiting for them.
goods_back_in_stock = Signal()

Kind = StockMovement.Kind


def _frees(movement: StockMovement) -> bool:
    """Made and put on a shelf, moved in, found by a count, or given back by an order
    (a release lowers what is reserved, so its quantity is negative)."""
    if movement.kind == Kind.RELEASE:
        return True
    return movement.kind in {Kind.RECEIPT, Kind.TRANSFER_IN, Kind.ADJUSTMENT} and (
        movement.quantity > 0
    )


def free_stock(material_ids: Iterable[int]) -> dict[int, Decimal]:
    """{material id: on hand less reserved, over every shelf}, 0 for materials on none."""
    ids = set(material_ids)
    rows = (
        StockBalance.objects.filter(material_id__in=ids)
        .order_by()
        .values("material_id")
        .annotate(free=Sum(F("on_hand") - F("reserved"), output_field=WIDE_QTY))
    )
    free = dict.fromkeys(ids, ZERO)
    free.update({row["material_id"]: Decimal(row["free"]) for row in rows})
    return free


def is_sold_out(product: Product) -> bool:
    """A ready-made product with nothing free to sell; made-to-order goods never are."""
    if product.made_to_order or product.stock_item_id is None:
        return False
    return free_stock([product.stock_item_id])[product.stock_item_id] <= 0


def back_in_stock_request(*, product: Product, email: str) -> BackInStockRequest | None:
    """Ask to be emailed once when `product` is back on sale.

    Raises NotSoldOut unless the product is published, ready-made and has none free.
    Returns the address's pending request for the product (a second ask changes
    nothing), or None when the address already waits for MAX_PENDING_PER_EMAIL
    products or the product has MAX_PENDING_PER_PRODUCT people waiting: the caller
    says the same thing in every case, so nobody learns who asked for what.
    """
    if not product.is_published or not is_sold_out(product):
        raise NotSoldOut()
    email = email.strip().lower()
    pending = BackInStockRequest.objects.filter(notified_at__isnull=True)
    existing = pending.filter(product=product, email=email).first()
    if existing is not None:
        return existing
    if pending.filter(email=email).count() >= MAX_PENDING_PER_EMAIL:
        return None
    if pending.filter(product=product).count() >= MAX_PENDING_PER_PRODUCT:
        return None
    try:
        with transaction.atomic():
            return BackInStockRequest.objects.create(product=product, email=email)
    except IntegrityError:  # the same address asked twice at the same moment
        return pending.filter(product=product, email=email).first()


def back_in_stock_claim(*, product_ids: Iterable[int]) -> list[BackInStockRequest]:
    """Take the pending requests for these products and mark them notified, once.

    Call it inside the transaction that freed the stock and queue the emails there.
    Locks the requests in key order; a second transaction that freed stock at the same
    moment waits for the first, then finds them notified and takes none.
    """
    ids = sorted(set(product_ids))
    if not ids:
        return []
    claimed = list(
        BackInStockRequest.objects.select_for_update(of=("self",))
        .filter(product_id__in=ids, notified_at__isnull=True)
        .select_related("product__producer")
        .order_by("pk")
    )
    if claimed:
        now = timezone.now()
        BackInStockRequest.objects.filter(pk__in=[r.pk for r in claimed]).update(notified_at=now)
        for request in claimed:
            request.notified_at = now
    return claimed


def goods_may_be_back(movements: list[StockMovement]) -> None:
    """After stock moved: announce the products that are free again and awaited.

    No query unless finished goods became freer; then one when nobody waits for them
    (the usual case), and one for their free stock. Runs inside the stock
    transaction, under its balance locks.
    """
    material_ids = {
        m.material_id
        for m in movements
        if _frees(m) and m.material.category == Material.Category.FINISHED_GOODS
    }
    if not material_ids:
        return
    waiting = BackInStockRequest.objects.filter(product=OuterRef("pk"), notified_at__isnull=True)
    awaited = dict(
        Product.objects.filter(
            Exists(waiting), stock_item_id__in=material_ids, status=Product.Status.PUBLISHED
        ).values_list("stock_item_id", "pk")
    )
    if not awaited:
        return
    free = free_stock(awaited)
    back = sorted(pk for material_id, pk in awaited.items() if free[material_id] > 0)
    if back:
        goods_back_in_stock.send(sender=BackInStockRequest, product_ids=back)
