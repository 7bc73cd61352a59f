"""Browser tests: Playwright driving Debian's Chromium against the live test server."""

import os
from decimal import Decimal
from pathlib import Path

import pytest

from catalog.models import Product
from catalog.services.products import product_stock_receive
from catalog.services.stock import stock_receive
from tests.factories import (
    CategoryFactory,
    FabLabFactory,
    MaterialFactory,
    MembershipFactory,
    ProducerFactory,
    SharedLocationFactory,
    UserFactory,
    make_product,
)

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
WIDTHS = {"phone": 375, "desktop": 1280}


def pytest_collection_modifyitems(config, items):
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(reason="needs Chromium at /usr/bin/chromium (apt-get install chromium)")
    for item in items:
        if "e2e" in str(item.fspath):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture(params=list(WIDTHS), ids=list(WIDTHS))
def width(request):
    return WIDTHS[request.param]


@pytest.fixture
def browser_context_args(browser_context_args, width):
    return {**browser_context_args, "viewport": {"width": width, "height": 900}}


@pytest.fixture
def network(media):
    """Two co-ops with goods, a Fab Lab with a shared store, and the people who use them."""
    fablab = FabLabFactory(name="Community Fab Lab")
    shared = SharedLocationFactory(producer=fablab, code="fablab-rack", name="Sheet rack")
    plywood = MaterialFactory(sku="PLY-BIRCH-3MM", name="Birch plywood 3 mm")
    stock_receive(material=plywood, location=shared, quantity="20", by=None, reason="delivery")
    woodshop = ProducerFactory(name="West Jackson Woodshop", slug="woodshop")
    sewing = ProducerFactory(name="Common Thread Sewing", slug="sewing")
    kitchen = CategoryFactory(slug="kitchen", name="Kitchen")
    board = make_product(
        producer=woodshop,
        title="Walnut cutting board",
        price=Decimal("65.00"),
        category=kitchen,
        description="End-grain walnut.",
    )
    tote = make_product(
        producer=sewing,
        title="Market tote",
        price=Decimal("28.00"),
        description="Heavy canvas tote.",
    )
    make_product(
        producer=woodshop,
        title="Walnut serving tray",
        price=Decimal("42.00"),
        fulfilment=Product.Fulfilment.MADE_TO_ORDER,
        lead_time_days=5,
    )
    for product in (board, tote):
        product_stock_receive(product=product, quantity=5, by=None, reason="made")

    def person(username, producer=None, role="member"):
        user = UserFactory(username=username, email=f"{username}@example.org")
        if producer is not None:
            MembershipFactory(user=user, producer=producer, role=role)
        return user

    return {
        "woodshop": woodshop,
        "sewing": sewing,
        "plywood": plywood,
        "shared": shared,
        "manager": person("marcus", woodshop, "manager"),
        "technician": person("tasha", fablab),
        "resident": person("keisha"),
    }
