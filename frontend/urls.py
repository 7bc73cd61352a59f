from django.urls import path

from frontend import views
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
    path("accounts/sign-in/", views.SignInView.as_view(), name="sign_in"),
    path("accounts/sign-up/", views.sign_up, name="sign_up"),
    path("accounts/sign-out/", views.sign_out, name="sign_out"),
    path("invitations/<str:token>/", members.invitation_page, name="invitation"),
]
