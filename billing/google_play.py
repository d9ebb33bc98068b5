"""Google Play: verifying a Pub/Sub push, reading its developer notification, and the Play
Developer API client that fetches a subscription's state (`purchases.subscriptionsv2.get`).

Pub/Sub push requests carry a Google-signed OIDC token (`Authorization: Bearer`), RS256, keys at
`PLAY_PUSH_JWKS_URL` (Google's certs in production; a fake on loopback in the tests). We accept it
only with our audience (`PLAY_PUSH_AUDIENCE`), Google's issuer, a future `exp`, and the e-mail of the
service account the push subscription was configured with (`PLAY_PUSH_SERVICE_ACCOUNT`), verified.
A notification never carries the state itself: we fetch it from the Play Developer API
(`PLAY_API_BASE_URL`), so what we store is Google's current state, whatever order notifications
arrive in.
"""

import base64
import binascii
import json
import logging
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import jwt
import requests
from django.conf import settings
from django.utils.translation import gettext as _

from billing.errors import (
    InvalidPushTokenError,
    InvalidSignedPayloadError,
    PurchaseNotFoundError,
    StoreUnavailableError,
    WrongAppError,
)
from billing.models import Subscription

logger = logging.getLogger(__name__)

GOOGLE_ISSUERS = ["https://accounts.google.com", "accounts.google.com"]
SCOPES = ["https://www.googleapis.com/auth/androidpublisher"]
MAX_TOKEN_LENGTH = 8 * 1024

_clients: dict[str, jwt.PyJWKClient] = {}
_clients_lock = threading.Lock()


def _jwks_client(url: str) -> jwt.PyJWKClient:
    """One key-set client per URL, caching the keys; an unknown `kid` fetches the set again."""
    with _clients_lock:
        client = _clients.get(url)
        if client is None:
            client = jwt.PyJWKClient(url, cache_keys=True, lifespan=settings.PLAY_PUSH_JWKS_CACHE_SECONDS, timeout=5)
            _clients[url] = client
        return client


def verify_push_token(authorization: str) -> dict[str, Any]:
    """The claims of a Pub/Sub push's OIDC token; raises InvalidPushTokenError (401) when it is not
    Google's token for our push subscription, StoreUnavailableError (503) when the keys cannot be read."""
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token or len(token) > MAX_TOKEN_LENGTH:
        raise InvalidPushTokenError(code="missing_push_token")
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise InvalidPushTokenError() from None
    # Checked before any key is fetched: our own HS256 access tokens and `alg: none` end here.
    if header.get("alg") != "RS256" or not isinstance(header.get("kid"), str):
        raise InvalidPushTokenError(code="unsupported_algorithm")
    try:
        key = _jwks_client(settings.PLAY_PUSH_JWKS_URL).get_signing_key(header["kid"])
    except jwt.PyJWKClientConnectionError:
        logger.warning("Google's key set at %s could not be read", settings.PLAY_PUSH_JWKS_URL)
        raise StoreUnavailableError() from None
    except jwt.PyJWTError:
        raise InvalidPushTokenError(code="unknown_signing_key") from None
    try:
        claims = jwt.decode(
            token,
            key=key.key,
            algorithms=["RS256"],
            audience=settings.PLAY_PUSH_AUDIENCE,
            issuer=GOOGLE_ISSUERS,
            options={"require": ["exp", "iat", "iss", "aud"]},
            leeway=30,
        )
    except jwt.ExpiredSignatureError:
        raise InvalidPushTokenError(code="expired_push_token") from None
    except jwt.InvalidAudienceError:
        raise InvalidPushTokenError(code="wrong_audience") from None
    except jwt.InvalidIssuerError:
        raise InvalidPushTokenError(code="wrong_issuer") from None
    except jwt.PyJWTError:
        raise InvalidPushTokenError() from None
    if claims.get("email") != settings.PLAY_PUSH_SERVICE_ACCOUNT or claims.get("email_verified") is not True:
        raise InvalidPushTokenError(code="wrong_service_account")
    return claims


@dataclass(frozen=True)
class PushedNotification:
    """A Pub/Sub push of a Play developer notification, read (not yet acted on)."""

    message_id: str
    event_time: datetime | None
    notification_type: int | None  # subscriptionNotification.notificationType; None: not about a subscription
    purchase_token: str


def read_push(body: Any) -> PushedNotification:
    """Reads the Pub/Sub envelope and the base64 developer notification inside it."""
    bad = InvalidSignedPayloadError(_("The Pub/Sub message could not be read."), code="malformed_push_message")
    message = body.get("message") if isinstance(body, dict) else None
    if not isinstance(message, dict):
        raise bad
    message_id = message.get("messageId") or message.get("message_id")
    data = message.get("data")
    if not isinstance(message_id, str) or not 0 < len(message_id) <= 100 or not isinstance(data, str):
        raise bad
    try:
        notification = json.loads(base64.b64decode(data, validate=True))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise bad from None
    if not isinstance(notification, dict):
        raise bad
    if notification.get("packageName") != settings.PLAY_PACKAGE_NAME:
        raise WrongAppError()
    event_time = None
    millis = notification.get("eventTimeMillis")
    if isinstance(millis, str) and millis.isdigit() and len(millis) < 16:
        event_time = datetime.fromtimestamp(int(millis) / 1000, tz=UTC)
    sub = notification.get("subscriptionNotification")
    if not isinstance(sub, dict):
        return PushedNotification(message_id, event_time, None, "")  # a test, one-time or voided notification
    kind, token = sub.get("notificationType"), sub.get("purchaseToken")
    if not isinstance(kind, int) or isinstance(kind, bool) or not isinstance(token, str):
        raise bad
    if not valid_purchase_token(token):
        raise bad
    return PushedNotification(message_id, event_time, kind, token)


