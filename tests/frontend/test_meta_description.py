"""Every storefront page says what it is in one meta description, the line search results
show under its title."""

from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.template import Context, Template

from tests.factories import GUEST, CategoryFactory, UserFactory, make_stocked_product, place

pytestmark = pytest.mark.django_db

LONG_DESCRIPTION = (
    "A sturdy three-legged stool of local oak, shaped by hand and finished with "
    "beeswax. It sits level on any floor, stacks two high, and the seat is carved "
    "to fit. Each one is signed under the seat by the member who made it, and "
    "comes with a card telling where its wood grew."
)


class MetaDescriptions(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "meta" and (attributes.get("name") or "").lower() == "description":
            self.found.append(attributes.get("content") or "")


def descriptions(html: str) -> list[str]:
    parser = MetaDescriptions()
    parser.feed(html)
    return parser.found


@pytest.fixture
def shop(stool):
    """A stool with a long description in a category, and a guest's order for one."""
    category = CategoryFactory(slug="seating", name="Seating")
    stool.description = LONG_DESCRIPTION
    stool.category = category
    stool.save()
    bench = make_stocked_product(
        producer=stool.producer, title="Bench", price=Decimal("120.00"), category=category
    )
    return {"product": stool, "other": bench, "order": place((bench, 1))}


# (name, address, what the visitor needs: "cart" has a stool in it, "member" is signed in)
PAGES = [
    ("home", "/", ""),
    ("product list", "/products/", ""),
    ("product list, searched", "/products/?q=stool", ""),
    ("product list, one category", "/products/?category=seating", ""),
    ("product list, one co-op", "/products/?producer=woodshop", ""),
    ("product page", "/products/{product}/", ""),
    ("co-ops", "/producers/", ""),
    ("co-op page", "/producers/woodshop/", ""),
    ("empty cart", "/cart/", ""),
    ("cart", "/cart/", "cart"),
    ("checkout", "/checkout/", "cart"),
    ("order page", "/orders/{order}/?token={token}", ""),
    ("my orders", "/orders/", "member"),
    ("sign in", "/accounts/sign-in/", ""),
    ("sign up", "/accounts/sign-up/", ""),
    ("password reset", "/accounts/password-reset/", ""),
    ("page not found", "/products/no-such-thing/", ""),
]


@pytest.mark.parametrize(("name", "address", "needs"), PAGES, ids=[p[0] for p in PAGES])
def test_every_storefront_page_has_exactly_one_meta_description(client, shop, name, address, needs):
    if needs == "cart":
        client.post(f"/cart/add/{shop['product'].slug}/", {"quantity": 1})
    if needs == "member":
        client.force_login(UserFactory())
    order = shop["order"]
    url = address.format(product=shop["product"].slug, order=order.number, token=order.access_token)

    response = client.get(url)

    assert response.status_code in (200, 404)
    found = descriptions(response.content.decode())
    assert len(found) == 1, found
    assert found[0].strip()


def test_the_product_page_describes_the_product_in_a_snippet_cut_at_a_word(client, shop):
    product = shop["product"]

    (description,) = descriptions(client.get(f"/products/{product.slug}/").content.decode())

    assert description.startswith("Stool, made by Woodshop in West Jackson. A sturdy three-legged")
    assert len(description) <= 155
    assert description.endswith("…")
    assert description[:-1] in f"Stool, made by Woodshop in West Jackson. {LONG_DESCRIPTION}"


def test_the_product_list_description_follows_the_search_and_the_category(client, shop):
    plain = descriptions(client.get("/products/").content.decode())[0]
    searched = descriptions(client.get("/products/?q=oak+stool").content.decode())[0]
    category = descriptions(client.get("/products/?category=seating").content.decode())[0]

    assert "“oak stool”" in searched
    assert category.startswith("Seating: goods made in West Jackson")
    assert len({plain, searched, category}) == 3


def test_the_product_list_for_one_co_op_names_it(client, shop):
    (description,) = descriptions(client.get("/products/?producer=woodshop").content.decode())

    assert description.startswith("Goods made in West Jackson by Woodshop.")


def test_the_order_page_description_names_nobody(client, shop):
    order = shop["order"]

    page = client.get(f"/orders/{order.number}/?token={order.access_token}").content.decode()

    (description,) = descriptions(page)
    for personal in (GUEST.name, GUEST.email, GUEST.phone, order.number, order.access_token):
        assert personal not in description


def test_a_cut_description_never_breaks_an_escaped_character():
    template = Template(
        "{% load meta %}{% filter meta_text:20 %}Tables & chairs & stools & more{% endfilter %}"
    )

    rendered = template.render(Context())

    assert rendered == "Tables &amp; chairs &amp;…"


def test_a_description_is_one_line_of_plain_text():
    template = Template("{% load meta %}{{ text|meta_text }}")

    rendered = template.render(Context({"text": '<b>Oak</b>\n\n"stool"   for  two'}))

    assert rendered == "Oak &quot;stool&quot; for two"
