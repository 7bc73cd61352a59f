import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.throttling import SimpleRateThrottle

from catalog.models import Product, StockBalance
from catalog.services.products import product_stock_receive
from catalog.services.stock import stock_draw_down
from orders.models import Order
from orders.services import allocation
from tests.factories import ProducerFactory, UserFactory, make_product

pytestmark = pytest.mark.django_db


def checkout_form(client, **fields):
    page = client.get("/checkout/")
    token = re.search(r'name="checkout_token" value="([^"]+)"', page.content.decode()).group(1)
    data = {
        "name": "Keisha Brown",
        "email": "keisha@example.org",
        "phone": "601-555-0142",
        "fulfilment": "pickup",
        "payment_method": "pay_at_pickup",
        "checkout_token": token,
    }
    data.update(fields)
    return data


def test_the_product_list_shows_published_goods_with_their_availability(client, stool):
    make_product(title="Prototype", status=Product.Status.DRAFT)

    page = client.get("/products/").content.decode()

    assert "Stool" in page
    assert "5 in stock" in page
    assert "Prototype" not in page


def test_search_and_filters_narrow_the_list(client, stool, tote):
    page = client.get("/products/?q=tote").content.decode()

    assert "Tote" in page
    assert "Stool" not in page


def test_htmx_requests_get_only_the_results(client, stool):
    response = client.get(
        "/products/?q=stool", headers={"HX-Request": "true", "HX-Target": "results"}
    )

    html = response.content.decode()
    assert html.lstrip().startswith('<section id="results"')
    assert "<html" not in html


@pytest.mark.parametrize("count", [1, 30])
def test_the_product_list_costs_the_same_queries_whatever_it_holds(
    client, count, django_assert_max_num_queries
):
    for n in range(count):
        make_product(title=f"Thing {n}")

    with django_assert_max_num_queries(9):
        client.get("/products/")


def test_the_product_list_is_light_and_loads_only_our_scripts(client):
    for n in range(24):
        make_product(title=f"Thing {n}", description="A fine thing. " * 20)

    response = client.get("/products/")

    assert len(response.content) < 60_000
    scripts = re.findall(r"<script[^>]*src=\"([^\"]+)\"", response.content.decode())
    assert scripts == ["/static/django_htmx/htmx-2.min.js", "/static/frontend/catalog.js"]


def test_adding_to_the_cart_counts_in_the_header(client, stool):
    client.post("/cart/add/stool/", {"quantity": 2})

    page = client.get("/cart/").content.decode()
    assert 'aria-label="2 items"' in page
    assert "$120.00" in page


def test_the_cart_warns_when_stock_runs_out(client, stool):
    client.post("/cart/add/stool/", {"quantity": 6})

    page = client.get("/cart/").content.decode()

    assert "Only 5 of Stool left" in page


def test_checking_out_places_one_order_split_by_coop(client, stool, tote):
    client.post("/cart/add/stool/", {"quantity": 1})
    client.post("/cart/add/tote/", {"quantity": 2})

    response = client.post("/checkout/", checkout_form(client))

    order = Order.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/orders/{order.number}/?token={order.access_token}"
    assert order.jobs.count() == 2
    page = client.get(response["Location"]).content.decode()
    assert "Woodshop" in page
    assert "Sewing" in page


def test_a_double_submitted_checkout_places_one_order(client, stool):
    client.post("/cart/add/stool/", {"quantity": 1})
    data = checkout_form(client)

    first = client.post("/checkout/", data)
    client.post("/cart/add/stool/", {"quantity": 1})
    second = client.post("/checkout/", data)

    assert Order.objects.count() == 1
    assert first["Location"] == second["Location"]


