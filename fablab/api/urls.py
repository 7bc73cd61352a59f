from rest_framework.routers import SimpleRouter

from fablab.api import views

router = SimpleRouter()
router.register("machines", views.MachineViewSet, basename="machine")
router.register("bookings", views.BookingViewSet, basename="booking")

urlpatterns = router.urls
