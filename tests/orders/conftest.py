from decimal import Decimal

import pytest
from django.conf import settings
from django.test import override_settings

from catalog.models import BillOfMaterialsLine, Product
from catalog.services.products import product_stock_receive
from catalog.services.stock import stock_receive
from orders.services import Contact, order_place
from tests.factories import (
    FabLabFactory,
    MaterialFactory,
    ProducerFactory,
    SharedLocationFactory,
    make_product,
)

MADE_TO_ORDER = Product.Fulfilment.MADE_TO_ORDER
GUEST = Contact(name="Keisha Brown", email="keisha@example.org", phone="601-555-0142")


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


def place(*lines, payment_method="pay_at_pickup", customer=None, **kwargs):
    # Card orders are taken only where Stripe is configured; placing one needs no call to it.
    stripe_key = settings.STRIPE_SECRET_KEY or "sk_test_placing_only"
    with override_settings(STRIPE_SECRET_KEY=stripe_key):
        return order_place(
            customer=customer,
            contact=kwargs.pop("contact", GUEST),
            lines=list(lines),
            fulfilment=kwargs.pop("fulfilment", "pickup"),
            payment_method=payment_method,
            **kwargs,
        )
