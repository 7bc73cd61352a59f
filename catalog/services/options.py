"""Options (size, colour) and personal text: how a co-op sets them, how a choice is checked.

`product_options_set` is the one write; `choice_resolve` turns what a resident
picked into a `Choice` (values, texts, the variant holding its stock, the price
difference) or refuses it naming what is wrong. Prices always come from here,
never from a form.
"""

import hashlib
import itertools
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch

from catalog.caching import catalog_changed
from catalog.models import (
    MAX_PERSONAL_TEXT,
    MAX_PRICE_DELTA,
    Material,
    OptionValue,
    PersonalisationField,
    Product,
    ProductOption,
    StockBalance,
    Unit,
    Variant,
    variant_key,
)

MAX_OPTIONS = 3
MAX_VALUES = 20
MAX_FIELDS = 3
# Each combination of a ready-made product is its own shelf count: keep them countable.
MAX_COMBINATIONS = 100
NAME_MAX = 40
LABEL_MAX = 60


@dataclass(frozen=True)
class OptionSpec:
    """One option as a co-op describes it: a name and its values with price differences."""

    name: str
    values: list[tuple[str, Decimal]]


@dataclass(frozen=True)
class FieldSpec:
    label: str
    max_length: int = 30
    required: bool = False


@dataclass(frozen=True)
class Chosen:
    """What a resident picked, as sent: option name → value label, field label → text."""

    options: Mapping[str, str] = field(default_factory=dict)
    personalisation: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Choice:
    """A checked choice: what the order line keeps, and where its stock is."""

    values: tuple[OptionValue, ...] = ()
    texts: tuple[tuple[str, str], ...] = ()
    variant: Variant | None = None

    @property
    def price_delta(self) -> Decimal:
        return sum((value.price_delta for value in self.values), Decimal("0"))

    @property
    def key(self) -> str:
        """Two lines with the same key are the same thing and may be merged."""
        return repr(([value.pk for value in self.values], list(self.texts)))

    def options_snapshot(self) -> list[dict]:
        return [
            {
                "option": value.option.name,
                "value": value.label,
                "price_delta": f"{value.price_delta:.2f}",
            }
            for value in self.values
        ]

    def personalisation_snapshot(self) -> list[dict]:
        return [{"label": label, "text": text} for label, text in self.texts]

    def __bool__(self) -> bool:
        return bool(self.values or self.texts)


NO_CHOICE = Choice()

# What `choice_resolve` reads, for `prefetch_related` on a product queryset.
CHOICE_PREFETCH = (
    Prefetch("options", queryset=ProductOption.objects.prefetch_related("values")),
    "personal_fields",
    Prefetch("variants", queryset=Variant.objects.filter(active=True).select_related("stock_item")),
)


def text_problem(text: str, *, limit: int) -> str:
    """Why a personal text cannot be taken, or "" when it can (it is already stripped)."""
    if any(unicodedata.category(char) in {"Cc", "Cs", "Zl", "Zp"} for char in text):
        return "Use letters, digits and punctuation only: no control characters or line breaks."
    if len(text) > limit:
        return f"Use at most {limit} characters (you typed {len(text)})."
    return ""


def _problems(product: Product, chosen: Chosen) -> tuple[list[str], list[str], list, list]:
    options_errors, text_errors, values, texts = [], [], [], []
    given = dict(chosen.options or {})
    for option in product.options.all():
        label = given.pop(option.name, None)
        if label is None or not str(label).strip():
            options_errors.append(f"Choose a {option.name.lower()}.")
            continue
        value = next((v for v in option.values.all() if v.label == str(label).strip()), None)
        if value is None:
            options_errors.append(f"“{label}” is not a {option.name.lower()} of {product.title}.")
        else:
            values.append(value)
    options_errors += [f"{product.title} has no option “{name}”." for name in given]
    typed = dict(chosen.personalisation or {})
    for spec in product.personal_fields.all():
        raw = typed.pop(spec.label, "")
        text = raw.strip() if isinstance(raw, str) else None
        if text is None:
            text_errors.append(f"{spec.label}: enter text.")
        elif not text:
            if spec.required:
                text_errors.append(f"{spec.label}: this is needed to make it.")
        elif problem := text_problem(text, limit=spec.max_length):
            text_errors.append(f"{spec.label}: {problem}")
        else:
            texts.append((spec.label, text))
    text_errors += [f"{product.title} takes no text called “{label}”." for label in typed]
    return options_errors, text_errors, values, texts


