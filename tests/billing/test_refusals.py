"""Forged, expired, misaddressed and malformed store payloads and push tokens are refused with a
clear 4xx envelope, store nothing, and never reach a 500."""

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from billing.models import StoreEvent, Subscription
from tests.billing.conftest import push_token
from tests.billing.fakes import (
    ApplePki,
    apple_notification,
    apple_transaction,
    play_push,
    play_subscription,
)

NOW = datetime.now(UTC)
APPLE_URL = "/api/v1/billing/app-store/notifications"
PLAY_URL = "/api/v1/billing/play/notifications"


def _transaction(**overrides):
    return apple_transaction(original_id="2000000999", expires=NOW + timedelta(days=20), signed=NOW, **overrides)


def _notification(pki: ApplePki, **overrides):
    arguments = {"kind": "SUBSCRIBED", "signed": NOW, "transaction": _transaction()} | overrides
    return apple_notification(pki, **arguments)


def _tamper(token: str) -> str:
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["notificationType"] = "DID_RENEW"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


def _unsigned(claims: dict[str, Any]) -> str:
    """An `alg: none` JWT: no signature at all."""
    return jwt.encode(claims, None, algorithm="none")  # type: ignore[arg-type]


def _strip_x5c(pki: ApplePki) -> str:
    return jwt.encode({"notificationType": "TEST"}, pki.leaf_key, algorithm="ES256")


APPLE_REFUSALS = {
    "not a JWS": (lambda pki, other: {"signedPayload": "not-a-jws"}, "malformed_signed_payload"),
    "header is not JSON": (lambda pki, other: {"signedPayload": "e30x.e30.c2ln"}, "malformed_signed_payload"),
    "alg none": (
        lambda pki, other: {"signedPayload": _unsigned({"a": 1})},
        "unsupported_algorithm",
    ),
    "HS256 with a guessed secret": (
        lambda pki, other: {
            "signedPayload": jwt.encode({"a": 1}, "secret-secret-secret-secret-1234", algorithm="HS256")
        },
        "unsupported_algorithm",
    ),
    "no certificate chain": (lambda pki, other: {"signedPayload": _strip_x5c(pki)}, "invalid_certificate_chain"),
    "signed by another key than the leaf's": (
        lambda pki, other: {"signedPayload": pki.sign({"a": 1}, key=ec.generate_private_key(ec.SECP256R1()))},
        "invalid_signature",
    ),
    "payload changed after signing": (
        lambda pki, other: {"signedPayload": _tamper(_notification(pki)["signedPayload"])},
        "invalid_signature",
    ),
    "chain to an unknown root": (lambda pki, other: _notification(other), "untrusted_certificate_chain"),
    "leaf issued by the wrong intermediate": (
        lambda pki, other: {
            "signedPayload": pki.sign({"a": 1}, key=other.leaf_key, chain=[other.leaf, pki.intermediate, pki.root])
        },
        "invalid_certificate_chain",
    ),
    "expired leaf certificate": (
        lambda pki, other: {"signedPayload": _expired_leaf_jws(pki)},
        "certificate_expired",
    ),
    "certificates without Apple's markers": (
        lambda pki, other: {"signedPayload": _unmarked_jws(pki)},
        "invalid_certificate_chain",
    ),
    "another app's bundle": (lambda pki, other: _notification(pki, bundle_id="com.example.other"), "wrong_app"),
    "forged transaction inside a genuine notification": (
        lambda pki, other: {
            "signedPayload": pki.sign(
                {
                    "notificationType": "SUBSCRIBED",
                    "notificationUUID": "u-1",
                    "signedDate": int(NOW.timestamp() * 1000),
                    "data": {"bundleId": "app.couples.ios", "signedTransactionInfo": other.sign(_transaction())},
                }
            )
        },
        "untrusted_certificate_chain",
    ),
    "transaction of another app": (
        lambda pki, other: _notification(pki, transaction=_transaction(bundle_id="com.example.other")),
        "wrong_app",
    ),
}


