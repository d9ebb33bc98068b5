"""Account, token and device endpoints. Thin: validate, call one service or selector, serialize."""

from dataclasses import asdict

from django.contrib.auth import authenticate
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import selectors
from accounts.api import serializers as s
from accounts.export import user_data_export
from accounts.models import User
from accounts.services import account, devices, sessions
from config.api.errors import ApplicationError
from config.api.etag import IF_MATCH, STALE, etag_of, if_match_lock
from config.api.pagination import CreatedAtCursorPagination
from config.api.ratelimit import client_identity, enforce_rate_limit
from config.api.requests import AuthedRequest
from config.api.schema import RATE_LIMITED


class InvalidCredentialsError(ApplicationError):
    status_code = 401
    code = "invalid_credentials"
    # One message for an unknown address, a wrong password and a disabled account: no enumeration.
    message = _("E-mail or password is incorrect.")


def _user_agent(request: Request) -> str:
    return request.META.get("HTTP_USER_AGENT", "")


def _tokens_response(pair: sessions.TokenPair, status_code: int = status.HTTP_200_OK) -> Response:
    return Response(s.TokenPairOutputSerializer({"token_type": "Bearer", **asdict(pair)}).data, status=status_code)


class PublicApi(APIView):
    """Endpoints used before sign-in: a stale Authorization header must not make them fail."""

    authentication_classes = ()
    permission_classes = (AllowAny,)


class RegisterApi(PublicApi):
    @extend_schema(
        request=s.RegisterInputSerializer, responses={201: s.RegisterOutputSerializer, **RATE_LIMITED}, tags=["auth"]
    )
    def post(self, request: Request) -> Response:
        enforce_rate_limit("register", client_identity(request))
        data = s.RegisterInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user, tokens = account.user_register(**data.validated_data, user_agent=_user_agent(request))
        body = {"user": user, "tokens": {"token_type": "Bearer", **asdict(tokens)}}
        return Response(s.RegisterOutputSerializer(body).data, status=status.HTTP_201_CREATED)


class TokenObtainApi(PublicApi):
    @extend_schema(
        request=s.TokenObtainInputSerializer,
        responses={
            200: s.TokenPairOutputSerializer,
            401: OpenApiResponse(description="`invalid_credentials`: wrong e-mail or password, or a disabled account."),
            **RATE_LIMITED,
        },
        tags=["auth"],
    )
    def post(self, request: Request) -> Response:
        enforce_rate_limit("token", client_identity(request))
        data = s.TokenObtainInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        # Per address too, so a botnet spreading guesses over many IPs still hits a wall per account.
        enforce_rate_limit("token_email", data.validated_data["email"])
        user = authenticate(request, email=data.validated_data["email"], password=data.validated_data["password"])
        if user is None:
            raise InvalidCredentialsError()
        return _tokens_response(sessions.session_start(user=user, user_agent=_user_agent(request)))


class TokenRefreshApi(PublicApi):
    @extend_schema(
        request=s.TokenRefreshInputSerializer,
        responses={
            200: s.TokenPairOutputSerializer,
            401: OpenApiResponse(description="`token_not_valid`: the refresh token is invalid, expired or revoked."),
            **RATE_LIMITED,
        },
        tags=["auth"],
    )
    def post(self, request: Request) -> Response:
        enforce_rate_limit("refresh", client_identity(request))
        data = s.TokenRefreshInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return _tokens_response(sessions.tokens_refresh(raw_refresh=data.validated_data["refresh"]))


