"""Stock at a glance: each of the user's co-ops with its ready-made goods and shelf stock."""

from collections import defaultdict

from django.shortcuts import render
from django.views.decorators.http import require_GET

from catalog.models import Material, Product
from catalog.selectors import (
    balances_visible_to,
    material_list,
    materials_below_reorder,
    product_list,
)
from frontend.workbench.common import my_producers, workbench_view


@workbench_view
@require_GET
def stock(request):
    user = request.user
    producers = my_producers(user)
    ids = [producer.pk for producer in producers]
    products = (
        product_list(user=user)
        .filter(producer_id__in=ids, fulfilment=Product.Fulfilment.STOCK)
        .exclude(status=Product.Status.ARCHIVED)
        .order_by("title", "pk")
    )
    # Finished goods are shown with their products above, not again as shelf stock.
    balances = (
        balances_visible_to(user)
        .filter(location__producer_id__in=ids, location__shared=False)
        .exclude(material__category=Material.Category.FINISHED_GOODS)
        .order_by("location__name", "material__name", "pk")
    )
    goods_of, shelves_of = defaultdict(list), defaultdict(list)
    for product in products:
        # Each product is flagged at its own level, which the co-op's managers set.
        product.low = product.stock_available <= product.low_stock_level
        goods_of[product.producer_id].append(product)
    for balance in balances:
        shelves_of[balance.location.producer_id].append(balance)
    sections = [
        {"producer": p, "products": goods_of[p.pk], "balances": shelves_of[p.pk]} for p in producers
    ]
    return render(
        request,
        "frontend/workbench/stock.html",
        {
            "section": "stock",
            "sections": sections,
            "low_materials": list(materials_below_reorder(material_list())),
        },
    )
