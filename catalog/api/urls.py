from django.urls import path
from rest_framework.routers import SimpleRouter

from catalog.api import views

router = SimpleRouter()
router.register("materials", views.MaterialViewSet, basename="material")
router.register("stock-locations", views.StockLocationViewSet, basename="stock-location")
router.register("stock-movements", views.StockMovementViewSet, basename="stock-movement")

urlpatterns = [
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
]
