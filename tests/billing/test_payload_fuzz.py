"""Genuinely signed but arbitrary store payloads (hypothesis): whatever Apple's JWS or Google's
notification and API answer hold, the webhooks answer 2xx or a 4xx envelope, never a 500.

Schemathesis (tests/schema/) cannot get past the signature checks; these examples do, because they
are signed with the test PKI and pushed with a valid token."""

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.billing.conftest import push_token
from tests.billing.fakes import ApplePki, FakeGoogle, apple_renewal, apple_transaction, ms

APPLE_URL = "/api/v1/billing/app-store/notifications"
PLAY_URL = "/api/v1/billing/play/notifications"

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
    st.sampled_from(["app.couples.ios", "app.couples.android", "SUBSCRIBED", "2000000111", "GRACE_PERIOD"]),
    st.integers(min_value=0, max_value=4_000_000_000_000),  # plausible millisecond timestamps
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)


def _maybe(keys: list[str], values: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    """Dicts holding any subset of the keys our code reads, with arbitrary values."""
    return st.fixed_dictionaries({}, optional=dict.fromkeys(keys, values))


TRANSACTION_KEYS = [
    "bundleId",
    "originalTransactionId",
    "productId",
    "expiresDate",
    "revocationDate",
    "signedDate",
    "originalPurchaseDate",
    "appAccountToken",
    "environment",
]
RENEWAL_KEYS = ["originalTransactionId", "autoRenewStatus", "isInBillingRetryPeriod", "gracePeriodExpiresDate"]


NOW = datetime.now(UTC)
VALID_TRANSACTION = apple_transaction(original_id="2000000111", expires=NOW + timedelta(days=9), signed=NOW)
VALID_RENEWAL = apple_renewal(original_id="2000000111", signed=NOW)
VALID_NOTIFICATION = {"notificationType": "DID_RENEW", "notificationUUID": "u-1", "signedDate": ms(NOW)}


@st.composite
def apple_payloads(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """Valid payloads with any subset of the keys we read replaced by arbitrary values, or removed."""

    def mutate(valid: dict[str, Any], keys: list[str]) -> dict[str, Any]:
        if draw(st.booleans()):
            return valid
        changed = {**valid, **draw(_maybe(keys, json_values))}
        for key in draw(st.lists(st.sampled_from(keys), max_size=2)):
            changed.pop(key, None)
        return changed

    return (
        mutate(VALID_NOTIFICATION, ["notificationType", "subtype", "notificationUUID", "signedDate"]),
        mutate(VALID_TRANSACTION, TRANSACTION_KEYS),
        mutate(VALID_RENEWAL, RENEWAL_KEYS),
    )


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(payloads=apple_payloads(), bundle=st.sampled_from(["app.couples.ios", "app.couples.ios", None, 7]))
def test_any_signed_app_store_payload_is_answered_without_a_server_error(apple: ApplePki, anon, payloads, bundle):
    notification, transaction_info, renewal = payloads
    data = {
        "bundleId": bundle,
        "signedTransactionInfo": apple.sign(transaction_info),
        "signedRenewalInfo": apple.sign(renewal),
    }
    body = {"signedPayload": apple.sign({**notification, "data": data})}
    with transaction.atomic():
        response = anon.post(APPLE_URL, body, format="json")
        transaction.set_rollback(True)
    assert response.status_code in (200, 400), response.content
    if response.status_code == 400:
        assert response.json()["error"]["code"]


PLAY_BODY_KEYS = ["subscriptionState", "lineItems", "startTime", "externalAccountIdentifiers", "testPurchase"]
line_items = st.lists(
    _maybe(["productId", "expiryTime", "autoRenewingPlan"], json_values | st.just("2030-01-01T00:00:00Z")), max_size=2
)


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    notification=_maybe(
        ["packageName", "eventTimeMillis", "subscriptionNotification", "testNotification"], json_values
    ),
    subscription=_maybe(["notificationType", "purchaseToken"], json_values | st.just("tok")),
    api_body=_maybe(PLAY_BODY_KEYS, json_values)
    | st.fixed_dictionaries({"lineItems": line_items, "subscriptionState": json_values}),
)
def test_any_play_notification_and_api_answer_is_handled_without_a_server_error(
    google: FakeGoogle, anon, notification, subscription, api_body
):
    notification = {"packageName": "app.couples.android", **notification}
    if isinstance(notification.get("subscriptionNotification"), dict) or "subscriptionNotification" not in notification:
        notification["subscriptionNotification"] = subscription
    google.subscriptions["tok"] = api_body
    anon.credentials(HTTP_AUTHORIZATION=f"Bearer {push_token(google)}")
    body = {"message": {"data": base64.b64encode(json.dumps(notification).encode()).decode(), "messageId": "m-1"}}
    with transaction.atomic():
        response = anon.post(PLAY_URL, body, format="json")
        transaction.set_rollback(True)
    assert response.status_code in (200, 400), response.content
