"""Forms of the Offcuts page: they parse what was typed; the offcut services judge it."""

from django import forms

from catalog import offcut_selectors
from catalog import selectors as catalog_selectors
from frontend.workbench.forms import MaterialChoiceField, _Form
from producers import selectors as producer_selectors
from producers.permissions import can_keep_shared_store, producer_ids_for


def _mm(label: str, *, required: bool = True) -> forms.IntegerField:
    # Zero and negative sizes are refused by the service, with its own words.
    return forms.IntegerField(
        label=label,
        required=required,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


def _amount(label: str, *, required: bool = False) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )


class OffcutSearchForm(_Form):
    material = MaterialChoiceField(
        queryset=None, label="Material", required=False, empty_label="Any material"
    )
    min_width_mm = _mm("At least this wide (mm)", required=False)
    min_height_mm = _mm("At least this high (mm)", required=False)
    min_amount = _amount("Spools and rolls: at least this much left")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["material"].queryset = offcut_selectors.offcut_materials()
        for name in ("min_width_mm", "min_height_mm"):
            self.fields[name].min_value = 1
            self.fields[name].widget.attrs["min"] = 1


class OffcutRecordForm(_Form):
    material = MaterialChoiceField(queryset=None, label="Material", empty_label="Choose…")
    location = forms.ModelChoiceField(queryset=None, label="Shelf", empty_label=None)
    width_mm = _mm("Width (mm)", required=False)
    height_mm = _mm("Height (mm)", required=False)
    amount = _amount("Or, for a spool or roll: what is left")
    kept_at = forms.CharField(
        label="Where is it kept?", max_length=120, help_text="For example: rack B, second slot."
    )
    source = forms.CharField(
        label="Left over from",
        max_length=120,
        help_text="The job or drawdown it came from, for example: job 41, church sign.",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["material"].queryset = offcut_selectors.offcut_materials()
        self.fields["location"].queryset = catalog_selectors.locations_visible_to(user)
        self.fields["width_mm"].help_text = "Sheet goods: the piece's size, up to a whole sheet."


class OffcutDrawDownForm(_Form):
    reason = forms.CharField(label="What is it for?", max_length=200)
    quantity = _amount("How much you use (blank: all of it)")
    producer = forms.ModelChoiceField(queryset=None, label="For which co-op", empty_label=None)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        producers = producer_selectors.producer_list()
        if not can_keep_shared_store(user):
            producers = producers.filter(pk__in=producer_ids_for(user))
        self.fields["producer"].queryset = producers


class OffcutDiscardForm(_Form):
    reason = forms.CharField(
        label="Why throw it away?", max_length=200, help_text="For example: warped, scratched."
    )
