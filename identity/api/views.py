"""Sign in with Apple and Google, linked identities, e-mail verification. Thin views."""

from dataclasses import asdict

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.serializers import DetailOutputSerializer, MeOutputSerializer, TokenPairOutputSerializer
from accounts.services.sessions import TokenPair
from config.api.ratelimit import client_identity, enforce_rate_limit
from config.api.requests import AuthedRequest
from config.api.schema import RATE_LIMITED, ErrorEnvelopeOutputSerializer
from identity import selectors, tokens
from identity.api import serializers as s
from identity.services import apple_notifications, email_codes, social

_TOKEN_REFUSED = OpenApiResponse(
    ErrorEnvelopeOutputSerializer,
    description="The provider's token is refused: `invalid_identity_token` (malformed, forged, unknown key), "
    "`identity_token_expired`, `invalid_audience`, `invalid_issuer` or `invalid_nonce`.",
)
_PROVIDER_DOWN = OpenApiResponse(
    ErrorEnvelopeOutputSerializer,
    description="`provider_unavailable`: the provider's keys could not be fetched; retry shortly.",
)
_ACCOUNT_EXISTS = OpenApiResponse(
    ErrorEnvelopeOutputSerializer,
    description="`account_exists`: an account has this address and this sign-in is not linked to it. The error "
    "carries `link_token`: finish with `POST auth/social/link` (the account's password, or a code sent by "
    "`POST auth/social/link/code`). Also `identity_in_use` / `provider_already_linked` when linking.",
)
_CODE_SENT = _("We sent a 6-digit code. It is valid for 15 minutes.")


def _user_agent(request: Request) -> str:
    return request.META.get("HTTP_USER_AGENT", "")


def _tokens_response(pair: TokenPair, status_code: int = status.HTTP_200_OK) -> Response:
    return Response(TokenPairOutputSerializer({"token_type": "Bearer", **asdict(pair)}).data, status=status_code)


class _PublicApi(APIView):
    """Used before sign-in (or by Apple's servers): a stale Authorization header must not make it fail."""

    authentication_classes = ()
    permission_classes = (AllowAny,)


def _social_sign_in(
    request: Request, *, provider: str, serializer: type[serializers.Serializer], jwt_field: str
) -> Response:
    enforce_rate_limit("social_sign_in", client_identity(request))
    data = serializer(data=request.data)
    data.is_valid(raise_exception=True)
    fields = dict(data.validated_data)
    identity = tokens.verify(provider, fields.pop(jwt_field), nonce=fields.pop("nonce", None))
    pair, created = social.social_sign_in(identity=identity, **fields, user_agent=_user_agent(request))
    return _tokens_response(pair, status.HTTP_201_CREATED if created else status.HTTP_200_OK)


_SIGN_IN_RESPONSES = {
    200: TokenPairOutputSerializer,
    201: OpenApiResponse(TokenPairOutputSerializer, description="A new account was created for this sign-in."),
    401: _TOKEN_REFUSED,
    409: _ACCOUNT_EXISTS,
    **RATE_LIMITED,
    503: _PROVIDER_DOWN,
}


class AppleSignInApi(_PublicApi):
    @extend_schema(request=s.AppleSignInInputSerializer, responses=_SIGN_IN_RESPONSES, tags=["auth"])
    def post(self, request: Request) -> Response:
        return _social_sign_in(
            request, provider=tokens.APPLE, serializer=s.AppleSignInInputSerializer, jwt_field="identity_token"
        )


class GoogleSignInApi(_PublicApi):
    @extend_schema(request=s.GoogleSignInInputSerializer, responses=_SIGN_IN_RESPONSES, tags=["auth"])
    def post(self, request: Request) -> Response:
        return _social_sign_in(
            request, provider=tokens.GOOGLE, serializer=s.GoogleSignInInputSerializer, jwt_field="id_token"
        )


class SocialLinkCodeApi(_PublicApi):
    @extend_schema(
        request=s.SocialLinkCodeInputSerializer,
        responses={202: DetailOutputSerializer, **RATE_LIMITED},
        tags=["auth"],
    )
    def post(self, request: Request) -> Response:
        enforce_rate_limit("email_code_send_ip", client_identity(request))
        data = s.SocialLinkCodeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        identity = social.identity_from_link_token(data.validated_data["link_token"])
        enforce_rate_limit("email_code_send_user", identity.email)
        social.social_link_code_send(identity=identity)
        return Response({"detail": _CODE_SENT}, status=status.HTTP_202_ACCEPTED)


class SocialLinkApi(_PublicApi):
    @extend_schema(
        request=s.SocialLinkInputSerializer,
        responses={
            200: TokenPairOutputSerializer,
            401: OpenApiResponse(ErrorEnvelopeOutputSerializer, description="`invalid_credentials`: wrong password."),
            409: _ACCOUNT_EXISTS,
            **RATE_LIMITED,
        },
        tags=["auth"],
    )
    def post(self, request: Request) -> Response:
        enforce_rate_limit("social_link", client_identity(request))
        data = s.SocialLinkInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        identity = social.identity_from_link_token(data.validated_data["link_token"])
        # Per account too: the password is guessable here as at auth/token.
        enforce_rate_limit("social_link_account", identity.email)
        pair = social.social_link_complete(
            identity=identity,
            password=data.validated_data.get("password"),
            code=data.validated_data.get("code"),
            user_agent=_user_agent(request),
        )
        return _tokens_response(pair)


