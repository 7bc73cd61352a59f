"""The Offcuts page, the job card's piece and the usage report's savings, as people see them."""

from decimal import Decimal

import pytest

from catalog.models import BillOfMaterialsLine, Offcut, Product
from catalog.services.offcuts import offcut_record
from catalog.services.stock import stock_receive
from orders.services.jobs import job_accept, job_start
from tests.factories import MaterialFactory, certify_a_member, make_product, place

pytestmark = pytest.mark.django_db


@pytest.fixture
def birch(shared_store):
    material = MaterialFactory(
        sku="PLY-BIRCH", name="Birch plywood", sheet_width_mm=1220, sheet_height_mm=2440
    )
    stock_receive(material=material, location=shared_store, quantity="4", by=None, reason="in")
    return material


def piece(birch, shared_store, width=400, height=300):
    return offcut_record(
        material=birch,
        location=shared_store,
        width_mm=width,
        height_mm=height,
        kept_at="Rack B",
        source="Job 9",
        by=None,
    )


def record_body(birch, shared_store, **extra):
    fields = {
        "material": birch.pk,
        "location": shared_store.pk,
        "width_mm": "600",
        "height_mm": "300",
        "kept_at": "Rack B, top slot",
        "source": "Job 12, shelf brackets",
        **extra,
    }
    return {f"record-{key}": value for key, value in fields.items()}


def test_a_member_records_a_piece_and_finds_it_by_size(client, coop_member, birch, shared_store):
    client.force_login(coop_member)

    done = client.post("/workbench/offcuts/record/", record_body(birch, shared_store), follow=True)

    assert "recorded: 600 × 300 mm of Birch plywood, kept at Rack B, top slot" in done.text
    found = client.get(
        f"/workbench/offcuts/?material={birch.pk}&min_width_mm=250&min_height_mm=550"
    )
    assert "600 × 300 mm" in found.text
    none = client.get(f"/workbench/offcuts/?material={birch.pk}&min_width_mm=700&min_height_mm=700")
    assert "No piece on the racks is that big" in none.text


def test_a_piece_larger_than_the_sheet_is_refused_next_to_its_field(
    client, coop_member, birch, shared_store
):
    client.force_login(coop_member)

    response = client.post(
        "/workbench/offcuts/record/",
        record_body(birch, shared_store, width_mm="1500", height_mm="2500"),
    )

    assert response.status_code == 400
    assert "larger than a whole sheet of Birch plywood (1220 × 2440 mm)" in response.text
    assert not Offcut.objects.exists()


def test_a_member_draws_a_piece_down_for_their_coop(client, coop, coop_member, birch, shared_store):
    held = piece(birch, shared_store)
    client.force_login(coop_member)

    done = client.post(
        f"/workbench/offcuts/{held.pk}/draw-down/",
        {f"use-{held.pk}-reason": "Coasters", f"use-{held.pk}-producer": coop.pk},
        follow=True,
    )

    assert f"Offcut #{held.pk} drawn down for {coop.name}." in done.text
    held.refresh_from_db()
    assert held.status == Offcut.Status.USED


def test_only_the_fab_lab_throws_away_pieces_on_its_racks(
    client, coop_member, technician, birch, shared_store
):
    held = piece(birch, shared_store)
    body = {f"discard-{held.pk}-reason": "Warped"}

    client.force_login(coop_member)
    refused = client.post(f"/workbench/offcuts/{held.pk}/discard/", body)
    client.force_login(technician)
    done = client.post(f"/workbench/offcuts/{held.pk}/discard/", body, follow=True)

    assert refused.status_code == 403
    assert "throw offcuts away: ask the Fab Lab" in refused.text
    assert f"Offcut #{held.pk} discarded" in done.text


def test_the_job_card_says_which_piece_to_use_and_the_report_what_it_saved(
    client, woodshop, birch, shared_store
):
    product = make_product(
        producer=woodshop, title="Coasters", fulfilment=Product.Fulfilment.MADE_TO_ORDER
    )
    BillOfMaterialsLine.objects.create(
        product=product,
        material=birch,
        quantity=Decimal("0.02"),
        min_offcut_width_mm=300,
        min_offcut_height_mm=200,
    )
    held = piece(birch, shared_store)
    maker = certify_a_member(woodshop)
    job = place((product, 1)).jobs.get()
    client.force_login(maker)

    board = client.get("/workbench/")
    assert f"uses offcut #{held.pk}, 400 × 300 mm, Rack B" in board.text

    job_start(job=job_accept(job=job, by=None), by=None)
    report = client.get("/workbench/report/")
    assert "Saved through offcuts" in report.text
    assert "0.04 sheet" in report.text  # the piece, 400 × 300 mm of a 1220 × 2440 sheet
    assert "$0.50" in report.text
