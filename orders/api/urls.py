from rest_framework.routers import SimpleRouter

from orders.api import pickup, views

router = SimpleRouter()
router.register("orders", views.OrderViewSet, basename="order")
router.register("jobs", views.JobViewSet, basename="job")
router.register("pickup-points", pickup.PickupPointViewSet, basename="pickup-point")

urlpatterns = router.urls