class LogoutApi(APIView):
    @extend_schema(request=s.LogoutInputSerializer, responses={204: None}, tags=["auth"])
    def post(self, request: AuthedRequest) -> Response:
        data = s.LogoutInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        account.logout(
            user=request.user, session_id=request.auth["sid"], push_token=data.validated_data.get("push_token")
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class LogoutAllApi(APIView):
    @extend_schema(request=None, responses={204: None}, tags=["auth"])
    def post(self, request: AuthedRequest) -> Response:
        account.logout_everywhere(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordChangeApi(APIView):
    @extend_schema(request=s.PasswordChangeInputSerializer, responses={200: s.TokenPairOutputSerializer}, tags=["auth"])
    def post(self, request: AuthedRequest) -> Response:
        data = s.PasswordChangeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        pair = account.password_change(user=request.user, **data.validated_data, user_agent=_user_agent(request))
        return _tokens_response(pair)


# The same answer whether or not an account exists, and whether or not its address is verified.
_RESET_SENT = _(
    "If this is the verified e-mail address of an account, we sent it a link to reset the password. "
    "Reset links only go to verified addresses: if yours was never verified, sign in and verify it "
    "from the app, or sign in with Apple or Google."
)


class PasswordResetApi(PublicApi):
    @extend_schema(
        request=s.PasswordResetInputSerializer, responses={202: s.DetailOutputSerializer, **RATE_LIMITED}, tags=["auth"]
    )
    def post(self, request: Request) -> Response:
        enforce_rate_limit("password_reset", client_identity(request))
        data = s.PasswordResetInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        enforce_rate_limit("password_reset_email", data.validated_data["email"])
        account.password_reset_request(email=data.validated_data["email"])
        detail = _RESET_SENT
        return Response({"detail": detail}, status=status.HTTP_202_ACCEPTED)


class PasswordResetConfirmApi(PublicApi):
    @extend_schema(request=s.PasswordResetConfirmInputSerializer, responses={204: None, **RATE_LIMITED}, tags=["auth"])
    def post(self, request: Request) -> Response:
        enforce_rate_limit("password_reset_confirm", client_identity(request))
        data = s.PasswordResetConfirmInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        account.password_reset_confirm(**data.validated_data)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _me_etag(user: User) -> str:
    return etag_of(s.MeOutputSerializer(user).data)


def _me_response(user: User) -> Response:
    body = s.MeOutputSerializer(user).data
    return Response(body, headers={"ETag": etag_of(body)})


class MeApi(APIView):
    delete_has_body = True  # read by config.api.schema: DELETE takes the password

    @extend_schema(responses={200: s.MeOutputSerializer}, tags=["me"])
    def get(self, request: AuthedRequest) -> Response:
        return _me_response(request.user)

    @extend_schema(
        request=s.MeUpdateInputSerializer,
        parameters=[IF_MATCH],
        responses={200: s.MeOutputSerializer, 412: STALE},
        tags=["me"],
    )
    def patch(self, request: AuthedRequest) -> Response:
        data = s.MeUpdateInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        with if_match_lock(request, User.objects.filter(pk=request.user.pk), etag=_me_etag) as locked:
            user = account.user_update_profile(user=locked or request.user, data=data.validated_data)
        return _me_response(user)

    @extend_schema(request=s.MeDeleteInputSerializer, responses={204: None}, tags=["me"])
    def delete(self, request: AuthedRequest) -> Response:
        data = s.MeDeleteInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        account.account_delete(user=request.user, password=data.validated_data["password"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeExportApi(APIView):
    @extend_schema(
        responses={200: OpenApiResponse(description="All data of the account, one key per section.")}, tags=["me"]
    )
    def get(self, request: AuthedRequest) -> Response:
        return Response(user_data_export(user=request.user))


class DeviceListApi(APIView):
    pagination_class = CreatedAtCursorPagination

    @extend_schema(responses={200: s.DeviceOutputSerializer(many=True)}, tags=["devices"])
    def get(self, request: AuthedRequest) -> Response:
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(selectors.devices_of(user=request.user), request, view=self)
        return paginator.get_paginated_response(s.DeviceOutputSerializer(page, many=True).data)

    @extend_schema(request=s.DeviceInputSerializer, responses={200: s.DeviceOutputSerializer}, tags=["devices"])
    def post(self, request: AuthedRequest) -> Response:
        data = s.DeviceInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        device = devices.device_register(user=request.user, **data.validated_data)
        return Response(s.DeviceOutputSerializer(device).data)


class DeviceDetailApi(APIView):
    @extend_schema(responses={204: None}, tags=["devices"])
    def delete(self, request: AuthedRequest, device_id: str) -> Response:
        device = get_object_or_404(selectors.devices_of(user=request.user), id=device_id)
        devices.device_delete(device=device)
        return Response(status=status.HTTP_204_NO_CONTENT)