def test_bad_checkout_input_shows_errors_and_keeps_what_was_typed(client, stool):
    client.post("/cart/add/stool/", {"quantity": 1})

    response = client.post(
        "/checkout/", checkout_form(client, email="not-an-email", fulfilment="delivery")
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "Enter a valid email address." in page
    assert "Give an address for local delivery." in page
    assert 'value="Keisha Brown"' in page
    assert not Order.objects.exists()


def test_checking_out_more_than_is_left_keeps_the_cart_and_says_why(client, stool):
    client.post("/cart/add/stool/", {"quantity": 6})

    response = client.post("/checkout/", checkout_form(client))

    assert response.status_code == 200
    assert "Not enough left" in response.content.decode()
    assert not Order.objects.exists()


def test_the_order_page_needs_the_token(client, stool):
    client.post("/cart/add/stool/", {"quantity": 1})
    location = client.post("/checkout/", checkout_form(client))["Location"]
    order = Order.objects.get()
    stranger = client.__class__()

    assert stranger.get(f"/orders/{order.number}/").status_code == 404
    assert stranger.get(location).status_code == 200


def test_sign_up_signs_you_in(client):
    response = client.post(
        "/accounts/sign-up/",
        {
            "name": "Keisha",
            "email": "keisha@example.org",
            "password1": "a-long-garden-password",
            "password2": "a-long-garden-password",
        },
    )

    assert response.status_code == 302
    assert "Sign out keisha@example.org" in client.get("/").content.decode()


def test_a_wrong_password_does_not_say_whether_the_account_exists(client):
    UserFactory(username="keisha")

    wrong = client.post("/accounts/sign-in/", {"username": "keisha", "password": "nope"})
    missing = client.post("/accounts/sign-in/", {"username": "nobody", "password": "nope"})

    assert "Please enter a correct username and password" in wrong.content.decode()
    assert "Please enter a correct username and password" in missing.content.decode()


def test_unknown_pages_get_a_friendly_404(client, settings):
    settings.DEBUG = False

    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()


def test_a_stock_race_at_checkout_names_what_ran_out(client, stool, monkeypatch):
    client.post("/cart/add/stool/", {"quantity": 2})
    reserve = allocation.stock_reserve

    def someone_else_buys_first(**kwargs):
        balance = StockBalance.objects.get(material=stool.stock_item)
        stock_draw_down(
            material=stool.stock_item,
            location=balance.location,
            quantity=4,
            by=None,
            reason="sold at the counter",
            producer=stool.producer,
        )
        return reserve(**kwargs)

    monkeypatch.setattr(allocation, "stock_reserve", someone_else_buys_first)

    response = client.post("/checkout/", checkout_form(client))

    page = response.content.decode()
    assert "Not enough left to make or sell: Stool (2 asked, 1 left)" in page
    assert not Order.objects.exists()
    assert 'aria-label="2 items"' in page


def test_more_than_one_buyer_may_hold_is_said_plainly_and_the_cart_is_kept(client, stool, settings):
    settings.ORDER_MAX_UNITS_PER_PRODUCT = 2
    client.post("/cart/add/stool/", {"quantity": 3})

    response = client.post("/checkout/", checkout_form(client))

    page = response.content.decode()
    assert response.status_code == 200
    assert "One buyer may hold at most 2 of Stool in one order." in page
    assert "Lower the quantity in your cart" in page
    assert not Order.objects.exists()


def test_checking_out_too_often_gets_a_friendly_429_and_keeps_the_cart(client, stool, monkeypatch):
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"orders": "1/min"})
    client.post("/cart/add/stool/", {"quantity": 1})
    client.post("/checkout/", checkout_form(client))
    client.post("/cart/add/stool/", {"quantity": 1})

    response = client.post("/checkout/", checkout_form(client))

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "placed several orders in a short time" in response.content.decode()
    assert Order.objects.count() == 1
    assert 'value="Keisha Brown"' in response.content.decode()


def test_the_checkout_shows_the_services_own_messages_by_field(client, stool):
    client.post("/cart/add/stool/", {"quantity": 1})

    response = client.post("/checkout/", checkout_form(client, name=" "))

    page = response.content.decode()
    assert "Tell us your name so the co-ops can reach you." in page
    assert not Order.objects.exists()


def test_the_order_page_says_by_when_to_collect_a_pay_at_pickup_order(client, stool):
    client.post("/cart/add/stool/", {"quantity": 1})
    location = client.post("/checkout/", checkout_form(client))["Location"]
    deadline = timezone.make_aware(
        datetime.datetime.combine(datetime.date(2026, 12, 8), datetime.time(17, 30))
    )
    Order.objects.update(collect_by=deadline)

    page = client.get(location).content.decode()

    assert "Collect by" in page
    assert "Tue 8 Dec" in page


def test_a_checkout_whose_total_cannot_be_stored_says_so_by_field(client):
    yacht = make_product(
        producer=ProducerFactory(name="Boatyard"), title="Yacht", price=Decimal("9999999999.99")
    )
    product_stock_receive(product=yacht, quantity=3, by=None, reason="made")
    client.post(f"/cart/add/{yacht.slug}/", {"quantity": 2})

    response = client.post("/checkout/", checkout_form(client))

    assert response.status_code == 200
    assert "An order may come to at most" in response.content.decode()
    assert not Order.objects.exists()
