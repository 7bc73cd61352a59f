"""A product's design files and licence: its co-op's members see and download, managers change."""

from catalog.models import Product
from catalog.services.designs import design_file_add
from tests import design_samples as samples
from tests.factories import make_product
from tests.frontend.workbench_matrix import coop_page
from tests.frontend.workbench_matrix.products import _Upload

ROWS = {
    **coop_page("workbench:coop-product-designs"),
    **coop_page("workbench:coop-product-licence", methods=("post",)),
    **coop_page("workbench:coop-product-design", methods=("get",)),
    **coop_page("workbench:coop-product-design-remove"),
}


def prepare(side):
    side.design_product = make_product(
        producer=side.producer,
        title=f"Jigsaw {side.name}",
        status=Product.Status.DRAFT,
        fulfilment=Product.Fulfilment.MADE_TO_ORDER,
        open_design=True,
    )
    side.design = design_file_add(
        product=side.design_product, upload=samples.upload("frame.svg", samples.SVG)
    )


def kwargs(name, side):
    return {"pk": side.design_product.pk, "design_pk": side.design.pk}


def body(name, side):
    if name == "workbench:coop-product-designs":
        return {"file": _Upload("lid.svg", samples.SVG, content_type="image/svg+xml")}
    if name == "workbench:coop-product-licence":
        return {"licence": "cc_by_sa_4"}
    return {}