def _expired_leaf_jws(pki: ApplePki) -> str:
    expired = ApplePki.create(leaf_expired=True)
    # Same root as the trusted one is needed for the chain: re-sign an expired leaf under pki's intermediate.
    from tests.billing.fakes import _certificate

    leaf = _certificate(
        subject="expired leaf",
        issuer="Test WWDR CA",
        public_key=expired.leaf_key.public_key(),
        signer=pki.intermediate_key,
        ca=False,
        marker=expired.leaf.extensions[1].oid if len(expired.leaf.extensions) > 1 else None,
        not_before=NOW - timedelta(days=400),
        not_after=NOW - timedelta(days=1),
    )
    return pki.sign({"a": 1}, key=expired.leaf_key, chain=[leaf, pki.intermediate, pki.root])


def _unmarked_jws(pki: ApplePki) -> str:
    from tests.billing.fakes import _certificate

    key = ec.generate_private_key(ec.SECP256R1())
    leaf = _certificate(
        subject="unmarked", issuer="Test WWDR CA", public_key=key.public_key(), signer=pki.intermediate_key, ca=False
    )
    return pki.sign({"a": 1}, key=key, chain=[leaf, pki.intermediate, pki.root])


@pytest.fixture(scope="module")
def attacker_pki() -> ApplePki:
    return ApplePki.create(name="Test Apple Root CA - G3")  # same name, other keys


@pytest.mark.parametrize("case", list(APPLE_REFUSALS))
def test_app_store_notifications_that_cannot_be_verified_are_refused(case, apple, attacker_pki, anon, db):
    build, code = APPLE_REFUSALS[case]
    response = anon.post(APPLE_URL, build(apple, attacker_pki), format="json")
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == code
    assert "Traceback" not in response.content.decode()
    assert not Subscription.objects.exists()
    assert not StoreEvent.objects.exists()


