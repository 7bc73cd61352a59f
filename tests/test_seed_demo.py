from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from catalog.models import Offcut, Product, ProductImage, StockMovement
from catalog.offcut_selectors import offcut_drift
from fablab.hours import covers, weekly_windows
from fablab.models import Booking, Certification, Machine
from orders.models import Order, PickupPoint
from producers.models import Membership, Producer

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def seed(*args):
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def test_seed_demo_loads_the_fablab_and_coops_with_managers():
    seed("--no-images")

    assert Producer.objects.filter(kind="fablab").count() == 1
    assert Producer.objects.filter(kind="coop").count() >= 4
    for producer in Producer.objects.all():
        assert producer.capabilities.exists()
    assert Membership.objects.filter(user__username="technician", producer__kind="fablab").exists()


def test_seed_demo_stocks_the_shared_store_through_the_ledger():
    seed("--no-images")

    assert StockMovement.objects.filter(kind="receipt").count() >= 10
    assert StockMovement.objects.filter(kind="drawdown", producer__kind="coop").exists()
    call_command("reconcile_stock", stdout=StringIO())  # raises if a balance drifted


def test_seed_demo_fills_the_catalog_with_pictures_and_orders():
    output = seed()

    assert Product.objects.published().count() >= 35
    assert Product.objects.filter(open_design=True).count() >= 3
    assert ProductImage.objects.count() == Product.objects.count()
    assert ProductImage.objects.first().renditions
    assert Order.objects.filter(status="completed").exists()
    assert Order.objects.filter(status="in_production").exists()
    assert "resident / resident-demo-pass" in output


def test_seed_demo_twice_changes_nothing():
    seed("--no-images")
    counts = (
        Producer.objects.count(),
        Product.objects.count(),
        StockMovement.objects.count(),
        Order.objects.count(),
    )

    seed("--no-images")

    assert (
        Producer.objects.count(),
        Product.objects.count(),
        StockMovement.objects.count(),
        Order.objects.count(),
    ) == counts


def test_seed_demo_grows_a_large_catalog_in_bulk_with_a_consistent_ledger():
    output = seed("--no-images", "--products", "150")

    assert Product.objects.count() == 150
    assert ProductImage.objects.filter(product__slug__startswith="bulk-").count() == 150 - 40
    assert "150" in output
    call_command("reconcile_stock", stdout=StringIO())


def test_seed_demo_refuses_to_run_under_the_production_profile(settings):
    settings.DJANGO_ENV = "production"

    with pytest.raises(CommandError, match="production"):
        seed("--no-images")

    assert not get_user_model().objects.filter(username="admin").exists()
    assert not Producer.objects.exists()


def test_seed_demo_opens_the_center_kept_by_the_fab_lab_once():
    seed("--no-images")
    seed("--no-images")

    center = PickupPoint.objects.get()
    assert center.name == "The Center"
    assert center.keeper.kind == "fablab"
    assert center.active


def test_seed_demo_gives_the_fablab_its_machines_certified_people_and_bookings():
    seed("--no-images")

    capabilities = list(Machine.objects.values_list("capability__slug", flat=True))
    assert capabilities.count("laser_cutting") == 2
    assert capabilities.count("cnc_routing") == 1
    assert capabilities.count("3d_printing") == 6
    assert Certification.objects.current().filter(person__username="woodshop").count() == 2
    bookings = Booking.objects.active().select_related("machine")
    assert bookings.count() >= 5
    # Every demo booking fits its machine's opening hours.
    for booking in bookings:
        hours = booking.machine.opening_hours.all()
        assert covers(
            weekly_windows(hours, booking.starts_at, booking.ends_at),
            booking.starts_at,
            booking.ends_at,
        )


def test_seed_demo_puts_offcuts_on_the_racks_and_an_open_design_that_uses_them():
    seed("--no-images")

    materials = set(Offcut.objects.values_list("material__sku", flat=True))
    assert {"PLY-BIRCH-3MM", "ACR-CLEAR-3MM"} <= materials
    clipboard = Product.objects.get(title="Birch clipboard")
    assert clipboard.open_design
    assert clipboard.bom_lines.get().may_use_offcut
    assert offcut_drift() == []
    call_command("reconcile_stock", stdout=StringIO())
