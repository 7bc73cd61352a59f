"""Money and quantities are Decimals; integer cents only at Stripe's door."""

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
# Every amount of money in the database: up to ten billion dollars, in cents.
MONEY = {"max_digits": 12, "decimal_places": 2}
THOUSANDTH = Decimal("0.001")


def to_money(value: Decimal | int | str) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def to_cents(value: Decimal) -> int:
    return int(to_money(value) * 100)


def from_cents(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(CENT)


def format_quantity(value: Decimal) -> str:
    """A quantity for people: `4`, `2.5`, `0.125` (no trailing zeros, no exponent)."""
    text = f"{Decimal(value):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
