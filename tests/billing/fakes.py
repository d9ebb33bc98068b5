"""Fake stores for the billing tests, on loopback with locally generated keys (never Apple or Google).

- `ApplePki`: a root CA, an intermediate and an ES256 leaf shaped like Apple's (marker extensions
  included), and `sign(payload)` that makes an App Store JWS with the `x5c` chain.
- `FakeGoogle`: one HTTP server that is both Google's OIDC key set (`/oauth2/v3/certs`, for the
  Pub/Sub push tokens it signs with `push_token(...)`) and the Play Developer API
  (`subscriptionsv2.get`, answering what the test put in `subscriptions`).

The server listens on 127.0.0.1, on a port from `TEST_FAKE_SERVER_PORT` on when set (else any free port).
"""

import base64
import itertools
import json
import os
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from billing.app_store import INTERMEDIATE_OID, LEAF_OID

# Apple ----------------------------------------------------------------------------------------------


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _certificate(
    *,
    subject: str,
    issuer: str,
    public_key: Any,
    signer: ec.EllipticCurvePrivateKey,
    ca: bool,
    marker: x509.ObjectIdentifier | None = None,
    not_before: datetime | None = None,
    not_after: datetime | None = None,
) -> x509.Certificate:
    now = datetime.now(UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(_name(issuer))
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before or now - timedelta(days=1))
        .not_valid_after(not_after or now + timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if marker is not None:
        builder = builder.add_extension(x509.UnrecognizedExtension(marker, b"\x05\x00"), critical=False)
    return builder.sign(signer, hashes.SHA256())


@dataclass
class ApplePki:
    root: x509.Certificate
    root_key: ec.EllipticCurvePrivateKey
    intermediate: x509.Certificate
    intermediate_key: ec.EllipticCurvePrivateKey
    leaf: x509.Certificate
    leaf_key: ec.EllipticCurvePrivateKey

    @classmethod
    def create(
        cls, *, name: str = "Test Apple Root CA - G3", leaf_expired: bool = False, markers: bool = True
    ) -> "ApplePki":
        root_key = ec.generate_private_key(ec.SECP384R1())
        root = _certificate(subject=name, issuer=name, public_key=root_key.public_key(), signer=root_key, ca=True)
        intermediate_key = ec.generate_private_key(ec.SECP256R1())
        intermediate = _certificate(
            subject="Test WWDR CA",
            issuer=name,
            public_key=intermediate_key.public_key(),
            signer=root_key,
            ca=True,
            marker=INTERMEDIATE_OID if markers else None,
        )
        leaf_key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.now(UTC)
        leaf = _certificate(
            subject="Test Prod ECC Mac App Store and iTunes Store Receipt Signing",
            issuer="Test WWDR CA",
            public_key=leaf_key.public_key(),
            signer=intermediate_key,
            ca=False,
            marker=LEAF_OID if markers else None,
            not_before=now - timedelta(days=400) if leaf_expired else None,
            not_after=now - timedelta(days=1) if leaf_expired else None,
        )
        return cls(root, root_key, intermediate, intermediate_key, leaf, leaf_key)

    def root_pem(self) -> bytes:
        return self.root.public_bytes(serialization.Encoding.PEM)

    def chain(self) -> list[x509.Certificate]:
        return [self.leaf, self.intermediate, self.root]

    def sign(
        self,
        payload: dict[str, Any],
        *,
        key: ec.EllipticCurvePrivateKey | None = None,
        chain: list[x509.Certificate] | None = None,
    ) -> str:
        x5c = [base64.b64encode(c.public_bytes(serialization.Encoding.DER)).decode() for c in (chain or self.chain())]
        return jwt.encode(payload, key or self.leaf_key, algorithm="ES256", headers={"x5c": x5c})


def ms(at: datetime) -> int:
    return int(at.timestamp() * 1000)


# Google ---------------------------------------------------------------------------------------------


@dataclass
class FakeGoogle:
    url: str = ""
    kid: str = field(default_factory=lambda: secrets.token_hex(8))
    key: rsa.RSAPrivateKey = field(
        default_factory=lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )
    # Play Developer API: purchase token -> SubscriptionPurchaseV2 body.
    subscriptions: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Answer every request with this status instead (a Google outage).
    fail_with: int | None = None
    requests: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def reset(self) -> None:
        with self.lock:
            self.subscriptions.clear()
            self.requests.clear()
            self.fail_with = None

    def jwks(self) -> dict[str, Any]:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [{**jwk, "kid": self.kid, "alg": "RS256", "use": "sig"}]}

    def push_token(
        self,
        *,
        audience: str,
        email: str,
        issuer: str = "https://accounts.google.com",
        expires_in: int = 3600,
        email_verified: bool = True,
        key: rsa.RSAPrivateKey | None = None,
        kid: str | None = None,
    ) -> str:
        now = int(time.time())
        claims = {
            "aud": audience,
            "azp": "1234567890",
            "email": email,
            "email_verified": email_verified,
            "exp": now + expires_in,
            "iat": now - 10,
            "iss": issuer,
            "sub": "1234567890",
        }
        return jwt.encode(claims, key or self.key, algorithm="RS256", headers={"kid": kid or self.kid})


