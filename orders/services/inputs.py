"""What the order services must be given, checked before anything is written.

Every rule about the input lives here, so an API client, the storefront and a
direct call meet the same answer: `InvalidInput` naming each field.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from backend.money import CENT, MONEY
from catalog.models import Product
from orders.exceptions import InvalidInput
from orders.models import Order, PickupPoint

MAX_LINES = 50
MAX_QUANTITY = 100
NAME_MAX = 120
EMAIL_MAX = 254
PHONE_MAX = 40
ADDRESS_MAX = 300
NOTE_MAX = 500
CANCEL_REASON_MAX = 240
# The largest amount a money column holds (MONEY: 12 digits, 2 after the point).
MONEY_MAX = Decimal(10) ** (MONEY["max_digits"] - MONEY["decimal_places"]) - CENT
DECLINE_REASON_MAX = 240


@dataclass(frozen=True)
class Contact:
    name: str
    email: str
    phone: str = ""


class Errors:
    """Collects messages by field; `raise_if_any` raises them together."""

    def __init__(self) -> None:
        self.by_field: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.by_field.setdefault(field, []).append(message)

    def text(self, field: str, value, *, limit: int, required: bool, missing: str = "") -> None:
        if not isinstance(value, str):
            self.add(field, "Enter text.")
        elif required and not value.strip():
            self.add(field, missing or "This field is required.")
        elif len(value) > limit:
            self.add(field, f"Use at most {limit} characters.")
        elif "\x00" in value:
            self.add(field, "Null characters are not allowed.")

    def raise_if_any(self) -> None:
        if self.by_field:
            raise InvalidInput(self.by_field)


def _check_contact(errors: Errors, contact: Contact) -> None:
    errors.text(
        "contact_name",
        contact.name,
        limit=NAME_MAX,
        required=True,
        missing="Tell us your name so the co-ops can reach you.",
    )
    errors.text(
        "contact_email",
        contact.email,
        limit=EMAIL_MAX,
        required=True,
        missing="Give an email so we can send your order's link.",
    )
    if "contact_email" not in errors.by_field:
        try:
            validate_email(contact.email)
        except ValidationError:
            errors.add("contact_email", "Enter a valid email address.")
    errors.text("contact_phone", contact.phone, limit=PHONE_MAX, required=False)


def _check_lines(errors: Errors, lines) -> None:
    if not lines:
        errors.add("lines", "Choose at least one product.")
        return
    if len(lines) > MAX_LINES:
        errors.add("lines", f"Order at most {MAX_LINES} different lines at once.")
    for product, quantity, *_ in lines:
        if not isinstance(product, Product) or product.status != Product.Status.PUBLISHED:
            errors.add("lines", f"{getattr(product, 'title', 'A product')} is not for sale.")
        if isinstance(quantity, bool) or not isinstance(quantity, int):
            errors.add("lines", "Give each quantity as a whole number.")
        elif not 1 <= quantity <= MAX_QUANTITY:
            errors.add("lines", f"Order from 1 to {MAX_QUANTITY} of each product.")


def _check_delivery(errors: Errors, fulfilment, address, point) -> None:
    errors.text("delivery_address", address, limit=ADDRESS_MAX, required=False)
    if fulfilment == Order.Fulfilment.DELIVERY and isinstance(address, str) and not address.strip():
        errors.add("delivery_address", "Give an address for local delivery.")
    if point is None:
        return
    latitude, longitude = point
    if latitude is None or longitude is None:
        errors.add("delivery_point", "Give both latitude and longitude, or neither.")
    elif not (-90 <= Decimal(latitude) <= 90 and -180 <= Decimal(longitude) <= 180):
        errors.add("delivery_point", "That is not a place on Earth.")


def _check_pickup_point(errors: Errors, fulfilment, pickup_point) -> None:
    if pickup_point is None:
        return
    if not isinstance(pickup_point, PickupPoint) or not pickup_point.active:
        errors.add("pickup_point", "That pickup point is not open for orders: choose another.")
    elif fulfilment != Order.Fulfilment.PICKUP:
        errors.add("pickup_point", "A pickup point is for orders you collect, not for delivery.")


def order_input_check(
    *,
    contact: Contact,
    lines,
    fulfilment: str,
    payment_method: str,
    delivery_address: str,
    delivery_point,
    note: str,
    pickup_point: PickupPoint | None = None,
) -> None:
    """Raise InvalidInput naming every field of an order that cannot be taken."""
    errors = Errors()
    _check_lines(errors, lines)
    _check_contact(errors, contact)
    if fulfilment not in Order.Fulfilment.values:
        errors.add("fulfilment", "Choose pickup or delivery.")
    if payment_method not in Order.PaymentMethod.values:
        errors.add("payment_method", "Choose a way to pay.")
    elif payment_method == Order.PaymentMethod.STRIPE and not settings.STRIPE_SECRET_KEY:
        errors.add("payment_method", "Card payments are not available here yet: pay at pickup.")
    _check_delivery(errors, fulfilment, delivery_address, delivery_point)
    _check_pickup_point(errors, fulfilment, pickup_point)
    errors.text("note", note, limit=NOTE_MAX, required=False)
    errors.raise_if_any()


def order_total_check(line_totals: list[Decimal]) -> None:
    """Raise InvalidInput on `lines` when the order's total would not fit a money column."""
    if sum(line_totals, Decimal("0")) > MONEY_MAX:
        raise InvalidInput(
            {"lines": [f"An order may come to at most ${MONEY_MAX:,}: order fewer or split it."]}
        )


def reason_check(reason, *, limit: int, required: bool) -> None:
    """Raise InvalidInput on `reason` when it is missing (if required) or too long."""
    errors = Errors()
    errors.text("reason", reason, limit=limit, required=required, missing="Give a reason.")
    errors.raise_if_any()