def choice_resolve(*, product: Product, chosen: Chosen | None) -> Choice:
    """Check a resident's pick against the product as it is now.

    Reads the product's options, values, fields and (for ready-made goods) the
    variant; uses them prefetched when they are. Raises ValidationError on
    `options` (a value or option the product does not have, an option left
    unchosen) and `personalisation` (too long, control characters, required and
    empty, a field the product does not have). Markup is kept as typed: it is
    text, and every page escapes it.
    """
    chosen = chosen or Chosen()
    options_errors, text_errors, values, texts = _problems(product, chosen)
    errors = {}
    if options_errors:
        errors["options"] = options_errors
    if text_errors:
        errors["personalisation"] = text_errors
    if errors:
        raise ValidationError(errors)
    variant = None
    if values and not product.made_to_order:
        key = variant_key(value.pk for value in values)
        variant = next((v for v in product.variants.all() if v.key == key and v.active), None)
        if variant is None:
            raise ValidationError({"options": ["That combination is not offered."]})
    choice = Choice(values=tuple(values), texts=tuple(texts), variant=variant)
    if product.price + choice.price_delta <= 0:
        raise ValidationError({"options": ["That combination has no price: ask the co-op."]})
    return choice


# --- what a co-op sets ------------------------------------------------------------------


def _spec_errors(options: list[OptionSpec], fields: list[FieldSpec], product: Product) -> dict:
    errors: dict[str, list[str]] = {}

    def add(where: str, message: str) -> None:
        errors.setdefault(where, []).append(message)

    if len(options) > MAX_OPTIONS:
        add("options", f"Offer at most {MAX_OPTIONS} options.")
    names = [spec.name.strip() for spec in options]
    if len({n.lower() for n in names}) != len(names):
        add("options", "Give each option its own name.")
    for spec in options:
        name = spec.name.strip()
        if not name or len(name) > NAME_MAX:
            add("options", f"Name each option in 1 to {NAME_MAX} characters.")
        labels = [label.strip() for label, _ in spec.values]
        if not labels or len(labels) > MAX_VALUES:
            add("options", f"{name or 'An option'}: give 1 to {MAX_VALUES} choices.")
        if len(set(labels)) != len(labels):
            add("options", f"{name}: a choice is listed twice.")
        for label, delta in spec.values:
            if not label.strip() or len(label.strip()) > NAME_MAX or text_problem(label, limit=40):
                add("options", f"{name}: write each choice in 1 to {NAME_MAX} plain characters.")
            if not isinstance(delta, Decimal) or abs(delta) > MAX_PRICE_DELTA:
                add("options", f"{name}: a price difference is at most ${MAX_PRICE_DELTA:,}.")
            elif delta != delta.quantize(Decimal("0.01")):
                add("options", f"{name}: give price differences in dollars and cents.")
            elif product.price + delta <= 0:
                add("options", f"{name} {label}: the price would be nothing or less.")
    combinations = 1
    for spec in options:
        combinations *= max(len(spec.values), 1)
    if combinations > MAX_COMBINATIONS:
        add("options", f"At most {MAX_COMBINATIONS} combinations: offer fewer choices.")
    if len(fields) > MAX_FIELDS:
        add("personalisation", f"Ask for at most {MAX_FIELDS} texts.")
    labels = [spec.label.strip() for spec in fields]
    if len(set(labels)) != len(labels):
        add("personalisation", "Give each text its own label.")
    for spec in fields:
        if not spec.label.strip() or len(spec.label.strip()) > LABEL_MAX:
            add("personalisation", f"Label each text in 1 to {LABEL_MAX} characters.")
        if not 1 <= spec.max_length <= MAX_PERSONAL_TEXT:
            add("personalisation", f"A text may be 1 to {MAX_PERSONAL_TEXT} characters long.")
    return errors


