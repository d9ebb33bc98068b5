"""The refusals of the billing routes: each a stable code in the one error envelope."""

from django.utils.translation import gettext_lazy as _
from rest_framework import status

from config.api.errors import ApplicationError


class InvalidSignedPayloadError(ApplicationError):
    """A JWS from the App Store that is malformed, forged, or not chained to a trusted root."""

    status_code = status.HTTP_400_BAD_REQUEST
    code = "invalid_signed_payload"
    message = _("The signed payload could not be verified.")


class InvalidPushTokenError(ApplicationError):
    """The OIDC bearer token of a Pub/Sub push is missing, forged, expired, or for someone else."""

    status_code = status.HTTP_401_UNAUTHORIZED
    code = "invalid_push_token"
    message = _("The push token could not be verified.")


class WrongAppError(ApplicationError):
    """A genuine store payload, but for another app (bundle id or package name)."""

    status_code = status.HTTP_400_BAD_REQUEST
    code = "wrong_app"
    message = _("The purchase belongs to another app.")


class PurchaseNotFoundError(ApplicationError):
    """Google Play does not know the purchase token."""

    status_code = status.HTTP_400_BAD_REQUEST
    code = "purchase_not_found"
    message = _("The store does not know this purchase.")


class PurchaseOwnedElsewhereError(ApplicationError):
    """The purchase is bound to another account (its app account token, or an earlier claim)."""

    status_code = status.HTTP_409_CONFLICT
    code = "purchase_owned_by_another_account"
    message = _("This purchase belongs to another account. Restore it from the account that bought it.")


class StoreUnavailableError(ApplicationError):
    """The store's API (or Google's key set) did not answer: the caller retries later."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    code = "store_unavailable"
    message = _("The store did not answer. Try again in a moment.")

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message, extra={"retry_after": 30})


class PremiumRequiredError(ApplicationError):
    status_code = status.HTTP_403_FORBIDDEN
    code = "premium_required"
    message = _("This feature needs premium (yours or your partner's subscription).")
