"""A co-op's finished goods, its ledger, its export and its payouts."""

from catalog.models import StockLocation
from catalog.services.stock import stock_receive
from tests.factories import MaterialFactory
from tests.frontend.workbench_matrix import coop_page, managers_page

ROWS = {
    **coop_page("workbench:coop-goods", methods=("get",)),
    **coop_page("workbench:coop-goods-receive", methods=("post",)),
    **coop_page("workbench:coop-goods-count", methods=("post",)),
    **coop_page("workbench:coop-goods-level", methods=("post",)),
    **coop_page("workbench:coop-ledger", methods=("get",)),
    **coop_page("workbench:coop-ledger-csv", methods=("get",)),
    **coop_page("workbench:coop-ledger-transfer", methods=("post",)),
    **managers_page("workbench:coop-export"),
    **managers_page("workbench:coop-export-download"),
    # Members see where payouts stand; managers set them up.
    **coop_page("workbench:coop-payouts"),
}


def prepare(side):
    side.front_shelf = StockLocation.objects.create(
        producer=side.producer, code=f"front-{side.name}", name="Front shelf"
    )
    side.back_shelf = StockLocation.objects.create(
        producer=side.producer, code=f"back-{side.name}", name="Back shelf"
    )
    side.walnut = MaterialFactory(sku=f"WALNUT-{side.name}", name="Walnut board")
    stock_receive(
        material=side.walnut, location=side.front_shelf, quantity="50", by=None, reason="in"
    )


def kwargs(name, side):
    if name.startswith("workbench:coop-goods-"):
        return {"pk": side.product.pk}
    return {}


def body(name, side):
    pk = side.product.pk
    if name == "workbench:coop-goods-receive":
        return {f"receive-{pk}-quantity": "1", f"receive-{pk}-reason": "Made"}
    if name == "workbench:coop-goods-count":
        return {f"count-{pk}-quantity": "12", f"count-{pk}-reason": "Count"}
    if name == "workbench:coop-goods-level":
        return {f"level-{pk}-low_stock_level": "3"}
    if name == "workbench:coop-ledger-transfer":
        return {
            "transfer-material": side.walnut.pk,
            "transfer-source": side.front_shelf.pk,
            "transfer-destination": side.back_shelf.pk,
            "transfer-quantity": "1",
            "transfer-reason": "Tidy",
        }
    return {}
