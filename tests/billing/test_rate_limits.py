"""The store webhooks are rate-limited per calling address, and purchase reports per account."""

import pytest

from tests.billing.fakes import play_push

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/api/v1/billing/app-store/notifications", "/api/v1/billing/play/notifications"])
def test_a_flood_of_webhook_calls_from_one_address_is_limited(url, anon, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "billing_webhook_ip": "3/60"}
    apple = "app-store" in url
    body = {"signedPayload": "x.y.z"} if apple else play_push(kind=4, purchase_token="t")
    refused = 400 if apple else 401  # a JWS that is not one; a push without a token
    codes = [anon.post(url, body, format="json").status_code for _ in range(4)]
    assert codes == [refused, refused, refused, 429]
    response = anon.post(url, body, format="json")
    assert response.json()["error"]["code"] == "rate_limited"
    assert int(response["Retry-After"]) > 0


def test_purchase_reports_are_limited_per_account(me, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "purchase_user": "2/3600"}
    body = {"store": "app_store", "signed_transaction": "x.y.z"}
    codes = [me.post("/api/v1/me/purchases", body, format="json").status_code for _ in range(3)]
    assert codes == [400, 400, 429]
