from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from fablab.api.certification_serializers import (
    CertificationCreateSerializer,
    CertificationRenewSerializer,
    CertificationSerializer,
)
from fablab.models import Certification
from fablab.selectors import certifications_visible_to
from fablab.services.certifications import (
    certification_grant,
    certification_renew,
    certification_revoke,
    may_certify,
)


class CertificationFilter(filters.FilterSet):
    capability = filters.CharFilter(field_name="capability__slug", help_text="A capability slug.")
    person = filters.CharFilter(field_name="person__username", help_text="A username.")
    current = filters.BooleanFilter(method="filter_current", help_text="Not yet run out.")

    class Meta:
        model = Certification
        fields = ["capability", "person", "current"]

    def filter_current(self, queryset, name, value):
        current = Certification.objects.current().values("pk")
        return queryset.filter(pk__in=current) if value else queryset.exclude(pk__in=current)


class CertificationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Who is certified by the Fab Lab for which capability, and until when.

    Fab Lab and platform staff see everyone's and certify, renew and revoke; anyone
    else sees their own and those of the people in their co-ops.
    """

    serializer_class = CertificationSerializer
    permission_classes = [IsAuthenticated]
    filterset_class = CertificationFilter

    def get_queryset(self):
        return certifications_visible_to(self.request.user)

    def _require_certifier(self) -> None:
        if not may_certify(self.request.user):
            self.permission_denied(self.request, message="Only the Fab Lab certifies people.")

    @extend_schema(
        request=CertificationCreateSerializer,
        responses={201: CertificationSerializer, 200: CertificationSerializer},
        description="Certify a person, or renew (200) the certification they hold.",
    )
    def create(self, request, *args, **kwargs):
        self._require_certifier()
        serializer = CertificationCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        held = Certification.objects.filter(
            person=data["person"], capability=data["capability"]
        ).exists()
        certification = certification_grant(
            person=data["person"],
            capability=data["capability"],
            expires_on=data["expires_on"],
            note=data["note"],
            by=request.user,
        )
        return Response(
            CertificationSerializer(certification).data,
            status=status.HTTP_200_OK if held else status.HTTP_201_CREATED,
        )

    @extend_schema(request=CertificationRenewSerializer, responses=CertificationSerializer)
    def partial_update(self, request, *args, **kwargs):
        certification = self.get_object()
        self._require_certifier()
        serializer = CertificationRenewSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        certification = certification_renew(
            certification=certification, by=request.user, **serializer.validated_data
        )
        return Response(CertificationSerializer(certification).data)

    @extend_schema(request=None, responses={204: None})
    def destroy(self, request, *args, **kwargs):
        certification = self.get_object()
        self._require_certifier()
        certification_revoke(certification=certification, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
