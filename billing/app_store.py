"""App Store Server API payloads: verifying Apple's JWS and reading a subscription's state from it.

Apple signs every notification (`signedPayload`), transaction (`signedTransactionInfo`) and renewal
info (`signedRenewalInfo`) as a JWS with ES256, the signing certificate chain in the `x5c` header:
leaf, then intermediate(s), then Apple's root. We trust a chain only when each certificate is signed
by the next, every certificate is valid now, every issuer is a CA, the chain ends in one of the roots
of `APP_STORE_ROOT_CERTIFICATES` (Apple Root CA - G3 in production; a locally generated root in the
tests), and, with `APP_STORE_CHECK_APPLE_OIDS`, the leaf and intermediate carry Apple's marker
extensions (as Apple's own app-store-server-library checks). Only then is the signature checked with
the leaf's key. Nothing here reads or writes the database.
"""

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Any

import jwt
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings

from billing.errors import InvalidSignedPayloadError, WrongAppError
from billing.models import Subscription

# Apple's marker extensions: the leaf of a receipt-signing chain and the WWDR intermediate.
LEAF_OID = x509.ObjectIdentifier("1.2.840.113635.100.6.11.1")
INTERMEDIATE_OID = x509.ObjectIdentifier("1.2.840.113635.100.6.2.1")
MAX_JWS_LENGTH = 64 * 1024


@cache
def _load_roots(paths: tuple[str, ...]) -> tuple[x509.Certificate, ...]:
    roots = []
    for path in paths:
        data = Path(path).read_bytes()
        pem = b"-----BEGIN CERTIFICATE-----" in data
        roots.append(x509.load_pem_x509_certificate(data) if pem else x509.load_der_x509_certificate(data))
    return tuple(roots)


def trusted_roots() -> tuple[x509.Certificate, ...]:
    return _load_roots(tuple(settings.APP_STORE_ROOT_CERTIFICATES))


def _b64url_json(segment: str) -> dict[str, Any]:
    padded = segment + "=" * (-len(segment) % 4)
    value = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    if not isinstance(value, dict):
        raise ValueError("not a JSON object")
    return value


def _chain(header: dict[str, Any]) -> list[x509.Certificate]:
    x5c = header.get("x5c")
    if not isinstance(x5c, list) or not 2 <= len(x5c) <= 4 or not all(isinstance(c, str) for c in x5c):
        raise InvalidSignedPayloadError(code="invalid_certificate_chain")
    try:
        return [x509.load_der_x509_certificate(base64.b64decode(c, validate=True)) for c in x5c]
    except (ValueError, binascii.Error):
        raise InvalidSignedPayloadError(code="invalid_certificate_chain") from None


def _has_extension(cert: x509.Certificate, oid: x509.ObjectIdentifier) -> bool:
    try:
        cert.extensions.get_extension_for_oid(oid)
    except x509.ExtensionNotFound:
        return False
    return True


def _is_ca(cert: x509.Certificate) -> bool:
    try:
        return bool(cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
    except x509.ExtensionNotFound:
        return False


def _verify_chain(chain: list[x509.Certificate], now: datetime) -> None:
    roots = trusted_roots()
    if not roots:
        raise InvalidSignedPayloadError(code="untrusted_certificate_chain")
    for cert in chain:
        if not cert.not_valid_before_utc <= now <= cert.not_valid_after_utc:
            raise InvalidSignedPayloadError(code="certificate_expired")
    for cert in chain[1:]:
        if not _is_ca(cert):
            raise InvalidSignedPayloadError(code="invalid_certificate_chain")
    if settings.APP_STORE_CHECK_APPLE_OIDS and not (
        _has_extension(chain[0], LEAF_OID) and _has_extension(chain[1], INTERMEDIATE_OID)
    ):
        raise InvalidSignedPayloadError(code="invalid_certificate_chain")
    try:
        for child, issuer in pairwise(chain):
            child.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature):
        raise InvalidSignedPayloadError(code="invalid_certificate_chain") from None
    # The last certificate of x5c is (a copy of) a trusted root, or is issued by one.
    last = chain[-1]
    for root in roots:
        if last == root:
            return
        try:
            last.verify_directly_issued_by(root)
        except (ValueError, TypeError, InvalidSignature):
            continue
        return
    raise InvalidSignedPayloadError(code="untrusted_certificate_chain")