class AppleNotificationsApi(_PublicApi):
    @extend_schema(
        request=s.AppleNotificationInputSerializer,
        responses={200: s.AppleNotificationOutputSerializer, 401: _TOKEN_REFUSED, **RATE_LIMITED, 503: _PROVIDER_DOWN},
        tags=["auth"],
        description="Apple's server-to-server notifications for Sign in with Apple (configured in Apple's "
        "developer portal); the app never calls it.",
    )
    def post(self, request: Request) -> Response:
        enforce_rate_limit("apple_notifications", client_identity(request))
        data = s.AppleNotificationInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        event = tokens.verify_apple_notification(data.validated_data["payload"])
        return Response({"result": apple_notifications.apple_notification_apply(event=event)})


def _limit_code_sending(request: AuthedRequest) -> None:
    enforce_rate_limit("email_code_send_ip", client_identity(request))
    enforce_rate_limit("email_code_send_user", str(request.user.pk))


class EmailVerifyRequestApi(APIView):
    @extend_schema(
        request=None,
        responses={
            202: DetailOutputSerializer,
            409: OpenApiResponse(ErrorEnvelopeOutputSerializer, description="`email_already_verified`."),
            **RATE_LIMITED,
        },
        tags=["auth"],
    )
    def post(self, request: AuthedRequest) -> Response:
        _limit_code_sending(request)
        email_codes.email_verification_request(user=request.user)
        return Response({"detail": _CODE_SENT}, status=status.HTTP_202_ACCEPTED)


class EmailVerifyConfirmApi(APIView):
    @extend_schema(
        request=s.EmailCodeConfirmInputSerializer,
        responses={
            200: MeOutputSerializer,
            400: OpenApiResponse(
                ErrorEnvelopeOutputSerializer,
                description="`invalid_code` (wrong, expired, used, or too many wrong tries), `validation_error`.",
            ),
            **RATE_LIMITED,
        },
        tags=["auth"],
    )
    def post(self, request: AuthedRequest) -> Response:
        enforce_rate_limit("email_code_confirm_ip", client_identity(request))
        enforce_rate_limit("email_code_confirm_user", str(request.user.pk))
        data = s.EmailCodeConfirmInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = email_codes.email_verification_confirm(user=request.user, code=data.validated_data["code"])
        return Response(MeOutputSerializer(user).data)


class MeEmailApi(APIView):
    @extend_schema(
        request=s.EmailChangeInputSerializer,
        responses={
            202: DetailOutputSerializer,
            409: OpenApiResponse(
                ErrorEnvelopeOutputSerializer,
                description="`email_already_verified`: the address is the account's, verified.",
            ),
            **RATE_LIMITED,
        },
        tags=["me"],
        description="Starts an e-mail change: a code goes to the new address, which becomes the account's "
        "(verified) once `POST auth/email/verify/confirm` takes the code.",
    )
    def post(self, request: AuthedRequest) -> Response:
        _limit_code_sending(request)
        data = s.EmailChangeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        email_codes.email_change_request(user=request.user, **data.validated_data)
        return Response({"detail": _CODE_SENT}, status=status.HTTP_202_ACCEPTED)


class MeIdentityListApi(APIView):
    pagination_class = None

    @extend_schema(responses={200: s.IdentityOutputSerializer(many=True)}, tags=["me"])
    def get(self, request: AuthedRequest) -> Response:
        return Response(s.IdentityOutputSerializer(selectors.identities_of(user=request.user), many=True).data)

    @extend_schema(
        request=s.IdentityLinkInputSerializer,
        responses={
            201: s.IdentityOutputSerializer,
            401: _TOKEN_REFUSED,
            409: _ACCOUNT_EXISTS,
            **RATE_LIMITED,
            503: _PROVIDER_DOWN,
        },
        tags=["me"],
    )
    def post(self, request: AuthedRequest) -> Response:
        enforce_rate_limit("identity_link_user", str(request.user.pk))
        data = s.IdentityLinkInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        identity = tokens.verify(
            data.validated_data["provider"], data.validated_data["token"], nonce=data.validated_data.get("nonce")
        )
        row = social.identity_link(user=request.user, identity=identity)
        return Response(s.IdentityOutputSerializer(row).data, status=status.HTTP_201_CREATED)


class MeIdentityDetailApi(APIView):
    @extend_schema(
        responses={
            204: None,
            409: OpenApiResponse(ErrorEnvelopeOutputSerializer, description="`last_sign_in_method`."),
        },
        tags=["me"],
    )
    def delete(self, request: AuthedRequest, identity_id: str) -> Response:
        identity = get_object_or_404(selectors.identities_of(user=request.user), id=identity_id)
        social.identity_unlink(user=request.user, identity=identity)
        return Response(status=status.HTTP_204_NO_CONTENT)
