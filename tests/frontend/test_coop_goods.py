"""A co-op's finished goods page: what is free, made and counted, and who may change it."""

import threading
from decimal import Decimal

import pytest
from django.db import close_old_connections, connection

from catalog.models import Product, StockBalance, StockMovement
from catalog.services.products import product_stock_count, product_stock_receive
from producers.models import Membership
from tests.factories import MembershipFactory, ProducerFactory, UserFactory, make_product, place

pytestmark = pytest.mark.django_db


@pytest.fixture
def woodshop():
    return ProducerFactory(name="West Jackson Woodshop", slug="woodshop")


@pytest.fixture
def manager(woodshop):
    return MembershipFactory(
        producer=woodshop, role=Membership.Role.MANAGER, user=UserFactory(username="marcus")
    ).user


@pytest.fixture
def member(woodshop):
    return MembershipFactory(producer=woodshop, user=UserFactory(username="dee")).user


def stocked(producer, title, quantity):
    product = make_product(producer=producer, title=title)
    if quantity:
        product_stock_receive(product=product, quantity=quantity, by=None, reason="made")
    return product


@pytest.fixture
def board(woodshop):
    return stocked(woodshop, "Walnut cutting board", 5)


def goods_url(producer, *parts):
    tail = "".join(f"{part}/" for part in parts)
    return f"/workbench/co-ops/{producer.slug}/goods/{tail}"


def on_hand(product) -> Decimal:
    return StockBalance.objects.get(material=product.stock_item).on_hand


def test_every_ready_made_product_is_listed_with_its_free_count(client, woodshop, manager):
    titles = [f"Stool {n}" for n in range(1, 6)]
    for title in titles:
        stocked(woodshop, title, 4)
    make_product(producer=woodshop, title="Made to order bench", fulfilment="made_to_order")
    client.force_login(manager)

    response = client.get(goods_url(woodshop))

    listed = [p.title for p in response.context["products"]]
    assert listed == titles
    assert all(p.free == 4 for p in response.context["products"])


def test_goods_held_for_orders_are_not_free(client, woodshop, manager, board):
    place((board, 2))
    client.force_login(manager)

    (row,) = client.get(goods_url(woodshop)).context["products"]

    assert (row.on_hand, row.reserved, row.free) == (5, 2, 3)


def test_a_product_at_or_below_its_low_level_is_flagged(client, woodshop, manager):
    stocked(woodshop, "Plenty", 10)
    stocked(woodshop, "Scarce", 2)
    client.force_login(manager)

    response = client.get(goods_url(woodshop))

    low = {p.title: p.low for p in response.context["products"]}
    assert low == {"Plenty": False, "Scarce": True}
    assert b"wb-row-low" in response.content


def test_a_manager_sets_the_low_level_and_the_flag_follows_it(client, woodshop, manager, board):
    client.force_login(manager)

    response = client.post(
        goods_url(woodshop, board.pk, "level"), {f"level-{board.pk}-low_stock_level": "6"}
    )

    assert response.status_code == 302
    board.refresh_from_db()
    assert board.low_stock_level == 6
    (row,) = client.get(goods_url(woodshop)).context["products"]
    assert row.low


def test_a_negative_low_level_is_refused_beside_the_field(client, woodshop, manager, board):
    client.force_login(manager)

    response = client.post(
        goods_url(woodshop, board.pk, "level"), {f"level-{board.pk}-low_stock_level": "-1"}
    )

    assert response.status_code == 400
    board.refresh_from_db()
    assert board.low_stock_level == 2