def verify_jws(token: Any, *, now: datetime | None = None) -> dict[str, Any]:
    """The payload of an App Store JWS after its chain and signature are verified; raises
    InvalidSignedPayloadError (400, with a specific code) otherwise."""
    if not isinstance(token, str) or not token or len(token) > MAX_JWS_LENGTH or token.count(".") != 2:
        raise InvalidSignedPayloadError(code="malformed_signed_payload")
    try:
        header = _b64url_json(token.split(".", 1)[0])
    except (ValueError, UnicodeError, binascii.Error):
        raise InvalidSignedPayloadError(code="malformed_signed_payload") from None
    if header.get("alg") != "ES256":
        raise InvalidSignedPayloadError(code="unsupported_algorithm")
    chain = _chain(header)
    _verify_chain(chain, now or datetime.now(UTC))
    key = chain[0].public_key()
    if not isinstance(key, ec.EllipticCurvePublicKey):
        raise InvalidSignedPayloadError(code="invalid_certificate_chain")
    try:
        payload = jwt.decode(token, key=key, algorithms=["ES256"], options={"verify_aud": False, "verify_iss": False})
    except jwt.PyJWTError:
        raise InvalidSignedPayloadError(code="invalid_signature") from None
    if not isinstance(payload, dict):
        raise InvalidSignedPayloadError(code="malformed_signed_payload")
    return payload


# Reading a subscription's state -------------------------------------------------------------------


@dataclass(frozen=True)
class AppStoreState:
    """What one verified App Store payload says about a subscription, in our terms."""

    original_transaction_id: str
    product_id: str
    status: str  # a billing.models.Subscription.Status value
    expires_at: datetime | None
    access_until: datetime | None
    will_renew: bool
    started_at: datetime | None
    signed_at: datetime
    environment: str
    app_account_token: str


def from_millis(value: Any) -> datetime | None:
    """A store timestamp (milliseconds since the epoch) as an aware datetime; None stays None."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidSignedPayloadError(code="malformed_signed_payload")
    try:
        return datetime.fromtimestamp(value / 1000, tz=UTC)
    except (OverflowError, OSError, ValueError):
        raise InvalidSignedPayloadError(code="malformed_signed_payload") from None


def _text(payload: dict[str, Any], key: str, *, required: bool = True) -> str:
    value = payload.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value or len(value) > 200:
        raise InvalidSignedPayloadError(code="malformed_signed_payload")
    return value


def check_bundle(bundle_id: Any) -> None:
    if bundle_id != settings.APP_STORE_BUNDLE_ID:
        raise WrongAppError()


def subscription_state(
    *,
    transaction: dict[str, Any],
    renewal: dict[str, Any] | None,
    notification_type: str = "",
    subtype: str = "",
    signed_at: datetime | None = None,
) -> AppStoreState:
    """The state of the subscription a verified transaction (and renewal info) describe.

    The notification type only matters where the transaction alone cannot tell: EXPIRED and
    GRACE_PERIOD_EXPIRED end access whatever the dates say, and DID_FAIL_TO_RENEW with a grace
    period extends it to the renewal info's `gracePeriodExpiresDate`. `signed_at` orders states
    (the notification's `signedDate`; else the transaction's).
    """
    Status = Subscription.Status
    check_bundle(transaction.get("bundleId"))
    expires_at = from_millis(transaction.get("expiresDate"))
    revoked_at = from_millis(transaction.get("revocationDate"))
    renewal = renewal or {}
    grace_until = from_millis(renewal.get("gracePeriodExpiresDate"))
    in_retry = renewal.get("isInBillingRetryPeriod") is True
    access_until = expires_at
    if revoked_at is not None or notification_type in {"REFUND", "REVOKE"}:
        status = Status.REVOKED
    elif notification_type in {"EXPIRED", "GRACE_PERIOD_EXPIRED"}:
        status = Status.EXPIRED
    elif grace_until is not None and (
        in_retry or (notification_type, subtype) == ("DID_FAIL_TO_RENEW", "GRACE_PERIOD")
    ):
        status, access_until = Status.GRACE_PERIOD, max(grace_until, expires_at or grace_until)
    elif in_retry or notification_type == "DID_FAIL_TO_RENEW":
        status = Status.BILLING_RETRY
    else:
        status = Status.ACTIVE
    if renewal:
        will_renew = renewal.get("autoRenewStatus") == 1 and status not in {Status.REVOKED, Status.EXPIRED}
    else:
        will_renew = status == Status.ACTIVE
    signed = signed_at or from_millis(transaction.get("signedDate"))
    if signed is None:
        raise InvalidSignedPayloadError(code="malformed_signed_payload")
    token = transaction.get("appAccountToken")
    return AppStoreState(
        original_transaction_id=_text(transaction, "originalTransactionId"),
        product_id=_text(transaction, "productId"),
        status=status,
        expires_at=expires_at,
        access_until=access_until,
        will_renew=will_renew,
        started_at=from_millis(transaction.get("originalPurchaseDate")),
        signed_at=signed,
        environment=str(transaction.get("environment") or "")[:20],
        app_account_token=token.lower() if isinstance(token, str) else "",
    )
