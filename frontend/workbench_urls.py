from django.urls import path

from frontend.workbench import coop, deliveries, jobs, members, report, settings, stock, store

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
]
