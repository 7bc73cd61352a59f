"""Options and personal text on the product page and in the cart: reading the form, and
what the chooser shows. The rules are `catalog.services.options`'s."""

from decimal import Decimal

from catalog.option_selectors import Chooser, product_chooser
from catalog.services.options import Chosen

# Fields a price could be smuggled in: prices come from the shop, never from the form.
PRICE_FIELDS = ("price", "unit_price", "price_delta")
# More fields than any product takes is not a resident typing.
MOST_FIELDS = 10


def forged_price(post) -> bool:
    return any(name in post for name in PRICE_FIELDS)


def chosen_from_post(chooser: Chooser, post) -> dict:
    """What the form picked, by option name and text label, as `Cart` and `Chosen` take it.

    Option and text fields the product does not have are passed on under their own names,
    so that `choice_resolve` refuses them by name.
    """
    names = {f"option-{row.option.pk}": row.option.name for row in chooser.options}
    labels = {f"text-{field.pk}": field.label for field in chooser.fields}
    options, texts = {}, {}
    for key in list(post)[: MOST_FIELDS * 4]:
        if key.startswith("option-"):
            options[names.get(key, key)] = post.get(key, "")
        elif key.startswith("text-"):
            texts[labels.get(key, key)] = post.get(key, "")
    return {"options": options, "personalisation": texts}


def as_chosen(chosen: dict) -> Chosen:
    return Chosen(options=chosen["options"], personalisation=chosen["personalisation"])


def chooser_rows(chooser: Chooser, chosen: dict | None = None) -> dict:
    """What the product page's chooser shows: each option's values (with their price
    difference, and sold out when known), each text field, with what was typed kept."""
    chosen = chosen or {"options": {}, "personalisation": {}}
    options = []
    for row in chooser.options:
        picked = chosen["options"].get(row.option.name)
        values = []
        for value in row.values:
            free = row.available.get(value.pk)
            values.append(
                {
                    "label": value.label,
                    "delta": value.price_delta,
                    "sold_out": free is not None and free <= Decimal("0"),
                    "checked": picked == value.label,
                }
            )
        options.append(
            {"field": f"option-{row.option.pk}", "name": row.option.name, "values": values}
        )
    fields = [
        {
            "field": f"text-{field.pk}",
            "label": field.label,
            "max_length": field.max_length,
            "required": field.required,
            "value": chosen["personalisation"].get(field.label, ""),
        }
        for field in chooser.fields
    ]
    return {"options": options, "fields": fields}


__all__ = ["as_chosen", "chooser_rows", "chosen_from_post", "forged_price", "product_chooser"]
