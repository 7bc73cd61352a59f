"""Fields the API reads out but must never take in: sending them changes nothing."""

from decimal import Decimal

import pytest

from catalog.models import Material, Product, StockBalance, StockMovement
from catalog.services.products import product_stock_receive
from catalog.services.stock import stock_receive
from orders.models import Job, Order
from orders.services import Contact, order_place
from producers.models import Producer
from tests.factories import (
    MaterialFactory,
    StockLocationFactory,
    UserFactory,
    make_product,
)

pytestmark = pytest.mark.django_db

LONG_AGO = "2001-01-01T00:00:00Z"


def producer_url(producer: Producer) -> str:
    return f"/api/v1/producers/{producer.slug}/"


def product_url(product: Product) -> str:
    return f"/api/v1/products/{product.slug}/"


def snapshot(obj, *fields) -> dict:
    obj.refresh_from_db()
    return {field: getattr(obj, field) for field in fields}


@pytest.fixture
def product(coop):
    made = make_product(producer=coop, title="Walnut stool", price=Decimal("60.00"))
    product_stock_receive(product=made, quantity=5, by=None, reason="made")
    return made


@pytest.fixture
def order(product, resident):
    return order_place(
        customer=resident,
        contact=Contact(name="Keisha Brown", email="keisha@example.org"),
        lines=[(product, 1)],
        fulfilment="pickup",
        payment_method="pay_at_pickup",
    )


@pytest.fixture
def shelf_balance(coop):
    material = MaterialFactory()
    shelf = StockLocationFactory(producer=coop)
    stock_receive(material=material, location=shelf, quantity="4", by=None, reason="in")
    return StockBalance.objects.get(material=material, location=shelf)


# --- Producers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [("kind", Producer.Kind.FABLAB), ("slug", "renamed-coop"), ("stripe_account_id", "acct_X")],
)
def test_a_manager_cannot_change_a_field_only_platform_staff_set(
    api, coop, coop_manager, field, value
):
    before = snapshot(coop, field)

    response = api.as_user(coop_manager).patch(producer_url(coop), {field: value}, format="json")

    assert response.status_code == 200
    assert snapshot(coop, field) == before


def test_a_manager_cannot_choose_the_webhook_secret(api, coop, coop_manager):
    before = snapshot(coop, "webhook_secret", "webhook_secret_rotated_at")

    response = api.as_user(coop_manager).patch(
        producer_url(coop), {"webhook_secret": "chosen-by-me"}, format="json"
    )

    assert response.status_code == 200
    assert snapshot(coop, "webhook_secret", "webhook_secret_rotated_at") == before
    assert "webhook_secret" not in response.json()


# --- Products ----------------------------------------------------------------------------


def test_a_member_cannot_move_a_product_to_another_co_op(
    api, product, coop, other_coop, coop_member
):
    response = api.as_user(coop_member).patch(
        product_url(product), {"producer": other_coop.slug}, format="json"
    )

    assert response.status_code == 200
    assert snapshot(product, "producer_id") == {"producer_id": coop.pk}


def test_a_member_cannot_point_a_product_at_another_stock_item(api, product, coop_member):
    other = make_product(producer=product.producer, title="Other stool")
    before = snapshot(product, "stock_item_id")

    response = api.as_user(coop_member).patch(
        product_url(product), {"stock_item": other.stock_item_id}, format="json"
    )

    assert response.status_code == 200
    assert snapshot(product, "stock_item_id") == before
    assert before["stock_item_id"] != other.stock_item_id


def test_a_member_cannot_write_a_products_search_text(api, product, coop_member):
    before = snapshot(product, "search_text")

    response = api.as_user(coop_member).patch(
        product_url(product), {"search_text": "free cheap discount"}, format="json"
    )

    assert response.status_code == 200
    assert snapshot(product, "search_text") == before


def test_a_member_cannot_backdate_a_products_publication(api, product, coop_member):
    before = snapshot(product, "published_at")

    response = api.as_user(coop_member).patch(
        product_url(product), {"published_at": LONG_AGO}, format="json"
    )

    assert response.status_code == 200
    assert snapshot(product, "published_at") == before


def test_creating_a_product_ignores_its_stock_item_search_text_and_publication_date(
    api, product, coop_member
):
    body = {
        "title": "Cedar box",
        "price": "30.00",
        "status": "draft",
        "stock_item": product.stock_item_id,
        "search_text": "free cheap discount",
        "published_at": LONG_AGO,
    }

    response = api.as_user(coop_member).post("/api/v1/products/", body, format="json")

    assert response.status_code == 201
    created = Product.objects.get(slug=response.json()["slug"])
    assert created.stock_item_id != product.stock_item_id
    assert "discount" not in created.search_text
    assert created.published_at is None


# --- Materials ---------------------------------------------------------------------------


