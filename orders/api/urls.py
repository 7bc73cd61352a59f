from rest_framework.routers import SimpleRouter

from orders.api import views

router = SimpleRouter()
router.register("orders", views.OrderViewSet, basename="order")
router.register("jobs", views.JobViewSet, basename="job")

urlpatterns = router.urls
