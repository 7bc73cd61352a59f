from django.urls import path

from frontend import workbench

app_name = "workbench"

urlpatterns = [
    path("", workbench.home, name="home"),
    path("jobs/<int:pk>/<slug:action>/", workbench.job_action, name="job-action"),
    path("stock/", workbench.stock, name="stock"),
    path("store/", workbench.store, name="store"),
    path("store/drawdown/", workbench.store_drawdown, name="store-drawdown"),
    path("store/receipt/", workbench.store_receipt, name="store-receipt"),
    path("store/count/", workbench.store_count, name="store-count"),
    path("report/", workbench.report, name="report"),
    path("deliveries/", workbench.deliveries, name="deliveries"),
]
