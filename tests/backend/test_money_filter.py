"""Money reads one way on every page and in every email: `$2,880.00`."""

from decimal import Decimal

import pytest
from django.template import Context, Template

from backend.money import format_money


def render(template: str, **context) -> str:
    return Template("{% load money %}" + template).render(Context(context))


def test_thousands_are_separated():
    assert render("{{ price|money }}", price=Decimal("2880")) == "$2,880.00"


def test_millions_are_separated_at_every_thousand():
    assert render("{{ price|money }}", price=Decimal("1234567.5")) == "$1,234,567.50"


def test_zero_shows_its_cents():
    assert render("{{ price|money }}", price=0) == "$0.00"


def test_a_negative_amount_puts_the_sign_before_the_dollar():
    assert render("{{ price|money }}", price=Decimal("-1250.5")) == "-$1,250.50"


def test_more_places_are_rounded_half_up_to_the_cent():
    assert render("{{ price|money }}", price=Decimal("2880.005")) == "$2,880.01"


def test_an_amount_that_rounds_to_zero_has_no_sign():
    assert render("{{ price|money }}", price=Decimal("-0.004")) == "$0.00"


def test_an_amount_given_as_text_reads_the_same():
    assert render("{{ price|money }}", price="2880.00") == "$2,880.00"


@pytest.mark.parametrize("nothing", [None, ""])
def test_no_amount_shows_nothing(nothing):
    assert render("{{ price|money }}", price=nothing) == ""


def test_another_currency_is_shown_by_its_code():
    assert render("{{ price|money:'eur' }}", price=Decimal("2880")) == "EUR 2,880.00"


def test_the_filter_and_the_function_agree():
    price = Decimal("99999.99")
    assert render("{{ price|money }}", price=price) == format_money(price)
