from rest_framework.routers import SimpleRouter

from fablab.api import views

router = SimpleRouter()
router.register("certifications", views.CertificationViewSet, basename="certification")

urlpatterns = router.urls
