from django.urls import include, path
from rest_framework.routers import SimpleRouter

from catalog.api import product_views, views

router = SimpleRouter()
router.register("materials", views.MaterialViewSet, basename="material")
router.register("stock-locations", views.StockLocationViewSet, basename="stock-location")
router.register("stock-movements", views.StockMovementViewSet, basename="stock-movement")
router.register("categories", product_views.CategoryViewSet, basename="category")
router.register("products", product_views.ProductViewSet, basename="product")

urlpatterns = [
    path("", include("catalog.api.images")),
    path("stock/receipts/", views.ReceiptView.as_view(), name="stock-receipts"),
    path("stock/drawdowns/", views.DrawdownView.as_view(), name="stock-drawdowns"),
    path("stock/adjustments/", views.AdjustmentView.as_view(), name="stock-adjustments"),
    path("stock/transfers/", views.TransferView.as_view(), name="stock-transfers"),
    path(
        "reports/materials-usage/",
        views.MaterialsUsageReportView.as_view(),
        name="report-materials-usage",
    ),
    path("stock/", views.StockBalanceViewSet.as_view({"get": "list"}), name="stock-balance-list"),
    *router.urls,
    path("", include("catalog.api.offcuts")),
]

# A product's design files: its producer's members list and upload them.
urlpatterns += [path("", include("catalog.api.designs"))]
