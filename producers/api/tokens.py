"""API tokens over HTTP: issue one for a name and password, list and revoke your own."""

from collections.abc import Mapping

from django.contrib.auth import authenticate
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, generics, serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from backend import sign_in_limit
from producers.models import ApiToken
from producers.tokens import api_token_issue, api_token_list, api_token_revoke


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=254, help_text="User name or email.")
    password = serializers.CharField(
        max_length=4096, write_only=True, trim_whitespace=False, style={"input_type": "password"}
    )
    name = serializers.CharField(
        max_length=80, required=False, default="", help_text="A label to tell tokens apart."
    )

    def validate(self, attrs):
        user = authenticate(
            request=self.context["request"],
            username=attrs["username"],
            password=attrs["password"],
        )
        if user is None:
            if sign_in_limit.email_shared(attrs["username"].strip()):
                raise serializers.ValidationError(
                    sign_in_limit.SHARED_EMAIL_MESSAGE, code="email_shared"
                )
            # One message for a wrong password and a missing account.
            raise serializers.ValidationError(
                "Unable to log in with provided credentials.", code="authorization"
            )
        attrs["user"] = user
        return attrs


class IssuedTokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="The key. Shown only in this answer.")
    id = serializers.IntegerField()
    expires_at = serializers.DateTimeField()


class ApiTokenSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created_at", "last_used_at", "expires_at"]
        read_only_fields = fields


class TokenView(APIView):
    """Exchange a user name (or email) and password for an API token that expires.

    Guessing is limited per address and name and per address across names (the
    same limit as the storefront and the admin): 429 with `Retry-After`."""

    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"

    @extend_schema(request=TokenRequestSerializer, responses=IssuedTokenSerializer)
    def post(self, request):
        data = request.data if isinstance(request.data, Mapping) else {}
        username = str(data.get("username", ""))
        wait = sign_in_limit.seconds_blocked(request, username)
        if wait:
            raise exceptions.Throttled(wait=wait)
        serializer = TokenRequestSerializer(data=request.data, context={"request": request})
        if not serializer.is_valid():
            sign_in_limit.record_failure(request, username)
            raise exceptions.ValidationError(serializer.errors)
        sign_in_limit.clear(request, username)
        token, key = api_token_issue(
            user=serializer.validated_data["user"], name=serializer.validated_data["name"]
        )
        body = {"token": key, "id": token.pk, "expires_at": token.expires_at}
        return Response(IssuedTokenSerializer(body).data)


class TokenListView(generics.ListAPIView):
    """Your own API tokens that still work. The keys are never shown again."""

    serializer_class = ApiTokenSerializer
    permission_classes = [IsAuthenticated]
    pagination_class = None
    filter_backends = []

    def get_queryset(self):
        return api_token_list(user=self.request.user)


class TokenRevokeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None})
    def delete(self, request, pk):
        """Revoke one of your tokens; requests with it answer 401 from now on."""
        token = get_object_or_404(api_token_list(user=request.user), pk=pk)
        api_token_revoke(token=token)
        return Response(status=status.HTTP_204_NO_CONTENT)
