"""`manage.py export_producer`: a co-op's own data, nobody else's, and no secrets."""

import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from catalog.models import BillOfMaterialsLine
from catalog.services.stock import stock_receive
from orders.models import Job, Payout
from orders.services import job_accept, job_decline
from producers.models import Membership
from producers.services import producer_rotate_webhook_secret
from tests.factories import (
    MaterialFactory,
    MembershipFactory,
    ProducerFactory,
    StockLocationFactory,
    UserFactory,
    make_product,
    place,
)
from tests.orders.receivers import make_job

pytestmark = pytest.mark.django_db


def furnish(slug: str) -> dict:
    """A co-op with a manager, a product with a BOM, a shelf with stock, a job and a payout."""
    producer = ProducerFactory(slug=slug, name=f"{slug} co-op", webhook_url="")
    producer_rotate_webhook_secret(producer=producer)
    manager = MembershipFactory(
        producer=producer, role=Membership.Role.MANAGER, user=UserFactory(username=f"{slug}-boss")
    ).user
    material = MaterialFactory(sku=f"{slug.upper()}-PLY", name=f"{slug} plywood")
    product = make_product(producer=producer, title=f"{slug} stool", price=Decimal("40.00"))
    BillOfMaterialsLine.objects.create(product=product, material=material, quantity=Decimal("2"))
    shelf = StockLocationFactory(producer=producer, code=f"{slug}-shelf", name=f"{slug} shelf")
    stock_receive(
        material=material, location=shelf, quantity=10, by=manager, reason=f"{slug} delivery"
    )
    job = make_job(producer=producer)
    job_accept(job=job, by=manager)
    Payout.objects.create(
        job=job,
        producer=producer,
        amount=Decimal("85.50"),
        community_share=Decimal("4.50"),
        community_percent=Decimal("5"),
    )
    producer.refresh_from_db()
    return {"producer": producer, "job": job, "product": product, "material": material}


def export(slug: str) -> tuple[str, dict]:
    out = StringIO()
    call_command("export_producer", slug, stdout=out)
    text = out.getvalue()
    return text, json.loads(text)


def test_the_export_holds_the_coops_own_data():
    mine = furnish("woodshop")
    furnish("printshop")

    _, data = export("woodshop")

    assert data["producer"]["slug"] == "woodshop"
    assert data["members"] == [
        {"username": "woodshop-boss", "role": "manager", "since": data["members"][0]["since"]}
    ]
    titles = sorted(product["title"] for product in data["products"])
    assert titles == ["Cedar planter box", "woodshop stool"]
    product = next(p for p in data["products"] if p["title"] == "woodshop stool")
    assert product["bill_of_materials"] == [
        {"material": "WOODSHOP-PLY", "name": "woodshop plywood", "quantity": "2.000"}
    ]
    codes = [location["code"] for location in data["stock_locations"]]
    assert "woodshop-shelf" in codes
    shelf = next(loc for loc in data["stock_locations"] if loc["code"] == "woodshop-shelf")
    assert shelf["balances"][0]["on_hand"] == "10.000"
    assert any(m["reason"] == "woodshop delivery" for m in data["stock_ledger"])
    [job] = data["jobs"]
    assert job["id"] == mine["job"].pk
    assert [line["title"] for line in job["lines"]] == ["Cedar planter box"]
    assert [t["to"] for t in job["transitions"]][-1] == "accepted"
    assert job["transitions"][-1]["by"] == "woodshop-boss"
    assert [p["amount"] for p in data["payouts"]] == ["85.50"]


def test_the_export_holds_nothing_of_another_coop():
    furnish("woodshop")
    theirs = furnish("printshop")

    text, _ = export("woodshop")

    for needle in ["printshop", "PRINTSHOP", theirs["job"].order.number]:
        assert needle not in text


def test_the_export_holds_no_secrets():
    mine = furnish("woodshop")
    order = mine["job"].order

    text, data = export("woodshop")

    producer = mine["producer"]
    assert producer.webhook_secret
    assert producer.webhook_secret_previous
    assert producer.webhook_secret not in text
    assert producer.webhook_secret_previous not in text
    assert "webhook_secret" not in data["producer"]
    assert order.access_token not in text
    assert order.contact_email not in text
    assert "password" not in text


def test_the_export_can_go_to_a_file(tmp_path):
    furnish("woodshop")
    target = tmp_path / "woodshop.json"

    call_command("export_producer", "woodshop", "--output", str(target), stderr=StringIO())

    assert json.loads(target.read_text())["producer"]["slug"] == "woodshop"


def test_an_unknown_slug_is_an_error():
    with pytest.raises(CommandError, match="No producer"):
        call_command("export_producer", "nobody", stdout=StringIO())


def test_the_export_holds_the_reservations_of_a_job_rerouted_to_the_coop(puzzle):
    ProducerFactory(name="Second", slug="second", capabilities=["laser_cutting"])
    declined = place((puzzle, 1)).jobs.get()
    job_decline(job=declined, by=None, reason="Laser is down")
    rerouted = Job.objects.get(producer__slug="second")

    _, data = export("second")

    assert [(m["kind"], m["quantity"]) for m in data["stock_ledger"]] == [("reserve", "1.000")]
    assert data["stock_ledger"][0]["reference"] == f"job-{rerouted.pk}"
