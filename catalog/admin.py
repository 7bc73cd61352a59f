from django.contrib import admin

from catalog.models import Material, StockBalance, StockLocation, StockMovement


@admin.register(Material)
class MaterialAdmin(admin.ModelAdmin):
    list_display = [
        "sku",
        "name",
        "unit",
        "category",
        "unit_cost",
        "reorder_point",
        "active",
        "low_stock_since",
    ]
    list_filter = ["category", "unit", "active"]
    search_fields = ["sku", "name", "description"]
    readonly_fields = ["low_stock_since", "created_at", "updated_at"]


@admin.register(StockLocation)
class StockLocationAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "producer", "shared"]
    list_filter = ["shared", "producer"]
    search_fields = ["name", "code", "producer__name"]
    prepopulated_fields = {"code": ["name"]}


class ReadOnlyAdmin(admin.ModelAdmin):
    """Balances and the ledger change only through the stock services."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(StockBalance)
class StockBalanceAdmin(ReadOnlyAdmin):
    list_display = ["material", "location", "on_hand", "reserved", "available", "updated_at"]
    list_filter = ["location__shared", "location", "material__category"]
    search_fields = ["material__sku", "material__name", "location__code"]
    list_select_related = ["material", "location"]


@admin.register(StockMovement)
class StockMovementAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "kind",
        "material",
        "location",
        "quantity",
        "on_hand_after",
        "reserved_after",
        "producer",
        "created_by",
        "reason",
    ]
    list_filter = ["kind", "location", "producer", "material__category"]
    search_fields = ["material__sku", "material__name", "reason", "reference"]
    date_hierarchy = "created_at"
    list_select_related = ["material", "location", "producer", "created_by"]
