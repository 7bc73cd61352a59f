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


# Currencies shown by their symbol; any other by its code (`EUR 1,234.50`).
CURRENCY_SYMBOLS = {"usd": "$"}


def format_money(amount: Decimal | int | str | None, currency: str = "usd") -> str:
    """An amount for people: `$2,880.00`, `-$5.00`, always cents, thousands separated.

    Rounded half up to the cent like every stored amount; nothing (None or "") reads as "".
    """
    if amount is None or amount == "":
        return ""
    value = to_money(amount)
    number = f"{abs(value):,}"
    symbol = CURRENCY_SYMBOLS.get(currency.lower())
    text = f"{symbol}{number}" if symbol else f"{currency.upper()} {number}"
    return f"-{text}" if value < 0 else text


def format_quantity(value: Decimal) -> str:
    """A quantity for people: `4`, `2.5`, `0.125` (no trailing zeros, no exponent)."""
    text = f"{Decimal(value):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
