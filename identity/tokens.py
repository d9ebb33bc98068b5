"""Verifying identity tokens from Apple and Google, and Apple's server-to-server notifications.

Everything a token must satisfy is checked here, before any account is looked at: an RS256
signature by a key of the provider's JWKS (the `kid` of the header picks it), our client id as
`aud`, the provider's `iss`, `exp` and `iat` (with IDENTITY_TOKEN_LEEWAY_SECONDS of clock skew),
a `sub`, and the nonce:

- Apple: the app sends Apple the SHA-256 (hex) of a random nonce and sends us the raw nonce; the
  token's `nonce` claim must be sha256(raw nonce). Required.
- Google: the token's `nonce` claim is the value the app passed to Google, as is. When the token
  carries one the request must send the same value; a nonce sent for a token without one is refused.
"""

import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

import jwt
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from config.api.errors import ApplicationError
from identity import jwks

APPLE = "apple"
GOOGLE = "google"


class InvalidIdentityTokenError(ApplicationError):
    status_code = 401
    code = "invalid_identity_token"
    message = _("The sign-in token is invalid.")


def _refuse(code: str, message: str) -> InvalidIdentityTokenError:
    return InvalidIdentityTokenError(message, code=code)


@dataclass(frozen=True)
class ProviderIdentity:
    """What a verified token says about the person signing in."""

    provider: str
    subject: str
    email: str
    email_verified: bool
    is_private_email: bool


def _as_bool(value: Any) -> bool:
    # Apple sends "true"/"false" strings for its boolean claims; Google sends JSON booleans.
    return value is True or (isinstance(value, str) and value.lower() == "true")


_IDENTITY_CLAIMS = ("iss", "aud", "exp", "iat", "sub")


def _verified_claims(
    token: str, *, jwks_url: str, audiences: list[str], issuers: list[str], required: tuple[str, ...] = _IDENTITY_CLAIMS
) -> dict[str, Any]:
    try:
        header = jwt.get_unverified_header(token)
    except jwt.InvalidTokenError as exc:
        raise _refuse("invalid_identity_token", str(_("The sign-in token is malformed."))) from exc
    kid = header.get("kid")
    if header.get("alg") != "RS256" or not isinstance(kid, str) or not kid:
        raise _refuse("invalid_identity_token", str(_("The sign-in token is not signed by the provider.")))
    key = jwks.keys_for(jwks_url).key(kid)
    if key is None:
        raise _refuse("invalid_identity_token", str(_("The sign-in token is not signed by the provider.")))
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key=key.key,
            algorithms=["RS256"],
            audience=audiences,
            issuer=issuers,
            leeway=settings.IDENTITY_TOKEN_LEEWAY_SECONDS,
            options={"require": list(required)},
        )
    except jwt.ExpiredSignatureError as exc:
        raise _refuse("identity_token_expired", str(_("The sign-in token has expired. Sign in again."))) from exc
    except jwt.InvalidAudienceError as exc:
        raise _refuse("invalid_audience", str(_("The sign-in token was issued for another app."))) from exc
    except jwt.InvalidIssuerError as exc:
        raise _refuse("invalid_issuer", str(_("The sign-in token was not issued by the provider."))) from exc
    except jwt.InvalidTokenError as exc:
        raise _refuse("invalid_identity_token", str(_("The sign-in token is invalid."))) from exc
    subject = claims.get("sub", "")
    if "sub" in required and (not isinstance(subject, str) or not subject or len(subject) > 255):
        raise _refuse("invalid_identity_token", str(_("The sign-in token is invalid.")))
    return claims


def _nonce_mismatch() -> InvalidIdentityTokenError:
    return _refuse("invalid_nonce", str(_("The sign-in token was not issued for this sign-in (nonce mismatch).")))


def _email_of(claims: dict[str, Any]) -> str:
    email = claims.get("email")
    return email.strip().lower() if isinstance(email, str) and len(email) <= 254 else ""


def verify_apple(token: str, *, nonce: str) -> ProviderIdentity:
    """A Sign in with Apple identity token, checked against sha256(`nonce`)."""
    claims = _verified_claims(
        token, jwks_url=settings.APPLE_JWKS_URL, audiences=settings.APPLE_CLIENT_IDS, issuers=[settings.APPLE_ISSUER]
    )
    expected = hashlib.sha256(nonce.encode()).hexdigest()
    claimed = claims.get("nonce")
    if not isinstance(claimed, str) or not hmac.compare_digest(claimed.encode(), expected.encode()):
        raise _nonce_mismatch()
    return ProviderIdentity(
        provider=APPLE,
        subject=claims["sub"],
        email=_email_of(claims),
        email_verified=_as_bool(claims.get("email_verified")),
        is_private_email=_as_bool(claims.get("is_private_email")),
    )


def verify_google(token: str, *, nonce: str | None) -> ProviderIdentity:
    """A Google ID token; its `nonce`, if any, must be the one the request sends."""
    claims = _verified_claims(
        token, jwks_url=settings.GOOGLE_JWKS_URL, audiences=settings.GOOGLE_CLIENT_IDS, issuers=settings.GOOGLE_ISSUERS
    )
    claimed = claims.get("nonce")
    matches = isinstance(claimed, str) and bool(nonce) and hmac.compare_digest(claimed.encode(), (nonce or "").encode())
    if (claimed is not None or nonce) and not matches:
        raise _nonce_mismatch()
    return ProviderIdentity(
        provider=GOOGLE,
        subject=claims["sub"],
        email=_email_of(claims),
        email_verified=_as_bool(claims.get("email_verified")),
        is_private_email=False,
    )


def verify(provider: str, token: str, *, nonce: str | None) -> ProviderIdentity:
    if provider == APPLE:
        return verify_apple(token, nonce=nonce or "")
    return verify_google(token, nonce=nonce)


@dataclass(frozen=True)
class AppleEvent:
    """One server-to-server notification from Apple (the `events` claim of its signed payload)."""

    type: str
    subject: str
    email: str
    is_private_email: bool
    event_time_ms: int | None


def verify_apple_notification(payload: str) -> AppleEvent:
    """Apple's signed notification JWT: same keys, issuer and audience as its identity tokens.

    https://developer.apple.com/documentation/sign_in_with_apple/processing_changes_for_sign_in_with_apple_accounts
    """
    # Notifications carry no `exp` and no top-level `sub` (the subject is inside `events`); replaying
    # one is harmless, since applying an event is idempotent and older events never win.
    claims = _verified_claims(
        payload,
        jwks_url=settings.APPLE_JWKS_URL,
        audiences=settings.APPLE_CLIENT_IDS,
        issuers=[settings.APPLE_ISSUER],
        required=("iss", "aud", "iat"),
    )
    raw = claims.get("events")
    try:
        events = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError as exc:
        raise _refuse("invalid_identity_token", str(_("The notification has no readable event."))) from exc
    if not isinstance(events, dict) or not isinstance(events.get("type"), str) or not events.get("sub"):
        raise _refuse("invalid_identity_token", str(_("The notification has no readable event.")))
    event_time = events.get("event_time")
    return AppleEvent(
        type=events["type"],
        subject=str(events["sub"]),
        email=_email_of(events),
        is_private_email=_as_bool(events.get("is_private_email")),
        event_time_ms=event_time if isinstance(event_time, int) and not isinstance(event_time, bool) else None,
    )
