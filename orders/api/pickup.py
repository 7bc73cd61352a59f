"""Pickup points: anyone reads the open ones (to choose one); their keepers see what is due
in and mark parts arrived."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response

from orders import selectors, services
from orders.api.serializers import PickupPointSerializer, PointJobSerializer
from orders.models import Job, PickupPoint


class PickupPointViewSet(viewsets.ReadOnlyModelViewSet):
    """The open pickup points, where parts from several co-ops are gathered for collection."""

    lookup_field = "slug"
    serializer_class = PickupPointSerializer
    queryset = PickupPoint.objects.active()
    pagination_class = None

    def get_permissions(self):
        if self.action in ("list", "retrieve"):
            return [AllowAny()]
        return [IsAuthenticated()]

    def _kept(self, slug: str) -> PickupPoint:
        """The point, if the caller is one of its keepers (or platform staff); 403 if not."""
        point = get_object_or_404(PickupPoint.objects.all(), slug=slug)
        if not selectors.pickup_points_kept_by(self.request.user).filter(pk=point.pk).exists():
            self.permission_denied(self.request, message="Only the point's keepers see its parts.")
        return point

    @staticmethod
    def _parts(point: PickupPoint):
        return (
            Job.objects.filter(order__in=selectors.pickup_point_orders(point), dispatched=True)
            .select_related("order", "producer")
            .prefetch_related("lines")
            .order_by("due_date", "pk")
        )

    @extend_schema(responses=PointJobSerializer(many=True))
    @action(detail=True, methods=["get"])
    def jobs(self, request, slug=None):
        """The parts of open orders gathered here: still due in, and arrived."""
        point = self._kept(slug)
        return Response(PointJobSerializer(self._parts(point), many=True).data)

    @extend_schema(request=None, responses=PointJobSerializer)
    @action(detail=True, methods=["post"], url_path=r"jobs/(?P<job_id>\d+)/arrived")
    def arrived(self, request, slug=None, job_id=None):
        """Mark a ready part arrived here. Again changes nothing; `409 invalid_transition`
        for a part its co-op has not marked ready."""
        point = self._kept(slug)
        job = get_object_or_404(self._parts(point), pk=job_id)
        services.job_arrive_at_point(job=job, by=request.user)
        return Response(PointJobSerializer(self._parts(point).get(pk=job.pk)).data)
