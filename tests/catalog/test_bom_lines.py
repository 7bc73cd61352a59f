"""One line of a bill of materials at a time: added, changed, removed, and at once."""

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from catalog.models import BillOfMaterialsLine, Material, Product
from catalog.services.products import bom_line_put, bom_line_remove
from tests.factories import MaterialFactory, make_product

MADE_TO_ORDER = Product.Fulfilment.MADE_TO_ORDER


def bill(product) -> dict[str, Decimal]:
    lines = BillOfMaterialsLine.objects.filter(product=product)
    return dict(lines.values_list("material__sku", "quantity"))


@pytest.fixture
def shelf(db):
    return make_product(title="Shelf", fulfilment=MADE_TO_ORDER)


@pytest.mark.django_db
def test_putting_a_line_keeps_the_others_and_changes_a_listed_material(shelf):
    ply, screws = MaterialFactory(sku="PLY"), MaterialFactory(sku="SCREW", unit="each")

    bom_line_put(product=shelf, material=ply, quantity="1.5")
    bom_line_put(product=shelf, material=screws, quantity="8")
    bom_line_put(product=shelf, material=ply, quantity="2")

    assert bill(shelf) == {"PLY": Decimal("2.000"), "SCREW": Decimal("8.000")}


@pytest.mark.django_db
def test_a_fraction_of_an_each_material_is_refused_and_the_bill_kept(shelf):
    ply, screws = MaterialFactory(sku="PLY"), MaterialFactory(sku="SCREW", unit="each")
    bom_line_put(product=shelf, material=ply, quantity="1")

    with pytest.raises(ValidationError) as refused:
        bom_line_put(product=shelf, material=screws, quantity="2.5")

    assert "quantity" in refused.value.message_dict
    assert bill(shelf) == {"PLY": Decimal("1.000")}


@pytest.mark.django_db
def test_a_finished_good_cannot_be_put_on_a_bill(shelf):
    stool = make_product(title="Stool")

    with pytest.raises(ValidationError):
        bom_line_put(product=shelf, material=stool.stock_item, quantity="1")

    assert bill(shelf) == {}


@pytest.mark.django_db
def test_removing_a_line_keeps_the_others(shelf):
    ply, glue = MaterialFactory(sku="PLY"), MaterialFactory(sku="GLUE")
    bom_line_put(product=shelf, material=ply, quantity="1")
    bom_line_put(product=shelf, material=glue, quantity="0.05")
    line = BillOfMaterialsLine.objects.get(material=glue)

    removed = bom_line_remove(product=shelf, line_id=line.pk)

    assert removed.material == glue
    assert bill(shelf) == {"PLY": Decimal("1.000")}


@pytest.mark.django_db
def test_another_products_line_cannot_be_removed_through_this_one(shelf):
    other = make_product(title="Bench", fulfilment=MADE_TO_ORDER)
    bom_line_put(product=other, material=MaterialFactory(), quantity="1")
    line = BillOfMaterialsLine.objects.get(product=other)

    with pytest.raises(BillOfMaterialsLine.DoesNotExist):
        bom_line_remove(product=shelf, line_id=line.pk)

    assert BillOfMaterialsLine.objects.filter(pk=line.pk).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_lines_added_at_the_same_time_are_all_kept():
    shelf = make_product(title="Shelf", fulfilment=MADE_TO_ORDER)
    materials = [MaterialFactory(sku=f"M{n}") for n in range(8)]
    barrier = threading.Barrier(len(materials))
    errors = []

    def add(material_id):
        try:
            product = Product.objects.get(pk=shelf.pk)
            material = Material.objects.get(pk=material_id)
            barrier.wait(timeout=30)
            bom_line_put(product=product, material=material, quantity="1")
        except Exception as exc:
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=add, args=(m.pk,)) for m in materials]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sorted(bill(shelf)) == [f"M{n}" for n in range(8)]
