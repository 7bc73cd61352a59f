from django.urls import path

from frontend.workbench import (
    coop,
    deliveries,
    export,
    goods,
    jobs,
    ledger,
    payouts,
    report,
    stock,
    store,
)

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
    # One co-op's shop: its pages take the co-op's slug.
    path("co-ops/", coop.coop_index, name="coops"),
    path("co-ops/<slug:slug>/", coop.coop_home, name="coop"),
    # A co-op's finished goods, ledger, export and payouts.
    path("co-ops/<slug:slug>/goods/", goods.goods, name="coop-goods"),
    path(
        "co-ops/<slug:slug>/goods/<int:pk>/receive/", goods.goods_receive, name="coop-goods-receive"
    ),
    path("co-ops/<slug:slug>/goods/<int:pk>/count/", goods.goods_count, name="coop-goods-count"),
    path("co-ops/<slug:slug>/goods/<int:pk>/level/", goods.goods_level, name="coop-goods-level"),
    path("co-ops/<slug:slug>/ledger/", ledger.ledger, name="coop-ledger"),
    path("co-ops/<slug:slug>/ledger.csv", ledger.ledger_csv, name="coop-ledger-csv"),
    path(
        "co-ops/<slug:slug>/ledger/transfer/", ledger.ledger_transfer, name="coop-ledger-transfer"
    ),
    path("co-ops/<slug:slug>/export/", export.export, name="coop-export"),
    path("co-ops/<slug:slug>/export.zip", export.export_download, name="coop-export-download"),
    path("co-ops/<slug:slug>/payouts/", payouts.payouts, name="coop-payouts"),
]
