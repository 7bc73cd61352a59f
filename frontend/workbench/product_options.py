"""A co-op's options (size, colour) and personal texts for one product, and the count of
each combination of ready-made goods.

The form reads what was typed; `product_options_set` and the stock services decide, and
their refusals are shown next to the fields (400).
"""

import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_http_methods, require_POST

from catalog.exceptions import CountBelowReserved
from catalog.models import MAX_PERSONAL_TEXT, Product, Variant
from catalog.option_selectors import variants_available
from catalog.services.options import (
    MAX_FIELDS,
    MAX_OPTIONS,
    FieldSpec,
    OptionSpec,
    product_options_set,
)
from catalog.services.products import product_stock_count
from frontend.workbench.common import coop_view
from frontend.workbench.forms import _Form
from frontend.workbench.products import _product, _render

# "2XL +2.00", "Kids −1": a choice, then what it adds to or takes off the price.
VALUE_LINE = re.compile(
    r"^(?P<label>.*?)\s*(?:\(?\s*(?P<sign>[+\-−])\s*\$?\s*(?P<amount>[\d,]+(?:\.\d+)?)\s*\)?)?$"
)


def parse_values(text: str) -> list[tuple[str, Decimal]]:
    """One choice a line; raises ValidationError naming the line that cannot be read."""
    values = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        match = VALUE_LINE.match(line)
        label = match["label"].strip() if match else ""
        if not label:
            raise ValidationError(f"Line {number}: write the choice first, e.g. “2XL +2.00”.")
        delta = Decimal("0")
        if match["amount"]:
            try:
                delta = Decimal(match["amount"].replace(",", ""))
            except InvalidOperation:
                raise ValidationError(f"Line {number}: write the price as 2.00.") from None
            if match["sign"] in "-−":
                delta = -delta
        values.append((label, delta))
    return values


class OptionsForm(_Form):
    """Up to three options and three personal texts, each in its own fields."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for n in range(1, MAX_OPTIONS + 1):
            self.fields[f"option_{n}_name"] = forms.CharField(
                label=f"Option {n}: name",
                max_length=40,
                required=False,
                help_text="e.g. Size or Colour. Leave empty for none.",
            )
            self.fields[f"option_{n}_values"] = forms.CharField(
                label=f"Option {n}: choices",
                required=False,
                widget=forms.Textarea(attrs={"rows": 4}),
                help_text="One a line. Add a price difference after it: “2XL +2.00”.",
            )
        for n in range(1, MAX_FIELDS + 1):
            self.fields[f"text_{n}_label"] = forms.CharField(
                label=f"Personal text {n}: what to ask",
                max_length=60,
                required=False,
                help_text="e.g. Name to embroider. Leave empty for none.",
            )
            self.fields[f"text_{n}_max_length"] = forms.IntegerField(
                label=f"Personal text {n}: longest",
                min_value=1,
                max_value=MAX_PERSONAL_TEXT,
                initial=30,
                required=False,
                help_text="Characters.",
            )
            self.fields[f"text_{n}_required"] = forms.BooleanField(
                label=f"Personal text {n}: needed to make it", required=False
            )

    def clean(self):
        data = super().clean()
        options, fields = [], []
        for n in range(1, MAX_OPTIONS + 1):
            name = (data.get(f"option_{n}_name") or "").strip()
            try:
                values = parse_values(data.get(f"option_{n}_values") or "")
            except ValidationError as error:
                self.add_error(f"option_{n}_values", error)
                continue
            if name and not values:
                self.add_error(f"option_{n}_values", "List at least one choice.")
            elif values and not name:
                self.add_error(f"option_{n}_name", "Name this option.")
            elif name:
                options.append(OptionSpec(name, values))
        for n in range(1, MAX_FIELDS + 1):
            label = (data.get(f"text_{n}_label") or "").strip()
            if label:
                longest = data.get(f"text_{n}_max_length") or 30
                fields.append(FieldSpec(label, longest, bool(data.get(f"text_{n}_required"))))
        data["options"], data["personal_fields"] = options, fields
        return data

    def add_service_error(self, error: ValidationError) -> None:
        where = {"options": "option_1_values", "personalisation": "text_1_label"}
        for field, errors in error.message_dict.items():
            self.add_error(where.get(field), errors)


def _initial(product: Product) -> dict:
    initial = {}
    for n, option in enumerate(product.options.prefetch_related("values"), start=1):
        initial[f"option_{n}_name"] = option.name
        initial[f"option_{n}_values"] = "\n".join(
            f"{v.label} {'+' if v.price_delta > 0 else '−'}{abs(v.price_delta):.2f}"
            if v.price_delta
            else v.label
            for v in option.values.all()
        )
    for n, spec in enumerate(product.personal_fields.all(), start=1):
        initial |= {
            f"text_{n}_label": spec.label,
            f"text_{n}_max_length": spec.max_length,
            f"text_{n}_required": spec.required,
        }
    return initial


def _variants(product: Product) -> list[Variant]:
    variants = list(Variant.objects.filter(product=product, active=True).order_by("pk"))
    free = variants_available([v.pk for v in variants])
    for variant in variants:
        variant.free = free.get(variant.pk, Decimal("0"))
    return variants


def _render_options(request, producer, product, *, form=None, status=200, count_error=""):
    return _render(
        request,
        producer,
        "options.html",
        status=status,
        product=product,
        tab="options",
        form=form or OptionsForm(initial=_initial(product)),
        variants=_variants(product),
        count_error=count_error,
    )


@coop_view
@require_http_methods(["GET", "HEAD", "POST"])
def product_options(request, producer, pk: int):
    product = _product(producer, pk)
    if request.method != "POST":
        return _render_options(request, producer, product)
    form = OptionsForm(request.POST)
    if form.is_valid():
        try:
            product_options_set(
                product=product,
                options=form.cleaned_data["options"],
                fields=form.cleaned_data["personal_fields"],
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"Saved the choices of {product.title}.")
            return redirect("workbench:coop-product-options", producer.slug, product.pk)
    return _render_options(request, producer, product, form=form, status=400)


@coop_view
@require_POST
def product_variant_count(request, producer, pk: int, variant_pk: int):
    """Record a count of one combination's finished goods; the difference goes in the ledger."""
    product = _product(producer, pk)
    variant = get_object_or_404(Variant, product=product, pk=variant_pk, active=True)
    raw = request.POST.get("counted", "").strip()
    try:
        counted = int(raw)
        if not 0 <= counted <= 100_000:
            raise ValueError
        product_stock_count(
            product=product,
            variant=variant,
            counted=counted,
            by=request.user,
            reason=request.POST.get("reason", "").strip()[:200] or "Count",
        )
    except ValueError:
        message = f"{variant.label}: enter how many you counted, a whole number from 0."
        return _render_options(request, producer, product, status=400, count_error=message)
    except ValidationError as error:
        message = f"{variant.label}: {' '.join(error.messages)}"
        return _render_options(request, producer, product, status=400, count_error=message)
    except CountBelowReserved:
        message = (
            f"{variant.label}: open orders hold more than that; count at least what they hold."
        )
        return _render_options(request, producer, product, status=409, count_error=message)
    messages.success(request, f"{product.title}, {variant.label}: {counted} on the shelf.")
    return redirect("workbench:coop-product-options", producer.slug, product.pk)