def test_a_manager_receives_goods_made_and_the_ledger_records_it(client, woodshop, manager, board):
    client.force_login(manager)

    response = client.post(
        goods_url(woodshop, board.pk, "receive"),
        {f"receive-{board.pk}-quantity": "3", f"receive-{board.pk}-reason": "Friday batch"},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == goods_url(woodshop)
    assert "Received 3 Walnut cutting board. 8 free to sell now." in response.content.decode()
    assert on_hand(board) == 8
    row = StockMovement.objects.filter(material=board.stock_item).latest("pk")
    assert (row.kind, row.quantity, row.created_by, row.reason) == (
        "receipt",
        3,
        manager,
        "Friday batch",
    )


@pytest.mark.parametrize("quantity", ["0", "-2", "1.5", "lots"])
def test_a_receipt_of_a_bad_quantity_is_refused_and_nothing_is_written(
    client, woodshop, manager, board, quantity
):
    client.force_login(manager)
    rows = StockMovement.objects.count()

    response = client.post(
        goods_url(woodshop, board.pk, "receive"),
        {f"receive-{board.pk}-quantity": quantity, f"receive-{board.pk}-reason": "x"},
    )

    assert response.status_code == 400
    assert response.context["products"][0].forms["receive"].errors["quantity"]
    assert StockMovement.objects.count() == rows
    assert on_hand(board) == 5


def test_a_manager_counts_the_shelf_and_the_difference_is_recorded(
    client, woodshop, manager, board
):
    client.force_login(manager)

    response = client.post(
        goods_url(woodshop, board.pk, "count"),
        {f"count-{board.pk}-quantity": "3", f"count-{board.pk}-reason": "Monthly count"},
    )

    assert response.status_code == 302
    assert on_hand(board) == 3
    row = StockMovement.objects.filter(material=board.stock_item).latest("pk")
    assert (row.kind, row.quantity, row.on_hand_after) == ("adjustment", -2, 3)


def test_a_count_below_what_orders_hold_is_refused_with_the_reason(
    client, woodshop, manager, board
):
    place((board, 4))
    client.force_login(manager)
    rows = StockMovement.objects.count()

    response = client.post(
        goods_url(woodshop, board.pk, "count"),
        {f"count-{board.pk}-quantity": "3", f"count-{board.pk}-reason": "Count"},
    )

    assert response.status_code == 409
    errors = response.context["products"][0].forms["count"].errors["quantity"]
    assert "reserved" in errors[0]
    assert StockMovement.objects.count() == rows
    assert on_hand(board) == 5


def test_the_storefront_shows_the_new_count_at_once(client, woodshop, manager, board):
    assert "5 in stock" in client.get(f"/products/{board.slug}/").content.decode()
    client.force_login(manager)
    client.post(
        goods_url(woodshop, board.pk, "count"),
        {f"count-{board.pk}-quantity": "9", f"count-{board.pk}-reason": "Count"},
    )
    client.logout()

    assert "9 in stock" in client.get(f"/products/{board.slug}/").content.decode()


def test_another_co_ops_product_is_not_found(client, woodshop, manager):
    elsewhere = stocked(ProducerFactory(slug="sewing"), "Market tote", 5)
    client.force_login(manager)

    response = client.post(
        goods_url(woodshop, elsewhere.pk, "receive"),
        {f"receive-{elsewhere.pk}-quantity": "3", f"receive-{elsewhere.pk}-reason": "x"},
    )

    assert response.status_code == 404
    assert on_hand(elsewhere) == 5


def test_a_made_to_order_product_has_no_count_to_change(client, woodshop, manager):
    bench = make_product(producer=woodshop, title="Bench", fulfilment="made_to_order")
    client.force_login(manager)

    response = client.post(
        goods_url(woodshop, bench.pk, "count"),
        {f"count-{bench.pk}-quantity": "3", f"count-{bench.pk}-reason": "x"},
    )

    assert response.status_code == 404


@pytest.mark.parametrize("action", ["receive", "count", "level"])
def test_a_member_cannot_change_finished_goods(client, woodshop, member, board, action):
    client.force_login(member)

    response = client.post(
        goods_url(woodshop, board.pk, action),
        {
            f"{action}-{board.pk}-quantity": "1",
            f"{action}-{board.pk}-reason": "x",
            f"{action}-{board.pk}-low_stock_level": "9",
        },
    )

    assert response.status_code == 403
    assert on_hand(board) == 5
    board.refresh_from_db()
    assert board.low_stock_level == 2


def test_a_member_sees_the_goods_but_no_forms(client, woodshop, member, board):
    client.force_login(member)

    response = client.get(goods_url(woodshop))

    assert response.status_code == 200
    assert b"Walnut cutting board" in response.content
    assert b"Record count" not in response.content


# --- Races (PostgreSQL) ------------------------------------------------------------------


def _at_once(*calls):
    """Run each call in its own thread and connection, released together."""
    start = threading.Barrier(len(calls))
    errors = []

    def run(call):
        try:
            start.wait()
            call()
        except Exception as error:  # noqa: BLE001 - reported by the test
            errors.append(error)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return errors


def _ledger_matches_balance(product) -> bool:
    balance = StockBalance.objects.get(material=product.stock_item)
    rows = StockMovement.objects.filter(balance=balance).order_by("pk")
    total = sum((row.quantity for row in rows if row.kind != "reserve"), Decimal("0"))
    return rows.last().on_hand_after == balance.on_hand == total


@pytest.mark.django_db(transaction=True)
def test_two_receipts_and_a_count_at_once_keep_the_ledger_equal_to_the_balance():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite takes one writer at a time: the row locks are proven on PostgreSQL")
    product = stocked(ProducerFactory(slug="race-shop"), "Stool", 5)
    product = Product.objects.select_related("stock_item", "producer").get(pk=product.pk)

    errors = _at_once(
        lambda: product_stock_receive(product=product, quantity=3, by=None, reason="a"),
        lambda: product_stock_receive(product=product, quantity=4, by=None, reason="b"),
        lambda: product_stock_count(product=product, counted=20, by=None, reason="count"),
    )

    assert errors == []
    assert _ledger_matches_balance(product)
    assert StockMovement.objects.filter(material=product.stock_item).count() == 4


@pytest.mark.django_db(transaction=True)
def test_two_counts_at_once_leave_the_last_count_on_the_books():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite takes one writer at a time: the row locks are proven on PostgreSQL")
    product = stocked(ProducerFactory(slug="race-count"), "Stool", 5)
    product = Product.objects.select_related("stock_item", "producer").get(pk=product.pk)

    errors = _at_once(
        lambda: product_stock_count(product=product, counted=7, by=None, reason="one"),
        lambda: product_stock_count(product=product, counted=9, by=None, reason="two"),
    )

    assert errors == []
    assert _ledger_matches_balance(product)
    assert StockBalance.objects.get(material=product.stock_item).on_hand in (7, 9)


def test_stock_at_a_glance_flags_each_product_at_its_own_level(client, woodshop, manager):
    plenty = stocked(woodshop, "Plenty", 10)
    Product.objects.filter(pk=plenty.pk).update(low_stock_level=10)
    stocked(woodshop, "Fine", 5)
    client.force_login(manager)

    (section,) = client.get("/workbench/stock/").context["sections"]

    assert {p.title: p.low for p in section["products"]} == {"Fine": False, "Plenty": True}


def test_the_goods_page_costs_the_same_few_queries_for_many_products(
    client, woodshop, manager, django_assert_max_num_queries
):
    for n in range(25):
        stocked(woodshop, f"Stool {n}", 3)
    client.force_login(manager)

    with django_assert_max_num_queries(12):
        response = client.get(goods_url(woodshop))

    assert len(response.context["products"]) == 25
