from rest_framework.routers import SimpleRouter

from fablab.api import certification_views, views

router = SimpleRouter()
router.register("machines", views.MachineViewSet, basename="machine")
router.register("bookings", views.BookingViewSet, basename="booking")
router.register(
    "certifications", certification_views.CertificationViewSet, basename="certification"
)

urlpatterns = router.urls
