"""Forms of the co-op workbench.

They only parse what was typed and offer the choices a user may pick from; the
stock and job services decide whether the change is allowed and raise the
errors that end up next to the fields.
"""

from django import forms
from django.core.exceptions import ValidationError

from catalog import selectors as catalog_selectors
from orders.models import CounterPayment
from producers import selectors as producer_selectors
from producers.permissions import can_keep_shared_store, producer_ids_for


def _quantity_field(label: str) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        # The services own the rules for quantities (positive, three decimals,
        # whole units for "each"); the form only turns the text into a number.
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )


class MaterialChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.name} ({obj.sku}, per {obj.get_unit_display()})"


class _Form(forms.Form):
    def __init__(self, *args, **kwargs):
        # Labels read as plain words ("Quantity"), not "Quantity:".
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def add_service_error(self, error: ValidationError) -> None:
        """Put a service's ValidationError next to the field it names, or on top."""
        if hasattr(error, "error_dict"):
            for field, messages in error.message_dict.items():
                self.add_error(field if field in self.fields else None, messages)
        else:
            self.add_error(None, error)


class DeclineForm(_Form):
    reason = forms.CharField(
        label="Why can't you make it?",
        max_length=240,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="For example: the laser is down until Friday. It is kept with the order.",
        error_messages={"required": "Say why you are declining, so the order can go elsewhere."},
    )


class HandOverForm(_Form):
    """What was taken at the counter for a pay-at-pickup job; the hand-over service judges it."""

    method = forms.ChoiceField(
        label="How did they pay?",
        choices=CounterPayment.Method.choices,
        initial=CounterPayment.Method.CASH,
        widget=forms.RadioSelect,
    )
    amount = forms.DecimalField(
        label="Amount taken ($)",
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        error_messages={"invalid": "Enter an amount in dollars and cents, such as 25.00."},
    )
    reason = forms.CharField(
        label="If you took less, or nothing, why?",
        required=False,
        max_length=240,
        help_text="For example: a scratch on the top, so half price.",
    )


class _StoreForm(_Form):
    """Material and location choices: active materials, and the shared store's locations."""

    material = MaterialChoiceField(queryset=None, label="Material", empty_label="Choose…")
    location = forms.ModelChoiceField(queryset=None, label="Location", empty_label=None)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["material"].queryset = catalog_selectors.material_list().filter(active=True)
        self.fields["location"].queryset = catalog_selectors.locations_visible_to(user).filter(
            shared=True
        )


class DrawdownForm(_StoreForm):
    quantity = _quantity_field("Quantity")
    producer = forms.ModelChoiceField(queryset=None, label="For which co-op", empty_label=None)
    reason = forms.CharField(
        label="What is it for?", max_length=240, help_text="For example: job, class, repair."
    )

    field_order = ["material", "location", "quantity", "producer", "reason"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        producers = producer_selectors.producer_list()
        if not can_keep_shared_store(user):
            # A co-op draws down for itself; the Fab Lab records it for anyone.
            producers = producers.filter(pk__in=producer_ids_for(user))
        self.fields["producer"].queryset = producers


class ReceiptForm(_StoreForm):
    quantity = _quantity_field("Quantity received")
    reason = forms.CharField(
        label="Where from?", max_length=240, help_text="Supplier and invoice, or donor."
    )

    field_order = ["material", "location", "quantity", "reason"]


class CountForm(_StoreForm):
    # Named like the service's error key so that a bad count lands next to it.
    quantity = _quantity_field("Counted on the shelf")
    reason = forms.CharField(label="Note", max_length=240, initial="Shelf count")

    field_order = ["material", "location", "quantity", "reason"]
