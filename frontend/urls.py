from django.urls import path

from frontend import (
    account_views,
    back_in_stock,
    budgeting_views,
    calendar_feeds,
    community_views,
    design_views,
    views,
)
from frontend.workbench import members

app_name = "frontend"

urlpatterns = [
    path("", views.home, name="home"),
    path("products/", views.product_list, name="products"),
    path("products/<slug:slug>/", views.product_detail, name="product"),
    path("producers/", views.producer_index, name="producers"),
    path("producers/<slug:slug>/", views.producer_detail, name="producer"),
    path("cart/", views.cart_view, name="cart"),
    path("cart/add/<slug:slug>/", views.cart_add, name="cart_add"),
    path("cart/update/<slug:slug>/", views.cart_update, name="cart_update"),
    path("checkout/", views.checkout, name="checkout"),
    path("orders/", views.my_orders, name="my_orders"),
    path("orders/<str:number>/", views.order_detail, name="order"),
    path("orders/<str:number>/pay/", views.order_pay, name="order_pay"),
    path("accounts/sign-in/", account_views.SignInView.as_view(), name="sign_in"),
    path("accounts/sign-up/", account_views.sign_up, name="sign_up"),
    path(
        "accounts/verify-email/resend/",
        account_views.email_verify_resend,
        name="email_verify_resend",
    ),
    path("accounts/verify-email/<str:token>/", account_views.email_verify, name="email_verify"),
    path(
        "accounts/password-reset/",
        account_views.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "accounts/password-reset/sent/",
        account_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/password-reset/<uidb64>/<token>/",
        account_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password-reset/done/",
        account_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("orders/<str:number>/status/", views.order_status, name="order_status"),
    path("orders/<str:number>/cancel/", views.order_cancel_view, name="order_cancel"),
    path("accounts/sign-out/", views.sign_out, name="sign_out"),
    path("invitations/<str:token>/", members.invitation_page, name="invitation"),
    # The community's wealth, in public.
    path("community/", community_views.community_page, name="community"),
    path("community/figures.csv", community_views.community_figures_csv, name="community_csv"),
]

# --- Honest product pages: "tell me when it is back" ----------------------------------------
urlpatterns += [
    path(
        "products/<slug:slug>/back-in-stock/",
        back_in_stock.back_in_stock,
        name="back_in_stock",
    ),
    # Participatory budgeting rounds.
    path("community/rounds/", budgeting_views.round_list, name="round_list"),
    path("community/rounds/new/", budgeting_views.round_new, name="round_new"),
    path("community/rounds/<int:pk>/", budgeting_views.round_detail, name="round"),
    path("community/rounds/<int:pk>/propose/", budgeting_views.round_propose, name="round_propose"),
    path("community/rounds/<int:pk>/ballot/", budgeting_views.round_ballot, name="round_ballot"),
    path("community/rounds/<int:pk>/publish/", budgeting_views.round_publish, name="round_publish"),
    path(
        "community/rounds/<int:pk>/proposals/<int:proposal_pk>/moderate/",
        budgeting_views.proposal_moderate,
        name="proposal_moderate",
    ),
    path(
        "community/rounds/<int:pk>/proposals/<int:proposal_pk>/disburse/",
        budgeting_views.proposal_disburse,
        name="proposal_disburse",
    ),
    path("community/my-proposals/", budgeting_views.my_proposals, name="my_proposals"),
]

# Calendar feeds of machine bookings: the secret link is the key.
urlpatterns += [
    path(
        "calendars/machines/<slug:token>.ics",
        calendar_feeds.machine_calendar_feed,
        name="machine_calendar_feed",
    ),
    path(
        "calendars/co-ops/<slug:token>.ics",
        calendar_feeds.coop_calendar_feed,
        name="coop_calendar_feed",
    ),
]

# --- Design files: a co-op's signed job link, and the public files of open licences ---------
urlpatterns += [
    path("designs/<str:token>/", design_views.design_download, name="design_download"),
    path(
        "products/<slug:slug>/designs/<int:pk>/",
        design_views.public_design_download,
        name="product_design",
    ),
]
