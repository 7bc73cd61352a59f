from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response

from producers import permissions, selectors, services
from producers.api.filters import ProducerFilter
from producers.api.serializers import (
    CapabilitySerializer,
    MembershipCreateSerializer,
    MembershipSerializer,
    MembershipUpdateSerializer,
    MeSerializer,
    ProducerPrivateSerializer,
    ProducerPublicSerializer,
    ProducerStaffWriteSerializer,
    ProducerWriteSerializer,
    WebhookSecretSerializer,
)
from producers.models import WEBHOOK_SECRET_GRACE, Capability, Membership, Producer


class MeView(generics.RetrieveAPIView):
    serializer_class = MeSerializer
    permission_classes = [IsAuthenticated]

    def get_object(self):
        user = self.request.user
        return type(user).objects.prefetch_related("memberships__producer").get(pk=user.pk)


class CapabilityViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Capability.objects.all()
    serializer_class = CapabilitySerializer
    permission_classes = [AllowAny]
    lookup_field = "slug"
    pagination_class = None


class ProducerViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Co-ops and the Fab Lab. Public read; managers edit their own; staff create."""

    lookup_field = "slug"
    filterset_class = ProducerFilter
    serializer_class = ProducerPublicSerializer

    def get_queryset(self):
        return selectors.producer_list()

    def _output(self, producer: Producer):
        if permissions.can_see_private(self.request.user, producer):
            return ProducerPrivateSerializer(producer, context=self.get_serializer_context())
        return ProducerPublicSerializer(producer, context=self.get_serializer_context())

    def _require_manager(self, producer: Producer) -> None:
        if not permissions.can_manage(self.request.user, producer):
            self.permission_denied(self.request, message="Only the co-op's managers may do this.")

    @extend_schema(
        responses={
            # Members and staff get the private fields; everyone else the public ones.
            200: {
                "anyOf": [
                    {"$ref": "#/components/schemas/ProducerPrivate"},
                    {"$ref": "#/components/schemas/ProducerPublic"},
                ]
            }
        }
    )
    def retrieve(self, request, *args, **kwargs):
        return Response(self._output(self.get_object()).data)

    @extend_schema(request=ProducerStaffWriteSerializer, responses={201: ProducerPrivateSerializer})
    def create(self, request, *args, **kwargs):
        if not permissions.is_platform_staff(request.user):
            self.permission_denied(self.request, message="Only platform staff add producers.")
        serializer = ProducerStaffWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        producer = services.producer_create(**serializer.validated_data)
        return Response(self._output(producer).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ProducerStaffWriteSerializer, responses=ProducerPrivateSerializer)
    def partial_update(self, request, *args, **kwargs):
        producer = self.get_object()
        self._require_manager(producer)
        input_class = (
            ProducerStaffWriteSerializer
            if permissions.is_platform_staff(request.user)
            else ProducerWriteSerializer
        )
        serializer = input_class(producer, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        services.producer_update(producer=producer, **serializer.validated_data)
        return Response(self._output(producer).data)

    @extend_schema(request=None, responses=WebhookSecretSerializer)
    @action(detail=True, methods=["post"], url_path="rotate-webhook-secret")
    def rotate_webhook_secret(self, request, slug=None):
        """Issue a new webhook signing secret. It is shown in this response only."""
        producer = self.get_object()
        self._require_manager(producer)
        secret = services.producer_rotate_webhook_secret(producer=producer)
        body = {
            "webhook_secret": secret,
            "previous_secret_valid_until": producer.webhook_secret_rotated_at
            + WEBHOOK_SECRET_GRACE,
        }
        return Response(WebhookSecretSerializer(body).data)

    @extend_schema(responses=MembershipSerializer(many=True))
    @action(
        detail=True, methods=["get"], url_path="members", pagination_class=None, filter_backends=[]
    )
    def members(self, request, slug=None):
        producer = self.get_object()
        if not permissions.can_see_private(request.user, producer):
            self.permission_denied(
                self.request, message="Only the co-op's members may see who belongs to it."
            )
        memberships = selectors.producer_members(producer=producer)
        return Response(MembershipSerializer(memberships, many=True).data)

    @extend_schema(request=MembershipCreateSerializer, responses={201: MembershipSerializer})
    @members.mapping.post
    def add_member(self, request, slug=None):
        producer = self.get_object()
        self._require_manager(producer)
        serializer = MembershipCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        membership = services.membership_add(
            producer=producer,
            user=serializer.validated_data["username"],
            role=serializer.validated_data["role"],
        )
        return Response(MembershipSerializer(membership).data, status=status.HTTP_201_CREATED)

    def _membership(self, producer: Producer, membership_id: str) -> Membership:
        return get_object_or_404(selectors.producer_members(producer=producer), pk=membership_id)

    @extend_schema(request=MembershipUpdateSerializer, responses=MembershipSerializer)
    @action(
        detail=True,
        methods=["patch"],
        url_path=r"members/(?P<membership_id>[0-9]+)",
        url_name="member-detail",
    )
    def member_detail(self, request, slug=None, membership_id=None):
        producer = self.get_object()
        self._require_manager(producer)
        membership = self._membership(producer, membership_id)
        serializer = MembershipUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        membership = services.membership_change_role(
            membership=membership, role=serializer.validated_data["role"]
        )
        return Response(MembershipSerializer(membership).data)

    @extend_schema(request=None, responses={204: None})
    @member_detail.mapping.delete
    def remove_member(self, request, slug=None, membership_id=None):
        producer = self.get_object()
        self._require_manager(producer)
        membership = self._membership(producer, membership_id)
        services.membership_remove(membership=membership)
        return Response(status=status.HTTP_204_NO_CONTENT)
