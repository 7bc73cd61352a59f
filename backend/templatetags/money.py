"""`{{ amount|money }}`: every amount of money on a page or in an email, one way."""

from django import template

from backend.money import format_money

register = template.Library()


@register.filter
def money(amount, currency: str = "usd") -> str:
    """`$2,880.00`; `{{ amount|money:order.currency }}` for an order in another currency."""
    return format_money(amount, currency)
