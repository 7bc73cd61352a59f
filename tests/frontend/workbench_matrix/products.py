"""A co-op's products, pictures and bills of materials: its members see, its managers change."""

from django.core.files.uploadedfile import SimpleUploadedFile

from catalog.models import BillOfMaterialsLine, Product
from catalog.services.images import product_image_add
from tests.factories import make_product
from tests.frontend.workbench_matrix import coop_page
from tests.images import jpeg, upload

ROWS = {
    **coop_page("workbench:coop-products", methods=("get",)),
    **coop_page("workbench:coop-product-new"),
    **coop_page("workbench:coop-product"),
    **coop_page("workbench:coop-product-status", methods=("post",)),
    **coop_page("workbench:coop-product-pictures"),
    **coop_page("workbench:coop-product-picture-move", methods=("post",)),
    **coop_page("workbench:coop-product-picture-remove"),
    **coop_page("workbench:coop-product-materials"),
    **coop_page("workbench:coop-product-material-remove", methods=("post",)),
}


def prepare(side):
    """A made-to-order draft, ready to publish: two pictures and one material."""
    side.draft = make_product(
        producer=side.producer,
        title=f"Shelf {side.name}",
        status=Product.Status.DRAFT,
        fulfilment=Product.Fulfilment.MADE_TO_ORDER,
        lead_time_days=3,
    )
    side.pictures = [
        product_image_add(
            product=side.draft, upload=upload(jpeg((64, 48))), alt_text=f"Shelf, view {n}"
        )
        for n in range(2)
    ]
    side.bom_line = BillOfMaterialsLine.objects.create(
        product=side.draft, material=side.world.material, quantity=2
    )


def kwargs(name, side):
    found = {
        "pk": side.draft.pk,
        "image_pk": side.pictures[1].pk,
        "line_pk": side.bom_line.pk,
    }
    if name == "workbench:coop-product-status":
        found["action"] = "publish"
    if name == "workbench:coop-product-picture-move":
        found["direction"] = "up"
    return found


class _Upload(SimpleUploadedFile):
    """The same body goes with the page's GET: a query string names the file instead of
    spelling out its bytes line by line (Django's `urlencode` iterates what it can)."""

    def __iter__(self):
        raise TypeError("not a sequence of query values")

    def __len__(self):
        raise TypeError("not a sequence of query values")


def body(name, side):
    if name == "workbench:coop-product-new":
        return {"title": "Garden bench", "price": "180.00", "fulfilment": "stock"}
    if name == "workbench:coop-product":
        return {
            "title": f"Wall shelf {side.name}",
            "slug": side.draft.slug,
            "price": "1250.00",
            "fulfilment": "made_to_order",
            "lead_time_days": "4",
        }
    if name == "workbench:coop-product-pictures":
        picture = _Upload("shelf.jpg", jpeg((64, 48)), content_type="image/jpeg")
        return {"image": picture, "alt_text": "The shelf on a wall"}
    if name == "workbench:coop-product-materials":
        return {"material": side.world.material.pk, "quantity": "3"}
    return {}
