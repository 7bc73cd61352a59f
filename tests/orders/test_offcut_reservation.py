"""A BOM line that may use an offcut takes the smallest that fits before whole stock."""

from decimal import Decimal

import pytest

from catalog.models import BillOfMaterialsLine, Offcut, Product
from catalog.offcut_selectors import offcut_drift, offcut_history
from catalog.services.offcuts import offcut_record
from catalog.services.stock import stock_receive
from orders.models import Allocation
from orders.services.jobs import job_accept, job_decline, job_start
from tests.factories import MaterialFactory, make_product, place

pytestmark = pytest.mark.django_db


@pytest.fixture
def birch(shared_store):
    material = MaterialFactory(
        sku="PLY-BIRCH", name="Birch plywood", sheet_width_mm=1220, sheet_height_mm=2440
    )
    stock_receive(material=material, location=shared_store, quantity="4", by=None, reason="in")
    return material


@pytest.fixture
def coaster(woodshop, birch):
    """Coasters take 0.02 of a sheet each and may be cut from a 300 × 200 mm offcut."""
    product = make_product(
        producer=woodshop,
        title="Coasters",
        fulfilment=Product.Fulfilment.MADE_TO_ORDER,
        lead_time_days=2,
    )
    BillOfMaterialsLine.objects.create(
        product=product,
        material=birch,
        quantity=Decimal("0.02"),
        min_offcut_width_mm=300,
        min_offcut_height_mm=200,
    )
    return product


def piece(material, location, width, height):
    return offcut_record(
        material=material,
        location=location,
        width_mm=width,
        height_mm=height,
        kept_at="Offcut bin",
        source="Job 1",
        by=None,
    )


def test_the_smallest_fitting_offcut_is_held_before_a_whole_sheet(coaster, birch, shared_store):
    too_small = piece(birch, shared_store, 250, 250)
    bigger = piece(birch, shared_store, 600, 400)
    smallest = piece(birch, shared_store, 210, 310)  # fits turned round

    order = place((coaster, 1))

    job = order.jobs.get()
    allocation = Allocation.objects.get(job=job)
    assert allocation.offcut == smallest
    assert allocation.quantity == Decimal("0.020")
    smallest.refresh_from_db()
    assert smallest.status == Offcut.Status.RESERVED
    assert Offcut.objects.get(pk=bigger.pk).status == Offcut.Status.AVAILABLE
    assert Offcut.objects.get(pk=too_small.pk).status == Offcut.Status.AVAILABLE


def test_units_no_offcut_fits_come_from_whole_sheets(coaster, birch, shared_store):
    only = piece(birch, shared_store, 400, 300)

    order = place((coaster, 3))

    allocations = Allocation.objects.filter(job__order=order)
    assert {(a.offcut_id, a.quantity) for a in allocations} == {
        (only.pk, Decimal("0.020")),
        (None, Decimal("0.040")),
    }


def test_without_offcuts_the_line_takes_whole_stock(coaster, birch):
    order = place((coaster, 1))

    allocation = Allocation.objects.get(job__order=order)
    assert allocation.offcut is None
    assert allocation.quantity == Decimal("0.020")


def test_a_line_that_may_not_use_offcuts_leaves_them_on_the_rack(coaster, birch, shared_store):
    coaster.bom_lines.update(min_offcut_width_mm=None, min_offcut_height_mm=None)
    spare = piece(birch, shared_store, 400, 300)

    place((coaster, 1))

    spare.refresh_from_db()
    assert spare.status == Offcut.Status.AVAILABLE


def test_declining_the_job_puts_the_offcut_back_on_the_rack(coaster, birch, shared_store):
    held = piece(birch, shared_store, 400, 300)
    job = place((coaster, 1)).jobs.get()

    job_decline(job=job, by=None, reason="Laser is down")

    held.refresh_from_db()
    assert held.status == Offcut.Status.AVAILABLE
    assert offcut_drift() == []


def test_starting_the_job_uses_the_offcut(coaster, birch, shared_store, woodshop):
    from tests.factories import certify_a_member

    certify_a_member(woodshop)
    held = piece(birch, shared_store, 400, 300)
    job = place((coaster, 1)).jobs.get()

    job_start(job=job_accept(job=job, by=None), by=None)

    held.refresh_from_db()
    assert held.status == Offcut.Status.USED
    used = offcut_history(held).get(kind="offcut_used")
    assert used.producer == woodshop
    assert used.quantity == -held.quantity
    assert offcut_drift() == []


def test_a_fitting_offcut_on_the_shared_rack_comes_before_the_coops_own_whole_sheets(
    coaster, birch, shared_store, woodshop
):
    from tests.factories import StockLocationFactory

    own = StockLocationFactory(producer=woodshop, code="woodshop-rack")
    stock_receive(material=birch, location=own, quantity="3", by=None, reason="in")
    held = piece(birch, shared_store, 400, 300)

    order = place((coaster, 1))

    allocation = Allocation.objects.get(job__order=order)
    assert (allocation.location, allocation.offcut) == (shared_store, held)


def test_without_a_fitting_offcut_the_coops_own_shelf_comes_first(
    coaster, birch, shared_store, woodshop
):
    from tests.factories import StockLocationFactory

    own = StockLocationFactory(producer=woodshop, code="woodshop-rack")
    stock_receive(material=birch, location=own, quantity="3", by=None, reason="in")
    piece(birch, shared_store, 250, 150)  # too small

    order = place((coaster, 1))

    allocation = Allocation.objects.get(job__order=order)
    assert (allocation.location, allocation.offcut) == (own, None)