def play_subscription(
    *,
    state: str,
    expires: datetime,
    auto_renew: bool = True,
    account_id: str = "",
    product_id: str = "premium_monthly",
    started: datetime | None = None,
) -> dict[str, Any]:
    """A `SubscriptionPurchaseV2` as the Play Developer API returns it."""
    body: dict[str, Any] = {
        "kind": "androidpublisher#subscriptionPurchaseV2",
        "startTime": (started or expires - timedelta(days=30)).isoformat().replace("+00:00", "Z"),
        "subscriptionState": state,
        "latestOrderId": "GPA.0000-0000-0000-00000",
        "acknowledgementState": "ACKNOWLEDGEMENT_STATE_ACKNOWLEDGED",
        "lineItems": [
            {
                "productId": product_id,
                "expiryTime": expires.isoformat().replace("+00:00", "Z"),
                "autoRenewingPlan": {"autoRenewEnabled": auto_renew},
            }
        ],
    }
    if account_id:
        body["externalAccountIdentifiers"] = {"obfuscatedExternalAccountId": account_id}
    return body


class _Handler(BaseHTTPRequestHandler):
    fake: FakeGoogle

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _answer(self, status: int, body: Any) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        fake = self.fake
        with fake.lock:
            fake.requests.append(self.path)
            failing = fake.fail_with
        if failing is not None:
            self._answer(failing, {"error": {"code": failing, "message": "fake outage"}})
        elif self.path == "/oauth2/v3/certs":
            self._answer(200, fake.jwks())
        elif "/purchases/subscriptionsv2/tokens/" in self.path:
            from urllib.parse import unquote

            token = unquote(self.path.rsplit("/", 1)[1])
            body = fake.subscriptions.get(token)
            if body is None:
                self._answer(404, {"error": {"code": 404, "message": "The purchase token was not found."}})
            else:
                self._answer(200, body)
        else:
            self._answer(404, {"error": {"code": 404, "message": "Not found"}})


_servers_started = itertools.count()


def _next_port() -> int:
    """0 (any free port), or the next port from TEST_FAKE_SERVER_PORT on: servers alive at once
    (the billing tests' and the schema fuzzer's) never ask for the same one."""
    base = int(os.environ.get("TEST_FAKE_SERVER_PORT", "0"))
    return base + next(_servers_started) if base else 0


@contextmanager
def fake_google_server() -> Iterator[FakeGoogle]:
    fake = FakeGoogle()
    handler = type("Handler", (_Handler,), {"fake": fake})
    server = ThreadingHTTPServer(("127.0.0.1", _next_port()), handler)
    server.daemon_threads = True
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, name="fake-google", daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


# Store payloads ---------------------------------------------------------------------------------------

BUNDLE_ID = "app.couples.ios"