def test_without_a_configured_root_nothing_is_trusted(apple_pki, anon, settings, db):
    settings.APP_STORE_ROOT_CERTIFICATES = []
    response = anon.post(APPLE_URL, _notification(apple_pki), format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "untrusted_certificate_chain"


def test_an_app_store_body_without_signed_payload_is_a_validation_error(apple, anon, db):
    response = anon.post(APPLE_URL, {"signed": "x"}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["signedPayload"][0]["code"] == "required"


# Google Play ------------------------------------------------------------------------------------------

TOKEN_REFUSALS: dict[str, tuple[dict[str, Any], str]] = {
    "expired": ({"expires_in": -120}, "expired_push_token"),
    "wrong audience": ({"audience": "https://evil.example/push"}, "wrong_audience"),
    "wrong issuer": ({"issuer": "https://evil.example"}, "wrong_issuer"),
    "another service account": ({"email": "someone@evil.iam.gserviceaccount.com"}, "wrong_service_account"),
    "e-mail not verified": ({"email_verified": False}, "wrong_service_account"),
    "forged with another key under Google's key id": (
        {"key": rsa.generate_private_key(public_exponent=65537, key_size=2048)},
        "invalid_push_token",
    ),
    "unknown key id": ({"kid": "not-a-google-key"}, "unknown_signing_key"),
}


@pytest.mark.parametrize("case", list(TOKEN_REFUSALS))
def test_play_pushes_with_a_bad_oidc_token_are_refused(case, google, anon, db):
    overrides, code = TOKEN_REFUSALS[case]
    google.subscriptions["tok"] = play_subscription(state="SUBSCRIPTION_STATE_ACTIVE", expires=NOW + timedelta(days=9))
    anon.credentials(HTTP_AUTHORIZATION=f"Bearer {push_token(google, **overrides)}")
    response = anon.post(PLAY_URL, play_push(kind=4, purchase_token="tok"), format="json")
    assert response.status_code == 401, response.content
    assert response.json()["error"]["code"] == code
    assert not any("/subscriptionsv2/" in path for path in google.requests)
    assert not StoreEvent.objects.exists()


@pytest.mark.parametrize(
    ("authorization", "code"),
    [
        ("", "missing_push_token"),
        ("Basic dXNlcjpwYXNz", "missing_push_token"),
        ("Bearer not.a.jwt", "invalid_push_token"),
        (
            f"Bearer {jwt.encode({'aud': 'x'}, 'secret-secret-secret-secret-1234', algorithm='HS256')}",
            "unsupported_algorithm",
        ),
        (f"Bearer {_unsigned({'aud': 'x'})}", "unsupported_algorithm"),
    ],
)
def test_play_pushes_without_a_google_token_are_refused_before_any_key_is_fetched(
    authorization, code, google, anon, db
):
    if authorization:
        anon.credentials(HTTP_AUTHORIZATION=authorization)
    response = anon.post(PLAY_URL, play_push(kind=4, purchase_token="tok"), format="json")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == code
    assert google.requests == []


def test_our_own_access_token_is_not_a_push_token(google, me, db):
    response = me.post(PLAY_URL, play_push(kind=4, purchase_token="tok"), format="json")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unsupported_algorithm"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({}, "malformed_push_message"),
        ({"message": {"messageId": "1", "data": "!!not base64!!"}}, "malformed_push_message"),
        ({"message": {"messageId": "1", "data": base64.b64encode(b"[1]").decode()}}, "malformed_push_message"),
        (play_push(kind=4, purchase_token="tok", package="com.example.other"), "wrong_app"),
    ],
)
def test_play_pushes_that_cannot_be_read_are_refused(body, code, google, anon, db):
    anon.credentials(HTTP_AUTHORIZATION=f"Bearer {push_token(google)}")
    response = anon.post(PLAY_URL, body, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == code
    assert not Subscription.objects.exists()


def test_a_genuine_push_about_a_purchase_google_does_not_know_is_recorded_and_left_alone(google, anon, db):
    # An error would make Pub/Sub redeliver it for days; nothing is stored for the unknown token.
    anon.credentials(HTTP_AUTHORIZATION=f"Bearer {push_token(google)}")
    body = play_push(kind=4, purchase_token="unknown-token", message_id="m-unknown")
    assert anon.post(PLAY_URL, body, format="json").json() == {"outcome": "ignored"}
    assert anon.post(PLAY_URL, body, format="json").json() == {"outcome": "duplicate"}
    assert not Subscription.objects.exists()


@pytest.mark.parametrize("failing", [500, 503, 429])
def test_a_google_outage_is_a_503_and_the_push_is_redelivered_later(failing, google, anon, db):
    anon.credentials(HTTP_AUTHORIZATION=f"Bearer {push_token(google)}")
    push_token(google)  # keys fetched and cached before the outage
    anon.post(PLAY_URL, play_push(kind=None, purchase_token="", message_id="warm-up"), format="json")
    google.fail_with = failing
    body = play_push(kind=4, purchase_token="tok", message_id="m-outage")
    response = anon.post(PLAY_URL, body, format="json")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "store_unavailable"
    assert response["Retry-After"]
    # Not recorded: Pub/Sub's redelivery is processed once Google answers again.
    assert not StoreEvent.objects.filter(event_id="m-outage").exists()
    google.fail_with = None
    google.subscriptions["tok"] = play_subscription(state="SUBSCRIPTION_STATE_ACTIVE", expires=NOW + timedelta(days=9))
    assert anon.post(PLAY_URL, body, format="json").json() == {"outcome": "applied"}


def test_unreachable_google_keys_are_a_503(google, anon, settings, db):
    settings.PLAY_PUSH_JWKS_URL = "http://127.0.0.1:9/certs"  # nothing listens there
    anon.credentials(HTTP_AUTHORIZATION=f"Bearer {push_token(google)}")
    response = anon.post(PLAY_URL, play_push(kind=4, purchase_token="tok"), format="json")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "store_unavailable"
