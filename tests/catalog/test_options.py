"""Options and personal text: set by a co-op, chosen by a resident, carried by the order."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from catalog.exceptions import InsufficientStock
from catalog.models import Material, StockBalance, StockMovement
from catalog.services.options import (
    Chosen,
    FieldSpec,
    OptionSpec,
    choice_resolve,
    product_options_set,
)
from catalog.services.products import product_stock_receive
from orders.exceptions import InvalidInput
from orders.models import Order, OrderLine
from tests.factories import (
    make_personal_product,
    make_product,
    make_sized_product,
    make_stocked_product,
    place,
    size_variant,
)

pytestmark = pytest.mark.django_db


def free(product, size: str) -> Decimal:
    balance = StockBalance.objects.get(material=size_variant(product, size).stock_item)
    return balance.available


def test_each_size_of_a_ready_made_product_gets_its_own_count_in_the_ledger():
    shirt = make_sized_product(sizes={"S": 2, "M": 1, "L": 0})

    items = Material.objects.filter(variant__product=shirt)

    assert items.count() == 3
    assert set(items.values_list("category", flat=True)) == {"finished_goods"}
    assert free(shirt, "M") == 1
    assert StockMovement.objects.filter(material=size_variant(shirt, "M").stock_item).count() == 1


def test_ordering_size_m_reserves_from_size_m_only():
    shirt = make_sized_product(sizes={"M": 2, "L": 2})

    place((shirt, 1, Chosen(options={"Size": "M"})))

    assert free(shirt, "M") == 1
    assert free(shirt, "L") == 2


def test_a_sold_out_size_is_refused_and_nothing_is_written():
    shirt = make_sized_product(sizes={"M": 0, "L": 3})

    with pytest.raises(InsufficientStock) as refused:
        place((shirt, 1, Chosen(options={"Size": "M"})))

    assert "Size: M" in str(refused.value.shortages[0])
    assert Order.objects.count() == 0
    assert free(shirt, "L") == 3


def test_the_line_price_is_the_product_price_plus_the_chosen_difference():
    shirt = make_sized_product(sizes={"M": 1, "2XL": 1}, deltas={"2XL": "2.00"}, price="22.00")

    order = place((shirt, 1, Chosen(options={"Size": "2XL"})))

    line = order.lines.get()
    assert line.unit_price == Decimal("24.00")
    assert order.total == Decimal("24.00")


def test_the_order_line_keeps_a_snapshot_that_later_edits_do_not_change():
    shirt = make_sized_product(sizes={"M": 1}, deltas={"M": "1.50"})
    order = place((shirt, 1, Chosen(options={"Size": "M"})))

    product_options_set(
        product=shirt, options=[OptionSpec("Size", [("M", Decimal("9"))])], fields=[]
    )

    line = OrderLine.objects.get(order=order)
    assert line.options == [{"option": "Size", "value": "M", "price_delta": "1.50"}]
    assert line.variant == size_variant(shirt, "M")


def test_two_sizes_of_one_product_are_two_lines():
    shirt = make_sized_product(sizes={"M": 1, "L": 1})

    order = place(
        (shirt, 1, Chosen(options={"Size": "M"})), (shirt, 1, Chosen(options={"Size": "L"}))
    )

    assert sorted(line.options[0]["value"] for line in order.lines.all()) == ["L", "M"]


def test_a_value_the_product_does_not_have_is_refused():
    shirt = make_sized_product(sizes={"M": 1})

    with pytest.raises(InvalidInput) as refused:
        place((shirt, 1, Chosen(options={"Size": "XXXXL"})))

    assert "is not a size" in str(refused.value.message_dict["lines"])
    assert free(shirt, "M") == 1


def test_an_option_the_product_does_not_have_is_refused():
    shirt = make_sized_product(sizes={"M": 1})

    with pytest.raises(ValidationError) as refused:
        choice_resolve(product=shirt, chosen=Chosen(options={"Size": "M", "Colour": "Red"}))

    assert "no option “Colour”" in refused.value.message_dict["options"][0]


def test_another_products_value_is_refused():
    shirt = make_sized_product(sizes={"M": 1})
    other = make_sized_product(sizes={"Kids": 1})

    with pytest.raises(ValidationError):
        choice_resolve(product=shirt, chosen=Chosen(options={"Size": "Kids"}))
    assert choice_resolve(product=other, chosen=Chosen(options={"Size": "Kids"}))


def test_an_option_left_unchosen_is_refused():
    shirt = make_sized_product(sizes={"M": 1})

    with pytest.raises(ValidationError) as refused:
        choice_resolve(product=shirt, chosen=Chosen())

    assert refused.value.message_dict["options"] == ["Choose a size."]


def test_personal_text_is_kept_trimmed_on_the_line():
    tote = make_personal_product()

    order = place((tote, 1, Chosen(personalisation={"Name to embroider": "  Ada Lovelace "})))

    assert order.lines.get().personalisation == [
        {"label": "Name to embroider", "text": "Ada Lovelace"}
    ]


def test_personal_text_too_long_is_refused():
    tote = make_personal_product(max_length=30)

    with pytest.raises(InvalidInput) as refused:
        place((tote, 1, Chosen(personalisation={"Name to embroider": "x" * 31})))

    assert "at most 30 characters" in str(refused.value.message_dict["lines"])
    assert Order.objects.count() == 0


@pytest.mark.parametrize("text", ["Ada\nLovelace", "Ada\x00", "Ada\x1b[31m", "Ada\u2028Lovelace"])
def test_personal_text_with_control_characters_is_refused(text):
    tote = make_personal_product()

    with pytest.raises(ValidationError) as refused:
        choice_resolve(product=tote, chosen=Chosen(personalisation={"Name to embroider": text}))

    assert "control characters" in refused.value.message_dict["personalisation"][0]


def test_required_personal_text_left_empty_is_refused():
    tote = make_personal_product(required=True)

    with pytest.raises(ValidationError) as refused:
        choice_resolve(product=tote, chosen=Chosen(personalisation={"Name to embroider": "  "}))

    assert "needed" in refused.value.message_dict["personalisation"][0]


def test_markup_in_personal_text_is_kept_as_typed():
    tote = make_personal_product()

    order = place((tote, 1, Chosen(personalisation={"Name to embroider": "<b>Ada</b>"})))

    assert order.lines.get().personalisation[0]["text"] == "<b>Ada</b>"


def test_a_product_without_options_orders_as_before():
    stool = make_stocked_product(quantity=2)

    order = place((stool, 1))

    line = order.lines.get()
    assert (line.options, line.personalisation, line.variant) == ([], [], None)


def test_removing_a_size_keeps_its_variant_and_ledger_but_stops_selling_it():
    shirt = make_sized_product(sizes={"M": 1, "L": 1})
    old_l = size_variant(shirt, "L")

    product_options_set(
        product=shirt, options=[OptionSpec("Size", [("M", Decimal("0"))])], fields=[]
    )

    old_l.refresh_from_db()
    assert old_l.active is False
    with pytest.raises(ValidationError):
        choice_resolve(product=shirt, chosen=Chosen(options={"Size": "L"}))


def test_options_are_refused_while_the_plain_count_is_not_zero():
    shirt = make_stocked_product(quantity=3)

    with pytest.raises(ValidationError) as refused:
        product_options_set(
            product=shirt, options=[OptionSpec("Size", [("M", Decimal("0"))])], fields=[]
        )

    assert "Count this product's stock to zero first" in refused.value.message_dict["options"][0]
    assert not shirt.options.exists()


def test_goods_with_sizes_are_counted_per_size_only():
    shirt = make_sized_product(sizes={"M": 1})

    with pytest.raises(ValidationError) as refused:
        product_stock_receive(product=shirt, quantity=1, by=None, reason="made")

    assert "variant" in refused.value.message_dict


def test_a_price_difference_that_leaves_nothing_to_pay_is_refused():
    cheap = make_product(price="5.00")

    with pytest.raises(ValidationError) as refused:
        product_options_set(
            product=cheap, options=[OptionSpec("Size", [("S", Decimal("-5.00"))])], fields=[]
        )

    assert "nothing or less" in refused.value.message_dict["options"][0]


def test_a_personal_text_longer_than_the_house_limit_is_refused():
    tote = make_product()

    with pytest.raises(ValidationError):
        product_options_set(product=tote, options=[], fields=[FieldSpec("Name", max_length=500)])
