"""A co-op's managers download its data as one zip: JSON, CSVs and pictures, its own only."""

import csv
import io
import json
import zipfile

import pytest

from catalog.models import StockLocation
from catalog.services.images import product_image_add
from catalog.services.products import product_stock_receive
from catalog.services.stock import stock_draw_down, stock_receive
from orders import exports
from producers.models import Membership
from tests.factories import (
    FabLabFactory,
    MaterialFactory,
    MembershipFactory,
    ProducerFactory,
    SharedLocationFactory,
    UserFactory,
    make_product,
    place,
)
from tests.images import jpeg, upload

pytestmark = pytest.mark.django_db

DOWNLOAD = "/workbench/co-ops/{}/export.zip"


def coop(marker: str):
    """A co-op whose every row carries `marker`, so its data can be told from another's."""
    producer = ProducerFactory(
        slug=f"coop-{marker.lower()}", name=f"Co-op {marker}", description=f"About {marker}"
    )
    manager = MembershipFactory(
        producer=producer, role=Membership.Role.MANAGER, user=UserFactory(username=f"boss{marker}")
    ).user
    product = make_product(producer=producer, title=f"Stool {marker}")
    image = product_image_add(product=product, upload=upload(jpeg()), alt_text=f"Photo {marker}")
    shelf = StockLocation.objects.create(
        producer=producer, code=f"shelf-{marker.lower()}", name=f"Shelf {marker}"
    )
    stock_receive(
        material=MaterialFactory(sku=f"MAT-{marker}"),
        location=shelf,
        quantity=3,
        by=None,
        reason=f"Delivery {marker}",
    )
    product_stock_receive(product=product, quantity=4, by=None, reason=f"Made {marker}")
    place((product, 1))
    return producer, manager, image


@pytest.fixture
def two_coops(media):
    fablab = FabLabFactory()
    shared = SharedLocationFactory(producer=fablab, code="shared")
    ply = MaterialFactory(sku="PLY-SHARED")
    stock_receive(material=ply, location=shared, quantity=10, by=None, reason="in")
    a = coop("ALPHA")
    b = coop("BRAVO")
    for (producer, _, _), marker in ((a, "ALPHA"), (b, "BRAVO")):
        stock_draw_down(
            material=ply,
            location=shared,
            quantity=1,
            by=None,
            reason=f"Drawdown {marker}",
            producer=producer,
        )
    return a, b


def download(client, producer) -> zipfile.ZipFile:
    response = client.get(DOWNLOAD.format(producer.slug))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"]
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def test_the_export_holds_json_a_csv_per_table_and_the_pictures(client, two_coops):
    (alpha, manager, image), _ = two_coops
    client.force_login(manager)

    archive = download(client, alpha)

    names = set(archive.namelist())
    assert "export.json" in names
    assert {f"csv/{table}.csv" for table in ["producer", *exports.TABLES]} <= names
    assert f"pictures/{image.image.name}" in names
    with image.image.open("rb") as original:
        assert archive.read(f"pictures/{image.image.name}") == original.read()
    data = json.loads(archive.read("export.json"))
    assert data["producer"]["slug"] == "coop-alpha"
    ledger = list(csv.DictReader(io.StringIO(archive.read("csv/stock_ledger.csv").decode())))
    assert {"Delivery ALPHA", "Made ALPHA", "Drawdown ALPHA"} <= {r["reason"] for r in ledger}


def test_the_export_holds_nothing_of_another_co_op(client, two_coops):
    (alpha, manager, _), _ = two_coops
    client.force_login(manager)

    archive = download(client, alpha)

    for name in archive.namelist():
        content = archive.read(name)
        assert b"BRAVO" not in content, name
        assert b"bravo" not in content, name


def test_webhook_secrets_stay_out_of_the_export(client, two_coops):
    (alpha, manager, _), _ = two_coops
    client.force_login(manager)

    archive = download(client, alpha)

    secret = alpha.webhook_secret.encode()
    assert all(secret not in archive.read(name) for name in archive.namelist())


def test_pictures_beyond_the_limit_are_named_but_left_out(client, two_coops, monkeypatch):
    (alpha, manager, image), _ = two_coops
    monkeypatch.setattr(exports, "MAX_PICTURE_BYTES", 10)
    client.force_login(manager)

    archive = download(client, alpha)

    assert not [n for n in archive.namelist() if n.startswith("pictures/")]
    assert json.loads(archive.read("export.json"))["pictures_left_out"] == [image.image.name]


def test_a_member_cannot_download_the_export(client, two_coops):
    (alpha, _, _), _ = two_coops
    client.force_login(MembershipFactory(producer=alpha, user=UserFactory()).user)

    assert client.get(DOWNLOAD.format(alpha.slug)).status_code == 403


def test_a_manager_cannot_download_another_co_ops_export(client, two_coops):
    (_, manager, _), (bravo, _, _) = two_coops
    client.force_login(manager)

    assert client.get(DOWNLOAD.format(bravo.slug)).status_code == 404
