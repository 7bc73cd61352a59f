"""The Offcuts page: every network member searches and records; a co-op uses and throws
away the pieces on its own shelves, and nobody else's."""

from catalog.models import Unit
from catalog.services.offcuts import offcut_record
from catalog.services.stock import stock_receive
from tests.factories import MaterialFactory, StockLocationFactory
from tests.frontend.workbench_matrix import OK, SIGN_IN, network_page, roles

ROWS = {
    ("workbench:offcuts", "get", "-"): network_page(),
    ("workbench:offcut-record", "post", "-"): network_page(),
    ("workbench:offcut-draw-down", "post", "A"): roles(SIGN_IN, 403, OK, OK, 404, OK),
    ("workbench:offcut-draw-down", "post", "B"): roles(SIGN_IN, 403, 404, 404, 404, OK),
    ("workbench:offcut-discard", "post", "A"): roles(SIGN_IN, 403, OK, OK, 404, OK),
    ("workbench:offcut-discard", "post", "B"): roles(SIGN_IN, 403, 404, 404, 404, OK),
}


def prepare(side):
    side.spool = MaterialFactory(sku=f"PLA-{side.name.upper()}", unit=Unit.KG)
    side.spool_shelf = StockLocationFactory(producer=side.producer, code=f"spools-{side.name}")
    for shelf in (side.spool_shelf, side.world.shared):
        stock_receive(material=side.spool, location=shelf, quantity="2", by=None, reason="in")
    side.offcut = offcut_record(
        material=side.spool,
        location=side.spool_shelf,
        amount="0.5",
        kept_at="Spool bin",
        source="Job 2",
        by=None,
    )


def kwargs(name, side):
    if name in ("workbench:offcut-draw-down", "workbench:offcut-discard"):
        return {"pk": side.offcut.pk}
    return {}


def body(name, side):
    pk = side.offcut.pk
    if name == "workbench:offcut-record":
        fields = {
            "material": side.spool.pk,
            "location": side.world.shared.pk,
            "amount": "0.2",
            "kept_at": "Spool bin",
            "source": "Drawdown",
        }
        return {f"record-{key}": value for key, value in fields.items()}
    if name == "workbench:offcut-draw-down":
        return {f"use-{pk}-reason": "Test print", f"use-{pk}-producer": side.producer.pk}
    if name == "workbench:offcut-discard":
        return {f"discard-{pk}-reason": "Tangled"}
    return {}
