from django.urls import path
from rest_framework.routers import SimpleRouter

from producers.api import tokens, views

router = SimpleRouter()
router.register("producers", views.ProducerViewSet, basename="producer")
router.register("capabilities", views.CapabilityViewSet, basename="capability")

urlpatterns = [
    path("auth/token/", tokens.TokenView.as_view(), name="auth-token"),
    path("auth/tokens/", tokens.TokenListView.as_view(), name="auth-token-list"),
    path("auth/tokens/<int:pk>/", tokens.TokenRevokeView.as_view(), name="auth-token-detail"),
    path("me/", views.MeView.as_view(), name="me"),
    *router.urls,
]