def apple_transaction(
    *,
    original_id: str,
    expires: datetime,
    signed: datetime,
    purchased: datetime | None = None,
    account_token: str = "",
    revoked: datetime | None = None,
    bundle_id: str = BUNDLE_ID,
    product_id: str = "premium_monthly",
) -> dict[str, Any]:
    """A decoded JWSTransactionDecodedPayload."""
    payload: dict[str, Any] = {
        "transactionId": f"{original_id}-{ms(expires)}",
        "originalTransactionId": original_id,
        "bundleId": bundle_id,
        "productId": product_id,
        "purchaseDate": ms(expires - timedelta(days=30)),
        "originalPurchaseDate": ms(purchased or expires - timedelta(days=30)),
        "expiresDate": ms(expires),
        "type": "Auto-Renewable Subscription",
        "inAppOwnershipType": "PURCHASED",
        "signedDate": ms(signed),
        "environment": "Sandbox",
        "transactionReason": "PURCHASE",
        "storefront": "DEU",
    }
    if account_token:
        payload["appAccountToken"] = account_token
    if revoked is not None:
        payload["revocationDate"] = ms(revoked)
        payload["revocationReason"] = 0
    return payload


def apple_renewal(
    *, original_id: str, signed: datetime, auto_renew: bool = True, retry: bool = False, grace: datetime | None = None
) -> dict[str, Any]:
    """A decoded JWSRenewalInfoDecodedPayload."""
    payload: dict[str, Any] = {
        "originalTransactionId": original_id,
        "autoRenewProductId": "premium_monthly",
        "productId": "premium_monthly",
        "autoRenewStatus": 1 if auto_renew else 0,
        "isInBillingRetryPeriod": retry,
        "signedDate": ms(signed),
        "environment": "Sandbox",
    }
    if grace is not None:
        payload["gracePeriodExpiresDate"] = ms(grace)
    return payload


def apple_notification(
    pki: ApplePki,
    *,
    kind: str,
    subtype: str = "",
    signed: datetime,
    transaction: dict[str, Any] | None,
    renewal: dict[str, Any] | None = None,
    uuid: str | None = None,
    bundle_id: str = BUNDLE_ID,
) -> dict[str, str]:
    """The body Apple POSTs: `{"signedPayload": <JWS of responseBodyV2DecodedPayload>}`."""
    data: dict[str, Any] = {"bundleId": bundle_id, "environment": "Sandbox", "appAppleId": 1234567890}
    if transaction is not None:
        data["signedTransactionInfo"] = pki.sign(transaction)
    if renewal is not None:
        data["signedRenewalInfo"] = pki.sign(renewal)
    payload: dict[str, Any] = {
        "notificationType": kind,
        "notificationUUID": uuid or secrets.token_hex(16),
        "data": data,
        "version": "2.0",
        "signedDate": ms(signed),
    }
    if subtype:
        payload["subtype"] = subtype
    return {"signedPayload": pki.sign(payload)}


PACKAGE_NAME = "app.couples.android"


def play_push(
    *, kind: int | None, purchase_token: str, message_id: str | None = None, package: str = PACKAGE_NAME
) -> dict[str, Any]:
    """The body Pub/Sub POSTs for a Play developer notification (`kind` None: a test notification)."""
    notification: dict[str, Any] = {
        "version": "1.0",
        "packageName": package,
        "eventTimeMillis": str(ms(datetime.now(UTC))),
    }
    if kind is None:
        notification["testNotification"] = {"version": "1.0"}
    else:
        notification["subscriptionNotification"] = {
            "version": "1.0",
            "notificationType": kind,
            "purchaseToken": purchase_token,
            "subscriptionId": "premium_monthly",
        }
    return {
        "message": {
            "data": base64.b64encode(json.dumps(notification).encode()).decode(),
            "messageId": message_id or str(secrets.randbelow(10**15)),
            "publishTime": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        },
        "subscription": "projects/couples-test/subscriptions/play-rtdn",
    }
