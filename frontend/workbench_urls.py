from django.urls import path

from frontend.workbench import (
    certifications,
    coop,
    deliveries,
    earnings,
    export,
    fablab_calendars,
    fablab_outages,
    goods,
    jobs,
    ledger,
    members,
    offcuts,
    payouts,
    pickup,
    product_options,
    products,
    report,
    settings,
    stock,
    store,
)
from frontend.workbench import fablab_bookings as machine_pages

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
        "co-ops/<slug:slug>/products/<int:pk>/options/",
        product_options.product_options,
        name="coop-product-options",
    ),
    path(
        "co-ops/<slug:slug>/products/<int:pk>/options/count/<int:variant_pk>/",
        product_options.product_variant_count,
        name="coop-product-variant-count",
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
    path("co-ops/<slug:slug>/settings/", settings.coop_settings, name="coop-settings"),
    path("co-ops/<slug:slug>/settings/logo/", settings.coop_logo, name="coop-logo"),
    path("co-ops/<slug:slug>/settings/webhook/", settings.coop_webhook, name="coop-webhook"),
    path(
        "co-ops/<slug:slug>/settings/webhook/rotate/",
        settings.coop_webhook_rotate,
        name="coop-webhook-rotate",
    ),
    path(
        "co-ops/<slug:slug>/settings/webhook/test/",
        settings.coop_webhook_test,
        name="coop-webhook-test",
    ),
    path("co-ops/<slug:slug>/members/", members.coop_members, name="coop-members"),
    path(
        "co-ops/<slug:slug>/members/invite/", members.coop_member_invite, name="coop-member-invite"
    ),
    path(
        "co-ops/<slug:slug>/members/<int:pk>/role/",
        members.coop_member_role,
        name="coop-member-role",
    ),
    path(
        "co-ops/<slug:slug>/members/<int:pk>/remove/",
        members.coop_member_remove,
        name="coop-member-remove",
    ),
    path(
        "co-ops/<slug:slug>/invitations/<int:pk>/revoke/",
        members.coop_invitation_revoke,
        name="coop-invitation-revoke",
    ),
    # Fab Lab machines and the co-op's bookings of them.
    path("machines/", machine_pages.machines, name="machines"),
    path("machines/<slug:slug>/", machine_pages.machine, name="machine"),
    path("bookings/", machine_pages.bookings, name="bookings"),
    path("bookings/<int:pk>/move/", machine_pages.booking_move_view, name="booking-move"),
    path("bookings/<int:pk>/cancel/", machine_pages.booking_cancel_view, name="booking-cancel"),
]

# Fab Lab calendars: a machine's day and week, and the feeds' secret links.
urlpatterns += [
    path("machines/<slug:slug>/day/", fablab_calendars.machine_day, name="machine-day"),
    path("machines/<slug:slug>/week/", fablab_calendars.machine_week, name="machine-week"),
    path("calendars/", fablab_calendars.calendar_links, name="calendars"),
    path(
        "calendars/co-ops/<slug:slug>/reset/",
        fablab_calendars.coop_calendar_reset_view,
        name="coop-calendar-reset",
    ),
    path(
        "calendars/machines/<slug:slug>/reset/",
        fablab_calendars.machine_calendar_reset_view,
        name="machine-calendar-reset",
    ),
]

# Fab Lab certifications: who may run which machines, and until when.
urlpatterns += [
    path("certifications/", certifications.certifications, name="certifications"),
    path("certifications/new/", certifications.certification_new, name="certification-new"),
    path(
        "certifications/<int:pk>/renew/",
        certifications.certification_renew_view,
        name="certification-renew",
    ),
    path(
        "certifications/<int:pk>/revoke/",
        certifications.certification_revoke_view,
        name="certification-revoke",
    ),
]

from frontend.workbench import product_designs  # noqa: E402

# A product's design files and licence.
urlpatterns += [
    path(
        "co-ops/<slug:slug>/products/<int:pk>/designs/",
        product_designs.product_designs,
        name="coop-product-designs",
    ),
    path(
        "co-ops/<slug:slug>/products/<int:pk>/designs/licence/",
        product_designs.product_licence,
        name="coop-product-licence",
    ),
    path(
        "co-ops/<slug:slug>/products/<int:pk>/designs/<int:design_pk>/",
        product_designs.product_design_download,
        name="coop-product-design",
    ),
    path(
        "co-ops/<slug:slug>/products/<int:pk>/designs/<int:design_pk>/remove/",
        product_designs.product_design_remove,
        name="coop-product-design-remove",
    ),
    # Offcuts: the pieces left on the racks.
    path("offcuts/", offcuts.offcuts, name="offcuts"),
    path("offcuts/record/", offcuts.offcut_record, name="offcut-record"),
    path("offcuts/<int:pk>/draw-down/", offcuts.offcut_draw_down, name="offcut-draw-down"),
    path("offcuts/<int:pk>/discard/", offcuts.offcut_discard, name="offcut-discard"),
]

# Out of service: a machine's keepers take it out and put it back.
urlpatterns += [
    path(
        "machines/<slug:slug>/out-of-service/",
        fablab_outages.machine_outage,
        name="machine-outage",
    ),
    path(
        "machines/<slug:slug>/out-of-service/<int:pk>/end/",
        fablab_outages.machine_outage_end,
        name="machine-outage-end",
    ),
]
