from django.urls import path

from frontend.workbench import deliveries, jobs, report, stock, store

app_name = "workbench"

urlpatterns = [
    path("", jobs.home, name="home"),
    path("jobs/<int:pk>/<slug:action>/", jobs.job_action, name="job-action"),
    path("stock/", stock.stock, name="stock"),
    path("store/", store.store, name="store"),
    path("store/drawdown/", store.store_drawdown, name="store-drawdown"),
    path("store/receipt/", store.store_receipt, name="store-receipt"),
    path("store/count/", store.store_count, name="store-count"),
    path("report/", report.report, name="report"),
    path("deliveries/", deliveries.deliveries, name="deliveries"),
]
