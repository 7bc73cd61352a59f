from django import template

from backend.money import format_money, format_quantity

register = template.Library()


@register.filter
def qty(value) -> str:
    """A quantity as people write it: `4`, `2.5`, never `4.000` or `1E+1`."""
    return "" if value is None or value == "" else format_quantity(value)


@register.filter
def dollars(value) -> str:
    """The workbench's name for the `money` filter: `$2,880.00`."""
    return format_money(value)
