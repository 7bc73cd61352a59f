"""Forms of the co-op's product pages.

They parse what was typed and offer the choices a co-op may pick from; the
product, picture and bill-of-materials services decide what is allowed (a price
above zero, a free slug, whole units for "each") and their refusals are put
next to the fields.
"""

from django import forms

from catalog.models import Category, Licence, Product
from catalog.selectors import bom_materials_for
from frontend.workbench.forms import MaterialChoiceField, _Form, _quantity_field

STATUS_FILTERS = [
    ("", "On the shelf (draft, on sale, paused)"),
    (Product.Status.DRAFT, "Drafts"),
    (Product.Status.PUBLISHED, "On sale"),
    (Product.Status.PAUSED, "Paused"),
    (Product.Status.ARCHIVED, "Archived"),
]


class ProductFilterForm(_Form):
    status = forms.ChoiceField(label="Show", choices=STATUS_FILTERS, required=False)


class ProductForm(_Form):
    title = forms.CharField(label="Name", max_length=160)
    slug = forms.CharField(
        label="Web address",
        max_length=180,
        required=False,
        help_text="The last part of the product's address. Left empty, it is made from the name.",
    )
    description = forms.CharField(
        label="Description",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What it is, what it is made of, how big it is.",
    )
    category = forms.ModelChoiceField(
        queryset=Category.objects.all(),
        label="Category",
        required=False,
        empty_label="No category",
        error_messages={"invalid_choice": "Choose one of the categories in the list."},
    )
    # The services judge the amount (above zero); the form only reads a number.
    price = forms.DecimalField(
        label="Price (US dollars)",
        max_digits=12,
        decimal_places=2,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    fulfilment = forms.ChoiceField(
        label="How it is sold",
        choices=[
            (Product.Fulfilment.STOCK, "Ready-made, from stock"),
            (Product.Fulfilment.MADE_TO_ORDER, "Made to order"),
        ],
        widget=forms.RadioSelect,
        initial=Product.Fulfilment.STOCK,
    )
    lead_time_days = forms.IntegerField(
        label="Days to make one",
        required=False,
        initial=0,
        help_text="For made-to-order goods: how long residents wait.",
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    open_design = forms.BooleanField(
        label="Open design: any co-op with the right tools may make it",
        required=False,
        help_text="Made-to-order goods only.",
    )
    licence = forms.ChoiceField(
        label="Design licence",
        choices=Licence.choices,
        initial=Licence.ALL_RIGHTS_RESERVED,
        # Left out, the product keeps its licence ("all rights reserved" when new).
        required=False,
        help_text="What residents and other co-ops may do with the design. Under CC BY-SA, "
        "CC BY-NC-SA or CERN-OHL-S anyone may download the design files from the product page.",
    )
    machine_minutes = forms.IntegerField(
        label="Machine minutes for one",
        required=False,
        initial=0,
        min_value=0,
        max_value=24 * 60,
        help_text="Time on a laser cutter, CNC router or printer to make one, if it needs one.",
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    def service_fields(self) -> dict:
        """The cleaned data as the product services take it."""
        data = dict(self.cleaned_data)
        if data["lead_time_days"] is None:
            data["lead_time_days"] = 0
        if data["machine_minutes"] is None:
            data["machine_minutes"] = 0
        if not data["slug"]:
            data.pop("slug")
        if not data["licence"]:
            data.pop("licence")
        return data


class PictureForm(_Form):
    # A plain file field: the picture pipeline judges the content, not the name.
    image = forms.FileField(
        label="Picture",
        help_text="A JPEG, PNG or WebP photo, 10 MB and 40 megapixels at most.",
        error_messages={"required": "Choose a picture to upload."},
    )
    alt_text = forms.CharField(
        label="What the picture shows",
        max_length=200,
        help_text="For people who cannot see it, e.g. “Walnut cutting board, end grain up”.",
        error_messages={"required": "Say what the picture shows, for people who cannot see it."},
    )


class BomLineForm(_Form):
    material = MaterialChoiceField(
        queryset=None,
        label="Material",
        empty_label="Choose…",
        error_messages={
            "invalid_choice": "Choose a material from the list: the co-op's shelves and the "
            "shared store hold those."
        },
    )
    quantity = _quantity_field("Quantity for one item")
    # The offcut service judges these against the material (sheet goods or spools).
    min_offcut_width_mm = forms.IntegerField(
        label="May use an offcut at least this wide (mm)",
        required=False,
        help_text="Sheet goods: leave both sizes blank to cut from whole sheets only.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    min_offcut_height_mm = forms.IntegerField(
        label="and at least this high (mm)",
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    min_offcut_amount = forms.DecimalField(
        label="Spools and rolls: may use an end with at least this much left",
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )

    def __init__(self, *args, producer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["material"].queryset = bom_materials_for(producer)


class DesignFileForm(_Form):
    # A plain file field: the design services judge the content, not the name.
    file = forms.FileField(
        label="Design file",
        help_text="An SVG, DXF, STL, 3MF or PDF file. Uploading a file with the same name "
        "adds a new version.",
        error_messages={"required": "Choose a design file to upload."},
    )
    note = forms.CharField(
        label="What changed (optional)",
        max_length=240,
        required=False,
        help_text="For example “Thicker tabs for 6 mm birch”.",
    )


class LicenceForm(_Form):
    licence = forms.ChoiceField(label="Design licence", choices=Licence.choices)
