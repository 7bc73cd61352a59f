from django.urls import path
from rest_framework.routers import SimpleRouter

from producers.api import views

router = SimpleRouter()
router.register("producers", views.ProducerViewSet, basename="producer")
router.register("capabilities", views.CapabilityViewSet, basename="capability")

urlpatterns = [
    path("auth/token/", views.TokenView.as_view(), name="auth-token"),
    path("me/", views.MeView.as_view(), name="me"),
    *router.urls,
]
