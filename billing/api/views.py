"""Thin views of the billing routes (docs/api.md, "Premium and purchases")."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from billing import services
from billing.api import serializers as s
from billing.selectors import entitlement_of
from config.api.ratelimit import client_identity, enforce_rate_limit
from config.api.requests import AuthedRequest
from config.api.schema import RATE_LIMITED, ErrorEnvelopeOutputSerializer


def _entitlement_response(request: AuthedRequest) -> Response:
    return Response(s.ENTITLEMENT_OUTPUT.to_representation(entitlement_of(user=request.user)))


class EntitlementApi(APIView):
    """Premium of the signed-in user: theirs or their partner's subscription."""

    @extend_schema(responses={200: s.EntitlementOutputSerializer}, tags=["billing"])
    def get(self, request: AuthedRequest) -> Response:
        return _entitlement_response(request)


_PURCHASE_ERRORS = {
    400: OpenApiResponse(
        ErrorEnvelopeOutputSerializer,
        description="`validation_error`; App Store: `invalid_signed_payload`, `malformed_signed_payload`, "
        "`invalid_certificate_chain`, `untrusted_certificate_chain`, `certificate_expired`, `invalid_signature`, "
        "`unsupported_algorithm`, `renewal_info_mismatch`; `wrong_app`; Google Play: `purchase_not_found`.",
    ),
    409: OpenApiResponse(
        ErrorEnvelopeOutputSerializer,
        description="`purchase_owned_by_another_account`: the purchase is bound to another account.",
    ),
    503: OpenApiResponse(
        ErrorEnvelopeOutputSerializer, description="`store_unavailable`: the store did not answer; retry."
    ),
}


class PurchaseApi(APIView):
    """The app reports a purchase it just made or restored; answers the new entitlement."""

    @extend_schema(
        request=s.PurchaseInputSerializer,
        responses={200: s.EntitlementOutputSerializer, **_PURCHASE_ERRORS, **RATE_LIMITED},
        tags=["billing"],
    )
    def post(self, request: AuthedRequest) -> Response:
        enforce_rate_limit("purchase_user", str(request.user.pk))
        data = s.PurchaseInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.purchase_record(user=request.user, **data.validated_data)
        return _entitlement_response(request)


class WebhookApi(APIView):
    """Called by a store's servers: no user, no session; the payload's signature is the credential."""

    authentication_classes = ()
    permission_classes = (AllowAny,)


class AppStoreNotificationApi(WebhookApi):
    """App Store Server Notifications v2 (set in App Store Connect). Apple's signature is the credential:
    the JWS chain must end in Apple's root (docs/billing.md)."""

    @extend_schema(
        request=s.AppStoreNotificationInputSerializer,
        responses={
            200: s.StoreNotificationOutputSerializer,
            400: OpenApiResponse(
                ErrorEnvelopeOutputSerializer,
                description="`validation_error`, or the JWS was refused: `malformed_signed_payload`, "
                "`unsupported_algorithm`, `invalid_certificate_chain`, `untrusted_certificate_chain`, "
                "`certificate_expired`, `invalid_signature`, `wrong_app`.",
            ),
            **RATE_LIMITED,
        },
        tags=["billing"],
        auth=[],
    )
    def post(self, request: Request) -> Response:
        enforce_rate_limit("billing_webhook_ip", client_identity(request))
        data = s.AppStoreNotificationInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        outcome = services.app_store_notification_receive(signed_payload=data.validated_data["signedPayload"])
        return Response(s.StoreNotificationOutputSerializer({"outcome": outcome.outcome}).data)


class PlayNotificationApi(WebhookApi):
    """Google Play real-time developer notifications, pushed by Pub/Sub with an OIDC token of the push
    service account; the subscription's state is then read from the Play Developer API."""

    @extend_schema(
        request=s.PlayNotificationInputSerializer,
        responses={
            200: s.StoreNotificationOutputSerializer,
            400: OpenApiResponse(
                ErrorEnvelopeOutputSerializer,
                description="`validation_error`, `malformed_push_message` or `wrong_app`.",
            ),
            401: OpenApiResponse(
                ErrorEnvelopeOutputSerializer,
                description="The Pub/Sub OIDC token was refused: `missing_push_token`, `invalid_push_token`, "
                "`unsupported_algorithm`, `unknown_signing_key`, `expired_push_token`, `wrong_audience`, "
                "`wrong_issuer`, `wrong_service_account`.",
            ),
            503: OpenApiResponse(
                ErrorEnvelopeOutputSerializer,
                description="`store_unavailable`: Google's keys or the Play Developer API did not answer; "
                "Pub/Sub redelivers.",
            ),
            **RATE_LIMITED,
        },
        tags=["billing"],
        auth=[],
    )
    def post(self, request: Request) -> Response:
        enforce_rate_limit("billing_webhook_ip", client_identity(request))
        # The token is checked before the body is read: a caller that is not Pub/Sub learns nothing.
        outcome = services.play_notification_receive(
            authorization=request.headers.get("Authorization", ""), body=request.data
        )
        return Response(s.StoreNotificationOutputSerializer({"outcome": outcome.outcome}).data)
