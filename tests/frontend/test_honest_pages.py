"""Honest product pages: a sold-out product cannot be bought and says why, residents may
ask to be told when it is back, the pages say where to collect and who can make an open
design, and every page with a price says where the money goes, to the cent."""

import re
from decimal import Decimal

import pytest
from django.core.cache import cache

from catalog.models import BackInStockRequest
from catalog.services.products import product_stock_count
from orders.models import Order
from orders.payments.payouts import community_split
from tests.factories import ProducerFactory, UserFactory, hand_over, make_product, place

pytestmark = pytest.mark.django_db

REASON = "None left — the co-op makes more from time to time."


@pytest.fixture
def bench(woodshop):
    """A ready-made bench at the woodshop, none made yet: sold out."""
    return make_product(producer=woodshop, title="Bench", price=Decimal("120.00"))


def sell_out(product):
    product_stock_count(product=product, counted=0, by=None, reason="sold at a market")


def text(response) -> str:
    """The page's words, tags and repeated spaces removed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def checkout_form(client, **fields):
    page = client.get("/checkout/").content.decode()
    token = re.search(r'name="checkout_token" value="([^"]+)"', page).group(1)
    return {
        "name": "Keisha Brown",
        "email": "keisha@example.org",
        "fulfilment": "pickup",
        "payment_method": "pay_at_pickup",
        "checkout_token": token,
        **fields,
    }


# --- Sold out ------------------------------------------------------------------------------


def test_a_sold_out_product_page_has_a_disabled_sold_out_button_and_says_why(client, bench):
    page = client.get("/products/bench/").content.decode()

    assert re.search(r"<button[^>]*disabled[^>]*>Sold out</button>", page)
    assert REASON in page
    assert "/cart/add/bench/" not in page


def test_a_product_in_stock_can_be_added_and_offers_no_waiting_list(client, stool):
    page = client.get("/products/stool/").content.decode()

    assert "Add to cart" in page
    assert "/cart/add/stool/" in page
    assert "Tell me when it is back" not in page


def test_the_product_list_card_says_sold_out(client, bench, stool):
    page = client.get("/products/").content.decode()

    card = page[page.index("Bench") :]
    assert "Sold out" in card[: card.index("</li>")]


def test_a_sold_out_product_cannot_be_added_to_the_cart_by_a_direct_post(client, bench):
    response = client.post("/cart/add/bench/", {"quantity": 1}, follow=True)

    assert "Bench is sold out: none left — the co-op makes more from time to time." in text(
        response
    )
    assert client.session.get("cart", {}) == {}


def test_checkout_refuses_a_product_that_sold_out_since_it_was_added(client, stool):
    client.post("/cart/add/stool/", {"quantity": 1})
    form = checkout_form(client)
    sell_out(stool)

    response = client.post("/checkout/", form)

    assert response.status_code == 200
    assert "Stool is sold out: remove it from your cart to check out." in text(response)
    assert not Order.objects.exists()
    assert client.session["cart"] == {"stool": 1}


# --- Tell me when it is back ------------------------------------------------------------------


def test_a_signed_in_resident_finds_their_email_filled_in(client, bench):
    client.force_login(UserFactory(email="keisha@example.org"))

    page = client.get("/products/bench/").content.decode()

    assert re.search(r'<input[^>]*name="email"[^>]*value="keisha@example.org"', page)


def test_leaving_an_address_keeps_a_request_and_thanks_on_the_page(client, bench):
    response = client.post(
        "/products/bench/back-in-stock/", {"email": "keisha@example.org"}, follow=True
    )

    assert response.redirect_chain == [("/products/bench/", 302)]
    assert "We will email keisha@example.org once, when Bench is back." in text(response)
    assert BackInStockRequest.objects.get().email == "keisha@example.org"


def test_the_answer_is_the_same_for_a_new_address_one_already_waiting_and_an_account(client, bench):
    UserFactory(email="member@example.org")
    BackInStockRequest.objects.create(product=bench, email="waiting@example.org")

    def answer(email):
        response = client.post("/products/bench/back-in-stock/", {"email": email}, follow=True)
        return text(response).replace(email, "EMAIL")

    assert answer("new@example.org") == answer("waiting@example.org")
    assert answer("new2@example.org") == answer("member@example.org")


def test_a_bad_address_is_refused_and_nothing_kept(client, bench):
    response = client.post("/products/bench/back-in-stock/", {"email": "keisha"}, follow=True)

    assert "Enter a valid email address" in text(response)
    assert not BackInStockRequest.objects.exists()


def test_asking_about_a_product_in_stock_says_it_can_be_ordered_now(client, stool):
    response = client.post(
        "/products/stool/back-in-stock/", {"email": "keisha@example.org"}, follow=True
    )

    assert "Stool is not sold out: you can order it now." in text(response)
    assert not BackInStockRequest.objects.exists()


def test_one_client_asking_many_times_is_slowed_down(client, woodshop):
    products = [make_product(producer=woodshop, title=f"Bench {n}") for n in range(11)]
    answers = [
        client.post(
            f"/products/{p.slug}/back-in-stock/", {"email": f"a{n}@example.org"}, follow=True
        )
        for n, p in enumerate(products)
    ]

    assert "try again later" not in text(answers[9])
    assert "try again later" in text(answers[10])
    assert BackInStockRequest.objects.count() == 10


def test_asking_needs_a_post(client, bench):
    assert client.get("/products/bench/back-in-stock/").status_code == 405


# --- Where to collect, who can make it --------------------------------------------------------


def test_the_product_page_says_where_and_when_to_pick_it_up(client, stool, woodshop):
    woodshop.pickup_address = "Back door, 12 Oak St"
    woodshop.opening_hours = "Tue–Sat 10 am–6 pm"
    woodshop.save()

    page = text(client.get("/products/stool/"))

    assert "At Woodshop: Back door, 12 Oak St, open Tue–Sat 10 am–6 pm." in page


def test_an_open_design_lists_the_active_coops_with_the_skills(client, puzzle):
    ProducerFactory(name="Laser Co-op", capabilities=["laser_cutting"])
    ProducerFactory(name="Paused Lasers", capabilities=["laser_cutting"], status="paused")
    ProducerFactory(name="Sewing Only", capabilities=["sewing"])
    cache.clear()

    page = text(client.get("/products/puzzle/"))

    makers = page[page.index("Who can make it") :]
    assert "Designer" in makers
    assert "Laser Co-op" in makers
    assert "Paused Lasers" not in makers
    assert "Sewing Only" not in makers


# --- Where the money goes ---------------------------------------------------------------------


def test_the_product_page_splits_one_unit_as_the_payouts_do(client, woodshop, settings):
    settings.COMMUNITY_FUND_PERCENT = "12.5"
    make_product(producer=woodshop, title="Spoon", price=Decimal("10.10"))
    # 12.5% of 10.10 is 1.2625: the share rounds half-up to 1.26, the co-op gets the rest.
    assert community_split(total=Decimal("10.10"), percent=Decimal("12.5")) == (
        Decimal("8.84"),
        Decimal("1.26"),
    )

    page = text(client.get("/products/spoon/"))

    assert "For each one: $8.84 to Woodshop, $1.26 to the community fund (12.5%)" in page
    assert 'href="/community/"' in client.get("/products/spoon/").content.decode()


def test_an_open_design_says_the_coop_that_makes_it(client, puzzle):
    page = text(client.get("/products/puzzle/"))

    assert "$17.10 to the co-op that makes it, $0.90 to the community fund (5%)" in page


def test_the_cart_and_checkout_split_each_coops_part_and_the_whole(client, stool, tote):
    client.post("/cart/add/stool/", {"quantity": 2})
    client.post("/cart/add/tote/", {"quantity": 1})

    for page in (text(client.get("/cart/")), text(client.get("/checkout/"))):
        assert "$114.00 to Woodshop, $6.00 to the community fund (5%)" in page
        assert "$26.60 to Sewing, $1.40 to the community fund (5%)" in page
        assert "In all: $140.60 to the co-ops, $7.40 to the community fund" in page


def test_thousands_are_grouped(client, woodshop):
    make_product(producer=woodshop, title="Table", price=Decimal("2880.00"))

    page = text(client.get("/products/table/"))

    assert "$2,736.00 to Woodshop, $144.00 to the community fund (5%)" in page


def test_the_order_page_splits_each_part_by_its_job_total(client, stool, tote):
    order = place((stool, 1), (tote, 2))

    page = text(client.get(f"/orders/{order.number}/?token={order.access_token}"))

    assert "$57.00 to Woodshop, $3.00 to the community fund (5%)" in page
    assert "$53.20 to Sewing, $2.80 to the community fund (5%)" in page
    assert "In all: $110.20 to the co-ops, $5.80 to the community fund" in page


def test_a_part_paid_at_the_counter_shows_the_split_recorded_then(client, stool, settings):
    order = place((stool, 1))
    hand_over(order.jobs.get())
    settings.COMMUNITY_FUND_PERCENT = "10"  # changed after the money was split

    page = text(client.get(f"/orders/{order.number}/?token={order.access_token}"))

    assert "$57.00 to Woodshop, $3.00 to the community fund (5%)" in page
