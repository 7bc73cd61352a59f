"""The API root: `/api/v1/` lists every resource, so a client can discover them."""

from django.urls import include, path
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.reverse import reverse

app_name = "api"


@extend_schema(exclude=True)
@api_view(["GET"])
@permission_classes([AllowAny])
def api_root(request, format=None):
    names = [
        "auth-token",
        "auth-token-list",
        "me",
        "producer-list",
        "capability-list",
        "category-list",
        "product-list",
        "material-list",
        "stock-location-list",
        "stock-balance-list",
        "stock-movement-list",
        "stock-receipts",
        "stock-drawdowns",
        "stock-adjustments",
        "stock-transfers",
        "report-materials-usage",
        "report-machine-usage",
        "report-community-wealth",
        "order-list",
        "job-list",
        "community-fund",
        "community-fund-entries",
        "community-disbursements",
        "round-list",
        "machine-list",
        "booking-list",
        "certification-list",
        "offcut-list",
    ]
    return Response({name: reverse(f"api:{name}", request=request) for name in names})


urlpatterns = [
    path("", api_root, name="root"),
    path("", include("producers.api.urls")),
    path("", include("catalog.api.urls")),
    path("", include("orders.api.urls")),
    path("", include("orders.api.deliveries")),
    path("", include("orders.api.payments")),
    path("", include("fablab.api.reports")),
    path("", include("community.api.fund")),
    # Participatory budgeting rounds.
    path("", include("community.api.rounds")),
    # The Fab Lab: who is certified for what, its machines and their bookings.
    path("", include("fablab.api.urls")),
]
