from django.urls import path

from frontend.workbench import coop, deliveries, jobs, products, report, stock, store

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
    # A co-op's goods, their pictures and bills of materials.
    path("co-ops/<slug:slug>/products/", products.product_list, name="coop-products"),
    path("co-ops/<slug:slug>/products/new/", products.product_new, name="coop-product-new"),
    path("co-ops/<slug:slug>/products/<int:pk>/", products.product_edit, name="coop-product"),
    path(
        "co-ops/<slug:slug>/products/<int:pk>/status/<slug:action>/",
        products.product_status,
        name="coop-product-status",
    ),
    path(
        "co-ops/<slug:slug>/products/<int:pk>/pictures/",
        products.product_pictures,
        name="coop-product-pictures",
    ),
    path(
        "co-ops/<slug:slug>/products/<int:pk>/pictures/<int:image_pk>/move/<slug:direction>/",
        products.product_picture_move,
        name="coop-product-picture-move",
    ),
    path(
        "co-ops/<slug:slug>/products/<int:pk>/pictures/<int:image_pk>/remove/",
        products.product_picture_remove,
        name="coop-product-picture-remove",
    ),
    path(
        "co-ops/<slug:slug>/products/<int:pk>/materials/",
        products.product_materials,
        name="coop-product-materials",
    ),
    path(
        "co-ops/<slug:slug>/products/<int:pk>/materials/<int:line_pk>/remove/",
        products.product_material_remove,
        name="coop-product-material-remove",
    ),
]
