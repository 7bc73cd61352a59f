"""The machine-time report: hours each co-op booked per machine in a month, at its rate."""

import datetime

from django.urls import path
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.months import parse_month
from fablab.selectors import machine_usage
from producers.permissions import is_platform_staff, producer_ids_for

WIDE_MONEY = {"max_digits": None, "decimal_places": 2}


class IsNetworkMember(permissions.BasePermission):
    """Signed in and a member of some producer (or platform staff)."""

    message = "Only members of the network's producers may see machine time."

    def has_permission(self, request, view) -> bool:
        user = request.user
        return is_platform_staff(user) or bool(producer_ids_for(user))


class MachineUsageRowSerializer(serializers.Serializer):
    producer = serializers.CharField(source="producer__slug")
    producer_name = serializers.CharField(source="producer__name")
    machine = serializers.CharField(source="machine__slug")
    machine_name = serializers.CharField(source="machine__name")
    capability = serializers.CharField()
    bookings = serializers.IntegerField()
    hours = serializers.DecimalField(max_digits=None, decimal_places=2)
    rate_per_hour = serializers.DecimalField(**WIDE_MONEY)
    cost = serializers.DecimalField(**WIDE_MONEY)


class MachineUsageReportSerializer(serializers.Serializer):
    month = serializers.CharField()
    rows = MachineUsageRowSerializer(many=True)
    total_hours = serializers.DecimalField(max_digits=None, decimal_places=2)
    total_cost = serializers.DecimalField(**WIDE_MONEY)


class MachineUsageReportView(APIView):
    """Machine hours booked per co-op and machine in a month, at each machine's rate."""

    permission_classes = [IsNetworkMember]

    @extend_schema(
        parameters=[OpenApiParameter("month", str, description="YYYY-MM; this month if absent")],
        responses=MachineUsageReportSerializer,
    )
    def get(self, request):
        month = self._month(request.query_params.get("month"))
        rows = machine_usage(month=month, user=request.user)
        body = {
            "month": month.strftime("%Y-%m"),
            "rows": rows,
            "total_hours": sum((row["hours"] for row in rows), start=0),
            "total_cost": sum((row["cost"] for row in rows), start=0),
        }
        return Response(MachineUsageReportSerializer(body).data)

    @staticmethod
    def _month(value: str | None) -> datetime.date:
        if not value:
            return timezone.localdate().replace(day=1)
        try:
            return parse_month(value)
        except ValueError as error:
            raise serializers.ValidationError({"month": str(error)}) from None


urlpatterns = [
    path(
        "reports/machine-usage/",
        MachineUsageReportView.as_view(),
        name="report-machine-usage",
    )
]
