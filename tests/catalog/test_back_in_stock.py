"""'Tell me when it is back': requests kept within bounds, and one email per request once
the goods are free again, queued with the stock change and sent through the outbox."""

from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.exceptions import NotSoldOut
from catalog.models import BackInStockRequest, Product
from catalog.services import back_in_stock as service
from catalog.services.back_in_stock import back_in_stock_claim, back_in_stock_request
from catalog.services.products import (
    finished_goods_location,
    product_stock_count,
    product_stock_receive,
)
from catalog.services.stock import StockLine, stock_receive, stock_release, stock_reserve
from orders.models import Email
from tests.factories import UserFactory, make_product

pytestmark = pytest.mark.django_db


@pytest.fixture
def bench(woodshop):
    """A ready-made bench with none made yet: sold out."""
    woodshop.pickup_address = "Back door, 12 Oak St"
    woodshop.opening_hours = "Tue–Sat 10 am–6 pm"
    woodshop.save()
    return make_product(producer=woodshop, title="Bench", price=Decimal("120.00"))


def receive(product, quantity=3):
    return product_stock_receive(product=product, quantity=quantity, by=None, reason="made")


def pending(product) -> list[str]:
    return sorted(
        BackInStockRequest.objects.filter(product=product, notified_at__isnull=True).values_list(
            "email", flat=True
        )
    )


# --- Asking ------------------------------------------------------------------------------


def test_a_resident_can_ask_to_be_told_when_a_sold_out_product_is_back(bench):
    request = back_in_stock_request(product=bench, email="keisha@example.org")

    assert request is not None
    assert pending(bench) == ["keisha@example.org"]


def test_asking_twice_with_the_same_address_in_any_case_keeps_one_request(bench):
    first = back_in_stock_request(product=bench, email="Keisha@Example.org")
    second = back_in_stock_request(product=bench, email=" keisha@example.org ")

    assert first.pk == second.pk
    assert pending(bench) == ["keisha@example.org"]


def test_a_product_that_is_in_stock_cannot_be_waited_for(stool):
    with pytest.raises(NotSoldOut):
        back_in_stock_request(product=stool, email="keisha@example.org")
    assert not BackInStockRequest.objects.exists()


def test_a_made_to_order_product_cannot_be_waited_for(shelf):
    with pytest.raises(NotSoldOut):
        back_in_stock_request(product=shelf, email="keisha@example.org")


def test_a_product_that_is_not_on_sale_cannot_be_waited_for(woodshop):
    draft = make_product(producer=woodshop, title="Draft", status=Product.Status.DRAFT)

    with pytest.raises(NotSoldOut):
        back_in_stock_request(product=draft, email="keisha@example.org")


def test_one_address_waits_for_a_bounded_number_of_products(woodshop, monkeypatch):
    monkeypatch.setattr(service, "MAX_PENDING_PER_EMAIL", 2)
    products = [make_product(producer=woodshop, title=f"Bench {n}") for n in range(3)]

    answers = [back_in_stock_request(product=p, email="many@example.org") for p in products]

    assert [answer is not None for answer in answers] == [True, True, False]
    assert BackInStockRequest.objects.count() == 2


def test_one_product_keeps_a_bounded_number_of_waiting_addresses(bench, monkeypatch):
    monkeypatch.setattr(service, "MAX_PENDING_PER_PRODUCT", 2)

    for n in range(4):
        back_in_stock_request(product=bench, email=f"person{n}@example.org")

    assert len(pending(bench)) == 2


# --- Telling -----------------------------------------------------------------------------


def test_receiving_goods_emails_each_waiting_address_once(bench):
    back_in_stock_request(product=bench, email="keisha@example.org")
    back_in_stock_request(product=bench, email="andre@example.org")

    receive(bench)

    assert sorted(message.to[0] for message in mail.outbox) == [
        "andre@example.org",
        "keisha@example.org",
    ]
    assert pending(bench) == []
    assert BackInStockRequest.objects.filter(notified_at__isnull=False).count() == 2


def test_the_email_says_what_is_back_where_and_why_it_was_sent(bench):
    back_in_stock_request(product=bench, email="keisha@example.org")

    receive(bench)

    (message,) = mail.outbox
    assert message.subject == "Bench is back"
    assert "/products/bench/" in message.body
    assert "someone asked, on that product's page, to be told at this address" in message.body
    assert "Back door, 12 Oak St (Tue–Sat 10 am–6 pm)" in message.body
    email = Email.objects.get(kind="product.back_in_stock")
    assert email.producer == bench.producer
    assert email.state == "delivered"


def test_receiving_again_sends_nothing_more(bench):
    back_in_stock_request(product=bench, email="keisha@example.org")
    receive(bench)

    receive(bench)

    assert len(mail.outbox) == 1


def test_an_address_told_once_may_ask_again_after_the_goods_sell_out_again(bench):
    back_in_stock_request(product=bench, email="keisha@example.org")
    receive(bench, quantity=1)
    product_stock_count(product=bench, counted=0, by=None, reason="sold at a market")

    again = back_in_stock_request(product=bench, email="keisha@example.org")
    receive(bench, quantity=1)

    assert again is not None
    assert len(mail.outbox) == 2


def test_goods_given_back_by_a_cancelled_order_tell_the_waiting_addresses(bench):
    receive(bench, quantity=1)
    line = StockLine(bench.stock_item, finished_goods_location(bench.producer), Decimal("1"))
    stock_reserve(lines=[line], by=None, reason="order")
    back_in_stock_request(product=bench, email="keisha@example.org")

    stock_release(lines=[line], by=None, reason="order cancelled")

    assert [message.to for message in mail.outbox] == [["keisha@example.org"]]


def test_a_claim_takes_each_request_once(bench):
    back_in_stock_request(product=bench, email="keisha@example.org")

    first = back_in_stock_claim(product_ids=[bench.pk])
    second = back_in_stock_claim(product_ids=[bench.pk])

    assert [r.email for r in first] == ["keisha@example.org"]
    assert second == []


def waiting_lookups(move) -> int:
    """How many queries `move()` makes about waiting residents."""
    with CaptureQueriesContext(connection) as queries:
        move()
    return sum("backinstockrequest" in q["sql"] for q in queries.captured_queries)


def test_receiving_raw_materials_does_not_look_for_waiting_residents(shared_store, plywood):
    assert (
        waiting_lookups(
            lambda: stock_receive(
                material=plywood, location=shared_store, quantity="1", by=None, reason="in"
            )
        )
        == 0
    )


def test_receiving_goods_nobody_waits_for_looks_once(stool):
    assert waiting_lookups(lambda: receive(stool)) == 1


# --- Back office -------------------------------------------------------------------------------


def test_staff_see_the_waiting_list_and_may_forget_an_address(client, bench):
    request = back_in_stock_request(product=bench, email="keisha@example.org")
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    listing = client.get("/admin/catalog/backinstockrequest/")
    deleted = client.post(
        f"/admin/catalog/backinstockrequest/{request.pk}/delete/", {"post": "yes"}
    )

    assert "keisha@example.org" in listing.content.decode()
    assert deleted.status_code == 302
    assert not BackInStockRequest.objects.exists()
