"""Options, their values, the combinations with their counts, and personal texts: read in the
back office, changed only through `product_options_set` (which keeps the combinations)."""

from django.contrib import admin

from backend.admin import ReadOnlyAdmin
from catalog.models import OptionValue, PersonalisationField, ProductOption, Variant


@admin.register(ProductOption)
class ProductOptionAdmin(ReadOnlyAdmin):
    list_display = ["product", "name", "position"]
    search_fields = ["product__title", "name"]
    list_select_related = ["product"]


@admin.register(OptionValue)
class OptionValueAdmin(ReadOnlyAdmin):
    list_display = ["option", "label", "price_delta", "position"]
    search_fields = ["option__product__title", "label"]
    list_select_related = ["option__product"]


@admin.register(Variant)
class VariantAdmin(ReadOnlyAdmin):
    list_display = ["product", "label", "stock_item", "active"]
    list_filter = ["active"]
    search_fields = ["product__title", "label", "stock_item__sku"]
    list_select_related = ["product", "stock_item"]


@admin.register(PersonalisationField)
class PersonalisationFieldAdmin(ReadOnlyAdmin):
    list_display = ["product", "label", "max_length", "required"]
    search_fields = ["product__title", "label"]
    list_select_related = ["product"]
