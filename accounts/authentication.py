"""JWT authentication that also checks the token's session, so revoked tokens stop at once."""

from typing import Any

from django.core.exceptions import ValidationError
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import Token

from accounts.models import User


class SessionJWTAuthentication(JWTAuthentication):
    """Accepts an access token only while its user is active and its session is not revoked.

    One query per request (the same one simplejwt makes to load the user), joined to the session:
    logout, logout-all, password change, deactivation and deletion all take effect before the
    access token expires. The same query loads the user's active membership and couple, which
    nearly every endpoint needs next (`couples.scoping.active_membership`).
    """

    def get_user(self, validated_token: Token) -> Any:
        # Imported here: couples.scoping imports DRF, whose settings import this module.
        from couples import scoping

        user_id = validated_token.get(api_settings.USER_ID_CLAIM)
        session_id = validated_token.get("sid")
        if not user_id or not session_id:
            raise InvalidToken({"detail": "Token is not bound to a session.", "code": "token_not_valid"})
        try:
            user = scoping.with_active_membership(User.objects.all()).get(
                id=user_id, is_active=True, auth_sessions__id=session_id, auth_sessions__revoked_at__isnull=True
            )
        except (User.DoesNotExist, ValueError, ValidationError) as exc:
            raise AuthenticationFailed(
                {"detail": "The session of this token has ended. Sign in again.", "code": "session_ended"}
            ) from exc
        scoping.remember_active_membership(user)
        return user
