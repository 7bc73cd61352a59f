from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from producers.tokens import api_token_authenticate


class ExpiringTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <key>` against hashed, expiring, revocable tokens."""

    def authenticate_credentials(self, key):
        token = api_token_authenticate(key=key)
        if token is None or not token.user.is_active:
            # One answer for unknown, expired and revoked keys: nothing to tell them apart.
            raise exceptions.AuthenticationFailed("Invalid token.")
        return token.user, token
