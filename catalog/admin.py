from django.contrib import admin

from backend.admin import ReadOnlyAdmin
from catalog import admin_options  # noqa: F401  (registers the options admins)
from catalog.admin_images import ProductImageInline
from catalog.models import (
    BackInStockRequest,
    BillOfMaterialsLine,
    Category,
    DesignFile,
    Material,
    Offcut,
    Product,
    ProductImage,
    StockBalance,
    StockLocation,
    StockMovement,
)
from catalog.services.products import product_sync


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


@admin.register(StockBalance)
class StockBalanceAdmin(ReadOnlyAdmin):
    """Balances and the ledger change only through the stock services."""

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


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


class BillOfMaterialsInline(admin.TabularInline):
    model = BillOfMaterialsLine
    extra = 1
    autocomplete_fields = ["material"]


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "producer",
        "category",
        "price",
        "status",
        "fulfilment",
        "open_design",
        "created_at",
    ]
    list_filter = ["status", "fulfilment", "open_design", "category", "producer"]
    search_fields = ["title", "slug", "description", "producer__name"]
    list_select_related = ["producer", "category"]
    autocomplete_fields = ["producer", "category"]
    filter_horizontal = ["required_capabilities"]
    readonly_fields = ["stock_item", "published_at", "created_at", "updated_at"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [ProductImageInline, BillOfMaterialsInline]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # Keep what the product services derive: search text, the finished-goods count.
        product_sync(product=obj)


@admin.register(BillOfMaterialsLine)
class BillOfMaterialsLineAdmin(admin.ModelAdmin):
    list_display = ["product", "material", "quantity"]
    search_fields = ["product__title", "material__sku", "material__name"]
    list_select_related = ["product", "material"]
    autocomplete_fields = ["product", "material"]


@admin.register(ProductImage)
class ProductImageAdmin(ReadOnlyAdmin):
    """Pictures are added and removed on their product's page, through the image pipeline."""

    list_display = ["product", "alt_text", "position", "width", "height", "created_at"]
    search_fields = ["product__title", "alt_text"]
    list_select_related = ["product"]


@admin.register(BackInStockRequest)
class BackInStockRequestAdmin(ReadOnlyAdmin):
    """Who waits for which sold-out product. Staff may delete a request, e.g. when a
    resident asks to be forgotten; the rest changes only through the services."""

    list_display = ["product", "email", "created_at", "notified_at"]
    list_filter = [("notified_at", admin.EmptyFieldListFilter)]
    search_fields = ["email", "product__title"]
    list_select_related = ["product"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return bool(
            request.user.is_staff and request.user.has_perm("catalog.delete_backinstockrequest")
        )


@admin.register(DesignFile)
class DesignFileAdmin(ReadOnlyAdmin):
    """Design files are added and removed on the co-op's workbench, where each is judged."""

    list_display = ["product", "name", "version", "kind", "size", "uploaded_by", "created_at"]
    list_filter = ["kind"]
    search_fields = ["product__title", "name", "sha256"]
    list_select_related = ["product", "uploaded_by"]


@admin.register(Offcut)
class OffcutAdmin(ReadOnlyAdmin):
    """Pieces on the racks, read-only: they change only through the offcut services, which
    write the ledger."""

    list_display = ["pk", "material", "location", "size_label", "quantity", "status", "kept_at"]
    list_filter = ["status", "location"]
    search_fields = ["material__sku", "material__name", "kept_at", "source"]
    list_select_related = ["material", "location"]
