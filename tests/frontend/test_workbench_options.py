"""A co-op sets a product's options and personal texts, and counts each size, on its workbench."""

from decimal import Decimal

import pytest

from catalog.models import StockBalance, StockMovement
from frontend.workbench.product_options import parse_values
from producers.models import Membership
from tests.factories import (
    MembershipFactory,
    ProducerFactory,
    make_product,
    make_sized_product,
    size_variant,
)

pytestmark = pytest.mark.django_db


def url(product, *parts) -> str:
    return "/".join(
        [f"/workbench/co-ops/{product.producer.slug}/products/{product.pk}/options", *parts, ""]
    )


@pytest.fixture
def shirt(woodshop):
    return make_product(producer=woodshop, title="T-shirt", price="22.00")


@pytest.fixture
def as_manager(client, woodshop):
    client.force_login(MembershipFactory(producer=woodshop, role=Membership.Role.MANAGER).user)
    return client


def test_a_manager_sets_sizes_with_a_price_difference_and_a_personal_text(as_manager, shirt):
    response = as_manager.post(
        url(shirt),
        {
            "option_1_name": "Size",
            "option_1_values": "S\nM\n2XL +2.00",
            "text_1_label": "Name to print",
            "text_1_max_length": "20",
        },
    )

    assert response.status_code == 302
    values = [(v.label, v.price_delta) for v in shirt.options.get().values.all()]
    assert values == [("S", 0), ("M", 0), ("2XL", Decimal("2.00"))]
    assert shirt.personal_fields.get().max_length == 20
    assert shirt.variants.filter(active=True).count() == 3


def test_an_unreadable_choice_is_shown_beside_its_field_and_nothing_is_saved(as_manager, shirt):
    response = as_manager.post(url(shirt), {"option_1_name": "Size", "option_1_values": "+2.00"})

    page = response.content.decode()
    assert response.status_code == 400
    assert "Line 1: write the choice first" in page
    assert not shirt.options.exists()


def test_a_service_refusal_is_shown_on_the_form(as_manager, shirt):
    response = as_manager.post(url(shirt), {"option_1_name": "Size", "option_1_values": "S -30.00"})

    assert response.status_code == 400
    assert "the price would be nothing or less" in response.content.decode()


def test_a_member_who_is_not_a_manager_cannot_change_them(client, woodshop, shirt):
    client.force_login(MembershipFactory(producer=woodshop).user)

    response = client.post(url(shirt), {"option_1_name": "Size", "option_1_values": "S"})

    assert response.status_code == 403
    assert not shirt.options.exists()


def test_another_coops_product_is_not_found(as_manager):
    theirs = make_product(producer=ProducerFactory(), title="Theirs")

    assert as_manager.get(url(theirs)).status_code == 404


def test_counting_one_size_writes_one_adjustment_for_that_size(as_manager, woodshop):
    shirt = make_sized_product(sizes={"M": 2, "L": 2}, producer=woodshop)
    m = size_variant(shirt, "M")

    response = as_manager.post(url(shirt, "count", str(m.pk)), {"counted": "5"})

    assert response.status_code == 302
    assert StockBalance.objects.get(material=m.stock_item).on_hand == 5
    assert StockMovement.objects.filter(material=m.stock_item, kind="adjustment").count() == 1
    assert StockBalance.objects.get(material=size_variant(shirt, "L").stock_item).on_hand == 2


def test_the_page_shows_what_is_free_of_each_size(as_manager, woodshop):
    shirt = make_sized_product(sizes={"M": 2, "L": 0}, producer=woodshop)

    page = as_manager.get(url(shirt)).content.decode()

    assert "<strong>Size: M</strong>: 2 free to sell" in page


def test_value_lines_read_labels_and_signed_price_differences():
    assert parse_values("S\n 2XL +2.00 \nKids −1.50\n\n2-pack") == [
        ("S", Decimal("0")),
        ("2XL", Decimal("2.00")),
        ("Kids", Decimal("-1.50")),
        ("2-pack", Decimal("0")),
    ]


def test_the_goods_page_adds_up_the_sizes_and_sends_counts_to_the_options_page(
    as_manager, woodshop
):
    make_sized_product(sizes={"M": 2, "L": 3}, producer=woodshop, title="T-shirt")

    page = as_manager.get(f"/workbench/co-ops/{woodshop.slug}/goods/").content.decode()

    assert "T-shirt: 5 free" in page
    assert "Counted by size or colour" in page