def _sku(product: Product, key: str) -> str:
    return f"FG-{product.pk}-" + hashlib.sha1(key.encode()).hexdigest()[:10].upper()


def _sync_variants(product: Product, options: list[ProductOption]) -> None:
    """One active variant, with its own stock item, per combination; the rest inactive."""
    wanted = {}
    for combo in itertools.product(*[list(option.values.all()) for option in options]):
        if combo:
            wanted[variant_key(value.pk for value in combo)] = combo
    existing = {v.key: v for v in Variant.objects.filter(product=product)}
    for key, variant in existing.items():
        if variant.active != (key in wanted):
            variant.active = key in wanted
            variant.save(update_fields=["active"])
    for key, combo in wanted.items():
        if key in existing:
            continue
        label = ", ".join(f"{value.option.name}: {value.label}" for value in combo)
        item = Material.objects.create(
            sku=_sku(product, key),
            name=f"{product.title}, {label} (finished goods)"[:120],
            unit=Unit.EACH,
            category=Material.Category.FINISHED_GOODS,
        )
        variant = Variant.objects.create(product=product, key=key, label=label, stock_item=item)
        variant.values.set(combo)


def product_options_set(
    *, product: Product, options: list[OptionSpec], fields: list[FieldSpec]
) -> Product:
    """Set a product's options and personal texts, all at once.

    Locks the product's row. Options and values keep their rows (and so their
    variants' stock) by name; what is gone is removed, its variants kept inactive
    with their ledger history. Raises ValidationError on `options` or
    `personalisation`, naming each problem; nothing is written then. A ready-made
    product that already counts plain stock must count it to zero first.
    """
    errors = _spec_errors(options, fields, product)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        Product.objects.select_for_update(of=("self",)).values_list("pk").get(pk=product.pk)
        if (
            options
            and not product.made_to_order
            and product.stock_item_id
            and StockBalance.objects.filter(
                material_id=product.stock_item_id, on_hand__gt=0
            ).exists()
        ):
            raise ValidationError(
                {
                    "options": [
                        "Count this product's stock to zero first: each size or colour "
                        "then gets its own count."
                    ]
                }
            )
        kept_options = []
        current = {o.name: o for o in ProductOption.objects.filter(product=product)}
        for position, spec in enumerate(options):
            option = current.pop(spec.name.strip(), None) or ProductOption(product=product)
            option.name, option.position = spec.name.strip(), position
            option.save()
            values = {value.label: value for value in option.values.all()}
            for value_position, (label, delta) in enumerate(spec.values):
                value = values.pop(label.strip(), None) or OptionValue(option=option)
                value.label, value.price_delta, value.position = (
                    label.strip(),
                    delta,
                    value_position,
                )
                value.save()
            OptionValue.objects.filter(pk__in=[v.pk for v in values.values()]).delete()
            kept_options.append(option)
        ProductOption.objects.filter(pk__in=[o.pk for o in current.values()]).delete()
        fields_now = {f.label: f for f in PersonalisationField.objects.filter(product=product)}
        for position, spec in enumerate(fields):
            row = fields_now.pop(spec.label.strip(), None) or PersonalisationField(product=product)
            row.label, row.max_length = spec.label.strip(), spec.max_length
            row.required, row.position = spec.required, position
            row.save()
        PersonalisationField.objects.filter(pk__in=[f.pk for f in fields_now.values()]).delete()
        if not product.made_to_order:
            _sync_variants(product, kept_options)
        catalog_changed()
    return product
