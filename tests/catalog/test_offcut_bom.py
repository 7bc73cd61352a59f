"""A bill of materials line may say it can be cut from an offcut of at least a given size."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from catalog.models import BillOfMaterialsLine, Product
from catalog.services.offcuts import OffcutFit
from catalog.services.products import bom_line_put, bom_line_remove
from tests.factories import MaterialFactory, MembershipFactory, make_product

pytestmark = pytest.mark.django_db


@pytest.fixture
def coasters(coop):
    return make_product(
        producer=coop, title="Coasters", fulfilment=Product.Fulfilment.MADE_TO_ORDER
    )


@pytest.fixture
def birch():
    return MaterialFactory(sku="PLY-BIRCH", sheet_width_mm=1220, sheet_height_mm=2440)


def fits(product) -> dict:
    lines = BillOfMaterialsLine.objects.filter(product=product)
    return {
        line.material.sku: (
            line.min_offcut_width_mm,
            line.min_offcut_height_mm,
            line.min_offcut_amount,
        )
        for line in lines
    }


def test_a_line_keeps_its_offcut_size_when_other_lines_change(coasters, birch):
    felt = MaterialFactory(sku="FELT", unit="m")
    bom_line_put(product=coasters, material=birch, quantity="0.02", offcut=OffcutFit(300, 200))

    bom_line_put(product=coasters, material=felt, quantity="0.1", offcut=OffcutFit(amount="0.5"))
    screws = MaterialFactory(sku="SCREW", unit="each")
    bom_line_put(product=coasters, material=screws, quantity="4")
    bom_line_remove(product=coasters, line_id=coasters.bom_lines.get(material=screws).pk)

    assert fits(coasters) == {
        "PLY-BIRCH": (300, 200, None),
        "FELT": (None, None, Decimal("0.500")),
    }


@pytest.mark.parametrize(
    ("fit", "field"),
    [
        (OffcutFit(1300, 2500), "min_offcut_width_mm"),  # no piece is bigger than a sheet
        (OffcutFit(300, None), "min_offcut_height_mm"),
        (OffcutFit(0, 200), "min_offcut_width_mm"),
        (OffcutFit(amount="0.5"), "min_offcut_width_mm"),
    ],
)
def test_an_impossible_offcut_size_is_refused_and_the_bill_kept(coasters, birch, fit, field):
    bom_line_put(product=coasters, material=birch, quantity="0.02")

    with pytest.raises(ValidationError) as caught:
        bom_line_put(product=coasters, material=birch, quantity="0.03", offcut=fit)

    assert field in caught.value.message_dict
    assert fits(coasters) == {"PLY-BIRCH": (None, None, None)}


def test_counted_goods_take_no_offcut_size(coasters):
    screws = MaterialFactory(sku="SCREW", unit="each")

    with pytest.raises(ValidationError):
        bom_line_put(product=coasters, material=screws, quantity="4", offcut=OffcutFit(10, 10))


def test_the_api_sets_and_shows_the_offcut_size(api, coop, coasters, birch):
    api.as_user(MembershipFactory(producer=coop).user)
    line = {"material": birch.sku, "quantity": "0.02"}

    saved = api.put(
        f"/api/v1/products/{coasters.slug}/bom/",
        {"lines": [{**line, "min_offcut_width_mm": 300, "min_offcut_height_mm": 200}]},
        format="json",
    )
    too_big = api.put(
        f"/api/v1/products/{coasters.slug}/bom/",
        {"lines": [{**line, "min_offcut_width_mm": 3000, "min_offcut_height_mm": 200}]},
        format="json",
    )

    assert saved.status_code == 200
    assert (saved.json()[0]["min_offcut_width_mm"], saved.json()[0]["min_offcut_height_mm"]) == (
        300,
        200,
    )
    assert too_big.status_code == 400
    assert "min_offcut_width_mm" in too_big.json()["errors"]
    assert fits(coasters) == {"PLY-BIRCH": (300, 200, None)}


def test_the_workbench_form_sets_the_offcut_size(client, coop, coasters, birch, shared_store):
    from catalog.services.stock import stock_receive

    stock_receive(material=birch, location=shared_store, quantity="2", by=None, reason="in")
    manager = MembershipFactory(producer=coop, role="manager").user
    client.force_login(manager)
    url = f"/workbench/co-ops/{coop.slug}/products/{coasters.pk}/materials/"

    done = client.post(
        url,
        {
            "material": birch.pk,
            "quantity": "0.02",
            "min_offcut_width_mm": "300",
            "min_offcut_height_mm": "200",
        },
        follow=True,
    )

    assert "may use an offcut of at least 300 × 200 mm" in done.text
    refused = client.post(
        url,
        {"material": birch.pk, "quantity": "0.02", "min_offcut_width_mm": "300"},
    )
    assert refused.status_code == 400
    assert fits(coasters) == {"PLY-BIRCH": (300, 200, None)}
