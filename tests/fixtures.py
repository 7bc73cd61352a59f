"""The goods and places that tests in several directories share: one set of data.

Loaded for every test through `pytest_plugins` in tests/conftest.py; tests name these
fixtures as arguments and never import them. A test that depends on a particular value
(a price with cents, a co-op without a Stripe account) makes that thing itself with the
factories, so the value is visible in the test.
"""

from decimal import Decimal

import pytest

from catalog.models import BillOfMaterialsLine, Product
from catalog.services.products import product_stock_receive
from catalog.services.stock import stock_receive
from orders.models import PickupPoint
from tests.factories import (
    FabLabFactory,
    MaterialFactory,
    ProducerFactory,
    SharedLocationFactory,
    make_product,
)
from tests.orders.receivers import Receiver

MADE_TO_ORDER = Product.Fulfilment.MADE_TO_ORDER


@pytest.fixture
def shared_store():
    """The Fab Lab's shared rack."""
    return SharedLocationFactory(producer=FabLabFactory(), code="shared-rack")


@pytest.fixture
def plywood(shared_store):
    """10 sheets of plywood on the shared rack."""
    material = MaterialFactory(sku="PLY", name="Plywood")
    stock_receive(material=material, location=shared_store, quantity="10", by=None, reason="in")
    return material


@pytest.fixture
def woodshop():
    """A woodworking co-op with a connected Stripe account (payouts go to `acct_wood`)."""
    return ProducerFactory(
        name="Woodshop",
        slug="woodshop",
        capabilities=["woodworking"],
        stripe_account_id="acct_wood",
    )


@pytest.fixture
def sewing():
    """A sewing co-op that has not connected a Stripe account yet."""
    return ProducerFactory(name="Sewing", slug="sewing", capabilities=["sewing"])


@pytest.fixture
def stool(woodshop):
    """5 stools in stock at the woodshop, 60.00 each."""
    product = make_product(producer=woodshop, title="Stool", price=Decimal("60.00"))
    product_stock_receive(product=product, quantity=5, by=None, reason="made")
    return product


@pytest.fixture
def tote(sewing):
    """5 totes in stock at the sewing co-op, 28.00 each."""
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


@pytest.fixture
def media(settings, tmp_path):
    """Uploaded pictures land in the test's own temporary folder."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def receiver():
    """A co-op's webhook endpoint listening on 127.0.0.1 for the length of the test."""
    receiver = Receiver()
    receiver.start()
    yield receiver
    receiver.release.set()
    receiver.stop()


@pytest.fixture
def center():
    """The Center: a pickup point at the Fab Lab, kept by the Fab Lab's people."""
    return PickupPoint.objects.create(
        slug="the-center",
        name="The Center",
        address="1000 W Capitol St",
        opening_hours="Tue–Sat 10 am–6 pm",
        keeper=FabLabFactory(),
    )
