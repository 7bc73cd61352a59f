"""A product's options and personal texts, and each size's count: members see, managers change."""

from tests.factories import make_sized_product
from tests.frontend.workbench_matrix import coop_page

ROWS = {
    **coop_page("workbench:coop-product-options"),
    **coop_page("workbench:coop-product-variant-count", methods=("post",)),
}


def prepare(side):
    side.shirt = make_sized_product(
        producer=side.producer, title=f"T-shirt {side.name}", sizes={"M": 2, "L": 1}
    )


def kwargs(name, side):
    return {"pk": side.shirt.pk, "variant_pk": side.shirt.variants.order_by("pk").first().pk}


def body(name, side):
    if name == "workbench:coop-product-variant-count":
        return {"counted": "4"}
    if name == "workbench:coop-product-options":
        return {"option_1_name": "Size", "option_1_values": "M\nL\nXL +2.00"}
    return {}
