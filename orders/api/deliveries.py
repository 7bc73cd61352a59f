"""A producer's webhook deliveries and every attempt at them: what was sent, what came back.

Read-only, for the co-op's members (to debug their receiver) and platform staff.
"""

from django.shortcuts import get_object_or_404
from django.urls import path
from rest_framework import generics, serializers
from rest_framework.permissions import IsAuthenticated

from orders.models import OutboxState, WebhookAttempt, WebhookDelivery
from orders.selectors import deliveries_for
from producers.models import Producer
from producers.permissions import is_member, is_platform_staff


class WebhookAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookAttempt
        fields = ["number", "status_code", "error", "duration_ms", "created_at"]
        read_only_fields = fields


# The words co-ops see; the outbox's `held` is never a delivery's state.
DELIVERY_STATES = [
    (state.value, state.label)
    for state in (
        OutboxState.PENDING,
        OutboxState.DELIVERED,
        OutboxState.FAILED,
        OutboxState.STOPPED,
    )
]


class WebhookDeliverySerializer(serializers.ModelSerializer):
    job = serializers.PrimaryKeyRelatedField(read_only=True, help_text="The job's id.")
    state = serializers.ChoiceField(choices=DELIVERY_STATES, read_only=True)
    attempt_log = WebhookAttemptSerializer(many=True, read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "event",
            "message_id",
            "state",
            "attempts",
            "next_attempt_at",
            "delivered_at",
            "created_at",
            "job",
            "attempt_log",
        ]
        read_only_fields = fields


class ProducerWebhookDeliveryList(generics.ListAPIView):
    """Newest first. `message_id` is the `webhook-id` header the receiver saw."""

    serializer_class = WebhookDeliverySerializer
    permission_classes = [IsAuthenticated]
    filter_backends = []

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.producer = get_object_or_404(Producer, slug=kwargs["slug"])
        if not (is_platform_staff(request.user) or is_member(request.user, self.producer)):
            self.permission_denied(
                request, message="Only the co-op's members may see its webhook deliveries."
            )

    def get_queryset(self):
        producer = getattr(self, "producer", None)
        if producer is None:  # schema generation: no request, no producer
            return WebhookDelivery.objects.none()
        return deliveries_for(producer_ids=[producer.pk])


urlpatterns = [
    path(
        "producers/<slug:slug>/webhook-deliveries/",
        ProducerWebhookDeliveryList.as_view(),
        name="producer-webhook-deliveries",
    ),
]
