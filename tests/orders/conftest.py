from decimal import Decimal

import pytest

from catalog.models import BillOfMaterialsLine, Product
from catalog.services.products import product_stock_receive
from catalog.services.stock import stock_receive
from tests.factories import (  # noqa: F401  (GUEST and place are used by the tests here)
    GUEST,
    FabLabFactory,
    MaterialFactory,
    ProducerFactory,
    SharedLocationFactory,
    make_product,
    place,
)

MADE_TO_ORDER = Product.Fulfilment.MADE_TO_ORDER


@pytest.fixture
def shared_store():
    return SharedLocationFactory(producer=FabLabFactory(), code="shared-rack")


@pytest.fixture
def plywood(shared_store):
    material = MaterialFactory(sku="PLY", name="Plywood")
    stock_receive(material=material, location=shared_store, quantity="10", by=None, reason="in")
    return material


@pytest.fixture
def woodshop():
    return ProducerFactory(name="Woodshop", slug="woodshop", capabilities=["woodworking"])


@pytest.fixture
def sewing():
    return ProducerFactory(name="Sewing", slug="sewing", capabilities=["sewing"])


@pytest.fixture
def stool(woodshop):
    product = make_product(producer=woodshop, title="Stool", price=Decimal("60.00"))
    product_stock_receive(product=product, quantity=5, by=None, reason="made")
    return product


@pytest.fixture
def tote(sewing):
    product = make_product(producer=sewing, title="Tote", price=Decimal("28.00"))
    product_stock_receive(product=product, quantity=5, by=None, reason="made")
    return product


@pytest.fixture
def shelf(woodshop, plywood):
    """Made to order by the woodshop from 2 sheets of shared plywood each."""
    product = make_product(
        producer=woodshop,
        title="Shelf",
        price=Decimal("40.00"),
        fulfilment=MADE_TO_ORDER,
        lead_time_days=5,
    )
    BillOfMaterialsLine.objects.create(product=product, material=plywood, quantity=2)
    return product


@pytest.fixture
def puzzle(plywood):
    """An open design any laser-cutting co-op may make, from 1 sheet of plywood each."""
    origin = ProducerFactory(name="Designer", slug="designer", capabilities=["laser_cutting"])
    product = make_product(
        producer=origin,
        title="Puzzle",
        price=Decimal("18.00"),
        fulfilment=MADE_TO_ORDER,
        lead_time_days=3,
        open_design=True,
    )
    product.required_capabilities.set(origin.capabilities.all())
    BillOfMaterialsLine.objects.create(product=product, material=plywood, quantity=1)
    return product