def valid_purchase_token(token: Any) -> bool:
    return isinstance(token, str) and 0 < len(token) <= 1000 and token.isascii() and token.isprintable()


# The Play Developer API ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PlayState:
    purchase_token: str
    product_id: str
    status: str  # a billing.models.Subscription.Status value
    expires_at: datetime | None
    access_until: datetime | None
    will_renew: bool
    started_at: datetime | None
    signed_at: datetime  # when we read it: Google's state at that instant
    environment: str
    account_id: str  # externalAccountIdentifiers.obfuscatedExternalAccountId: our user id


_credentials_lock = threading.Lock()
_credentials: Any = None


def _access_token() -> str | None:
    """The service account's OAuth2 token (google-auth), reused until near expiry; none for a fake."""
    global _credentials
    if not settings.PLAY_CREDENTIALS_FILE:
        return None
    from google.auth.transport.requests import Request as AuthRequest
    from google.oauth2 import service_account

    with _credentials_lock:
        if _credentials is None:
            _credentials = service_account.Credentials.from_service_account_file(
                settings.PLAY_CREDENTIALS_FILE, scopes=SCOPES
            )
        if not _credentials.valid:
            _credentials.refresh(AuthRequest())
        return str(_credentials.token)


def fetch_subscription(purchase_token: str) -> dict[str, Any]:
    """`GET …/purchases/subscriptionsv2/tokens/{token}`: the subscription as Google knows it now."""
    package, token = quote(settings.PLAY_PACKAGE_NAME, safe=""), quote(purchase_token, safe="")
    url = (
        f"{settings.PLAY_API_BASE_URL.rstrip('/')}/androidpublisher/v3/applications/{package}"
        f"/purchases/subscriptionsv2/tokens/{token}"
    )
    try:
        access = _access_token()
        headers = {"Authorization": f"Bearer {access}"} if access else {}
        response = requests.get(url, headers=headers, timeout=settings.PLAY_API_TIMEOUT_SECONDS)
    except (requests.RequestException, OSError) as exc:
        logger.warning("Play Developer API unreachable: %s", type(exc).__name__)
        raise StoreUnavailableError() from None
    if response.status_code in (400, 404, 410):
        raise PurchaseNotFoundError()
    if response.status_code != 200:
        logger.warning("Play Developer API answered %s", response.status_code)
        raise StoreUnavailableError()
    try:
        body = response.json()
    except ValueError:
        raise StoreUnavailableError() from None
    if not isinstance(body, dict):
        raise StoreUnavailableError()
    return body


def _rfc3339(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def subscription_state(*, purchase_token: str, body: dict[str, Any], read_at: datetime, revoked: bool) -> PlayState:
    """Our state of a `SubscriptionPurchaseV2`. `revoked`: the notification said SUBSCRIPTION_REVOKED
    (Google then reports the subscription EXPIRED; we keep that it was revoked, for support)."""
    Status = Subscription.Status
    raw_items = body.get("lineItems")
    items: list[Any] = raw_items if isinstance(raw_items, list) else []
    item: dict[str, Any] = max(
        (i for i in items if isinstance(i, dict)),
        key=lambda i: _rfc3339(i.get("expiryTime")) or datetime.min.replace(tzinfo=UTC),
        default={},
    )
    expires_at = _rfc3339(item.get("expiryTime"))
    raw_plan = item.get("autoRenewingPlan")
    plan: dict[str, Any] = raw_plan if isinstance(raw_plan, dict) else {}
    state = str(body.get("subscriptionState"))
    status = {
        "SUBSCRIPTION_STATE_ACTIVE": Status.ACTIVE,
        "SUBSCRIPTION_STATE_CANCELED": Status.ACTIVE,  # canceled: access until expiry, no renewal
        "SUBSCRIPTION_STATE_IN_GRACE_PERIOD": Status.GRACE_PERIOD,
        "SUBSCRIPTION_STATE_ON_HOLD": Status.ON_HOLD,
        "SUBSCRIPTION_STATE_PAUSED": Status.PAUSED,
        "SUBSCRIPTION_STATE_EXPIRED": Status.EXPIRED,
    }.get(state, Status.PENDING)
    if revoked:
        status = Status.REVOKED
    will_renew = plan.get("autoRenewEnabled") is True and status in {Status.ACTIVE, Status.GRACE_PERIOD}
    if state == "SUBSCRIPTION_STATE_CANCELED":
        will_renew = False
    accounts = body.get("externalAccountIdentifiers")
    account_id = accounts.get("obfuscatedExternalAccountId") if isinstance(accounts, dict) else None
    product_id = item.get("productId")
    return PlayState(
        purchase_token=purchase_token,
        product_id=product_id[:200] if isinstance(product_id, str) else "",
        status=status,
        expires_at=expires_at,
        access_until=expires_at,
        will_renew=will_renew,
        started_at=_rfc3339(body.get("startTime")),
        signed_at=read_at,
        environment="Sandbox" if isinstance(body.get("testPurchase"), dict) else "Production",
        account_id=account_id.lower() if isinstance(account_id, str) else "",
    )
