from django.urls import path

from frontend.workbench import coop, deliveries, earnings, jobs, pickup, report, stock, store

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
    path("co-ops/<slug:slug>/earnings/", earnings.earnings, name="coop-earnings"),
    path(
        "co-ops/<slug:slug>/earnings/month.csv",
        earnings.earnings_month_csv,
        name="coop-earnings-month-csv",
    ),
    path("co-ops/<slug:slug>/earnings/all.csv", earnings.earnings_csv, name="coop-earnings-csv"),
    # Pickup points: their keepers receive the co-ops' parts and hand orders over.
    path("pickup-points/", pickup.pickup_points, name="pickup-points"),
    path("pickup-points/<slug:slug>/", pickup.pickup_point, name="pickup-point"),
    path(
        "pickup-points/<slug:slug>/jobs/<int:pk>/arrived/",
        pickup.pickup_arrived,
        name="pickup-arrived",
    ),
    path(
        "pickup-points/<slug:slug>/orders/<str:number>/hand-over/",
        pickup.pickup_hand_over,
        name="pickup-hand-over",
    ),
]