def test_a_co_op_member_cannot_edit_a_material(api, coop_member):
    material = MaterialFactory(unit_cost=Decimal("12.5000"))

    response = api.as_user(coop_member).patch(
        f"/api/v1/materials/{material.sku}/",
        {"unit_cost": "0.0100", "name": "Free plywood", "active": False},
        format="json",
    )

    assert response.status_code == 403
    assert snapshot(material, "unit_cost", "name", "active") == {
        "unit_cost": Decimal("12.5000"),
        "name": material.name,
        "active": True,
    }


def test_a_co_op_member_cannot_add_a_material(api, coop_member):
    body = {"sku": "NEW-1", "name": "New sheet", "unit": "sheet", "category": "sheet_goods"}

    response = api.as_user(coop_member).post("/api/v1/materials/", body, format="json")

    assert response.status_code == 403
    assert not Material.objects.filter(sku="NEW-1").exists()


# --- Orders ------------------------------------------------------------------------------


def order_body(product: Product, **extra) -> dict:
    return {
        "lines": [{"product": product.slug, "quantity": 2, "unit_price": "0.01"}],
        "contact": {"name": "Pat Doe", "email": "pat@example.org"},
        "fulfilment": "pickup",
        "payment_method": "pay_at_pickup",
        **extra,
    }


def test_an_order_is_priced_from_the_catalog_not_from_the_body(api, product, resident):
    body = order_body(product, total="0.01", subtotal="0.01")

    response = api.as_user(resident).post("/api/v1/orders/", body, format="json")

    assert response.status_code == 201
    order = Order.objects.get(number=response.json()["number"])
    assert (order.subtotal, order.total) == (Decimal("120.00"), Decimal("120.00"))
    assert order.lines.get().unit_price == Decimal("60.00")


def test_an_order_takes_the_status_the_rules_give_it_not_the_body(api, product, resident):
    body = order_body(product, status="completed")

    response = api.as_user(resident).post("/api/v1/orders/", body, format="json")

    assert response.status_code == 201
    assert Order.objects.get(number=response.json()["number"]).status == Order.Status.PAID


def test_an_order_belongs_to_whoever_places_it_not_to_a_customer_named_in_the_body(
    api, product, resident
):
    victim = UserFactory(username="victim")
    body = order_body(product, customer=victim.pk)

    response = api.as_user(resident).post("/api/v1/orders/", body, format="json")

    assert response.status_code == 201
    assert Order.objects.get(number=response.json()["number"]).customer == resident
    assert not victim.orders.exists()


def test_a_guest_order_names_no_customer_even_if_the_body_does(api, product, resident):
    response = api.post("/api/v1/orders/", order_body(product, customer=resident.pk), format="json")

    assert response.status_code == 201
    assert Order.objects.get(number=response.json()["number"]).customer is None


def test_an_order_gets_a_fresh_access_token_whatever_the_body_says(api, product):
    chosen = "a-token-the-client-chose-for-itself-0123456789"

    response = api.post("/api/v1/orders/", order_body(product, access_token=chosen), format="json")

    assert response.status_code == 201
    order = Order.objects.get(number=response.json()["number"])
    assert order.access_token != chosen
    assert response.json()["access_token"] == order.access_token


# --- Jobs, stock and the ledger ----------------------------------------------------------


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_a_job_cannot_be_edited_directly(api, order, coop_member, method):
    job = order.jobs.get()
    before = snapshot(job, "status", "total", "producer_id", "due_date")

    response = getattr(api.as_user(coop_member), method)(
        f"/api/v1/jobs/{job.pk}/", {"status": "handed_over", "total": "0.00"}, format="json"
    )

    assert response.status_code == 405
    assert snapshot(job, "status", "total", "producer_id", "due_date") == before
    assert Job.objects.filter(pk=job.pk).exists()


@pytest.mark.parametrize("method", ["post", "put", "patch"])
def test_stock_balances_cannot_be_written_directly(api, shelf_balance, coop_member, method):
    before = snapshot(shelf_balance, "on_hand", "reserved")
    body = {
        "material": shelf_balance.material.sku,
        "location": shelf_balance.location.code,
        "on_hand": "999",
        "reserved": "0",
    }

    response = getattr(api.as_user(coop_member), method)("/api/v1/stock/", body, format="json")

    assert response.status_code == 405
    assert snapshot(shelf_balance, "on_hand", "reserved") == before


@pytest.mark.parametrize(
    ("method", "on_detail"),
    [("post", False), ("put", True), ("patch", True), ("delete", True)],
)
def test_ledger_rows_cannot_be_written_or_deleted(
    api, shelf_balance, coop_member, staff, method, on_detail
):
    movement = StockMovement.objects.filter(balance=shelf_balance).latest("id")
    before = snapshot(movement, "quantity", "on_hand_after", "kind", "reason")
    count = StockMovement.objects.count()
    url = f"/api/v1/stock-movements/{movement.pk}/" if on_detail else "/api/v1/stock-movements/"
    body = {"quantity": "999", "kind": "receipt", "reason": "rewritten"}

    for user in (coop_member, staff):
        response = getattr(api.as_user(user), method)(url, body, format="json")
        assert response.status_code == 405

    assert snapshot(movement, "quantity", "on_hand_after", "kind", "reason") == before
    assert StockMovement.objects.count() == count
