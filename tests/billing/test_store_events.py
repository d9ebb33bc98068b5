"""Table-driven: every store event type, each delivered three times, in shuffled orders, lands in the
same entitlement (for the buyer and their partner) and the same subscription row every time."""

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from billing.models import StoreEvent, Subscription
from tests.billing.conftest import push_token
from tests.billing.fakes import (
    ApplePki,
    FakeGoogle,
    apple_notification,
    apple_renewal,
    apple_transaction,
    play_push,
    play_subscription,
)
from tests.conftest import AppClient

NOW = datetime.now(UTC).replace(microsecond=0)
DAY = timedelta(days=1)
APPLE_URL = "/api/v1/billing/app-store/notifications"
PLAY_URL = "/api/v1/billing/play/notifications"


@dataclass(frozen=True)
class Expected:
    premium: bool
    status: str
    will_renew: bool = False
    in_grace_period: bool = False
    until: datetime | None = None


@dataclass(frozen=True)
class AppleEvent:
    kind: str
    subtype: str
    signed: datetime  # the notification's signedDate: orders the states
    expires: datetime
    auto_renew: bool = True
    retry: bool = False
    grace: datetime | None = None
    revoked: datetime | None = None


def _subscribed(signed: datetime, expires: datetime) -> AppleEvent:
    return AppleEvent("SUBSCRIBED", "INITIAL_BUY", signed, expires)


APPLE_CASES: dict[str, tuple[list[AppleEvent], Expected]] = {
    "SUBSCRIBED": ([_subscribed(NOW - 2 * DAY, NOW + 28 * DAY)], Expected(True, "active", True, until=NOW + 28 * DAY)),
    "DID_RENEW": (
        [_subscribed(NOW - 32 * DAY, NOW - 2 * DAY), AppleEvent("DID_RENEW", "", NOW - 2 * DAY, NOW + 28 * DAY)],
        Expected(True, "active", True, until=NOW + 28 * DAY),
    ),
    "DID_FAIL_TO_RENEW with grace period": (
        [
            _subscribed(NOW - 31 * DAY, NOW - DAY),
            AppleEvent("DID_FAIL_TO_RENEW", "GRACE_PERIOD", NOW - DAY, NOW - DAY, retry=True, grace=NOW + 5 * DAY),
        ],
        Expected(True, "grace_period", True, in_grace_period=True, until=NOW + 5 * DAY),
    ),
    "DID_FAIL_TO_RENEW without grace period": (
        [_subscribed(NOW - 31 * DAY, NOW - DAY), AppleEvent("DID_FAIL_TO_RENEW", "", NOW - DAY, NOW - DAY, retry=True)],
        Expected(False, "billing_retry"),
    ),
    "EXPIRED": (
        [
            _subscribed(NOW - 31 * DAY, NOW - DAY),
            AppleEvent("DID_CHANGE_RENEWAL_STATUS", "AUTO_RENEW_DISABLED", NOW - 10 * DAY, NOW - DAY, auto_renew=False),
            AppleEvent("EXPIRED", "VOLUNTARY", NOW - DAY, NOW - DAY, auto_renew=False),
        ],
        Expected(False, "expired"),
    ),
    "REFUND": (
        [
            _subscribed(NOW - 5 * DAY, NOW + 25 * DAY),
            AppleEvent("REFUND", "", NOW - DAY, NOW + 25 * DAY, revoked=NOW - DAY),
        ],
        Expected(False, "revoked"),
    ),
    "REVOKE": (
        [
            _subscribed(NOW - 5 * DAY, NOW + 25 * DAY),
            AppleEvent("REVOKE", "", NOW - DAY, NOW + 25 * DAY, revoked=NOW - DAY),
        ],
        Expected(False, "revoked"),
    ),
}


def _apple_body(pki: ApplePki, event: AppleEvent, *, owner: str, uuid: str) -> dict[str, str]:
    transaction = apple_transaction(
        original_id="2000000111",
        expires=event.expires,
        signed=event.signed,
        purchased=NOW - 60 * DAY,
        account_token=owner,
        revoked=event.revoked,
    )
    renewal = apple_renewal(
        original_id="2000000111", signed=event.signed, auto_renew=event.auto_renew, retry=event.retry, grace=event.grace
    )
    return apple_notification(
        pki,
        kind=event.kind,
        subtype=event.subtype,
        signed=event.signed,
        transaction=transaction,
        renewal=renewal,
        uuid=uuid,
    )


def _check(me: AppClient, partner: AppClient, expected: Expected) -> dict[str, Any]:
    mine = me.get("/api/v1/me/entitlements").json()
    theirs = partner.get("/api/v1/me/entitlements").json()
    assert mine["premium"] is expected.premium
    assert mine["source"] == ("own" if expected.premium else None)
    assert mine["will_renew"] is expected.will_renew
    assert mine["in_grace_period"] is expected.in_grace_period
    assert mine["subscription"]["status"] == expected.status
    if expected.until is not None:
        assert datetime.fromisoformat(mine["until"]) == expected.until
    # The partner shares it: same premium, same end, their source is the partner.
    assert theirs["premium"] is expected.premium
    assert theirs["source"] == ("partner" if expected.premium else None)
    assert theirs["until"] == mine["until"]
    assert theirs["subscription"] is None
    return mine


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("case", list(APPLE_CASES))
def test_app_store_events_replayed_and_shuffled_give_one_entitlement(case, seed, apple, me, partner, anon):
    events, expected = APPLE_CASES[case]
    bodies = [_apple_body(apple, e, owner=str(me.user.pk), uuid=f"uuid-{i}") for i, e in enumerate(events)]
    deliveries = bodies * 3
    random.Random(seed).shuffle(deliveries)
    outcomes = []
    for body in deliveries:
        response = anon.post(APPLE_URL, body, format="json")
        assert response.status_code == 200, response.content
        outcomes.append(response.json()["outcome"])
    assert outcomes.count("duplicate") == 2 * len(events)
    assert StoreEvent.objects.count() == len(events)
    first = _check(me, partner, expected)
    # Delivered again in the opposite order: nothing changes.
    for body in reversed(deliveries):
        assert anon.post(APPLE_URL, body, format="json").json()["outcome"] == "duplicate"
    assert _check(me, partner, expected) == first
    row = Subscription.objects.get()
    assert (row.user_id, row.status, row.store) == (me.user.pk, expected.status, "app_store")


def test_an_older_app_store_state_with_a_new_event_id_is_stale(apple, me, anon):
    newer = _apple_body(apple, AppleEvent("DID_RENEW", "", NOW - DAY, NOW + 29 * DAY), owner=str(me.user.pk), uuid="a")
    older = _apple_body(apple, _subscribed(NOW - 31 * DAY, NOW - DAY), owner=str(me.user.pk), uuid="b")
    assert anon.post(APPLE_URL, newer, format="json").json()["outcome"] == "applied"
    assert anon.post(APPLE_URL, older, format="json").json()["outcome"] == "stale"
    assert me.get("/api/v1/me/entitlements").json()["premium"] is True
    assert StoreEvent.objects.get(event_id="b").applied is False


# Google Play ------------------------------------------------------------------------------------------

PURCHASED, RENEWED, CANCELED, ON_HOLD, IN_GRACE_PERIOD, REVOKED, EXPIRED = 4, 2, 3, 5, 6, 12, 13

PLAY_CASES: dict[str, tuple[list[int], dict[str, Any], Expected]] = {
    "PURCHASED": (
        [PURCHASED],
        {"state": "SUBSCRIPTION_STATE_ACTIVE", "expires": NOW + 30 * DAY},
        Expected(True, "active", True, until=NOW + 30 * DAY),
    ),
    "RENEWED": (
        [PURCHASED, RENEWED],
        {"state": "SUBSCRIPTION_STATE_ACTIVE", "expires": NOW + 29 * DAY},
        Expected(True, "active", True, until=NOW + 29 * DAY),
    ),
    "IN_GRACE_PERIOD": (
        [PURCHASED, IN_GRACE_PERIOD],
        {"state": "SUBSCRIPTION_STATE_IN_GRACE_PERIOD", "expires": NOW + 3 * DAY},
        Expected(True, "grace_period", True, in_grace_period=True, until=NOW + 3 * DAY),
    ),
    "ON_HOLD": (
        [PURCHASED, IN_GRACE_PERIOD, ON_HOLD],
        {"state": "SUBSCRIPTION_STATE_ON_HOLD", "expires": NOW - DAY},
        Expected(False, "on_hold"),
    ),
    "CANCELED": (
        [PURCHASED, CANCELED],
        {"state": "SUBSCRIPTION_STATE_CANCELED", "expires": NOW + 10 * DAY, "auto_renew": False},
        Expected(True, "active", False, until=NOW + 10 * DAY),
    ),
    "EXPIRED": (
        [PURCHASED, CANCELED, EXPIRED],
        {"state": "SUBSCRIPTION_STATE_EXPIRED", "expires": NOW - DAY, "auto_renew": False},
        Expected(False, "expired"),
    ),
    "REVOKED": (
        [PURCHASED, REVOKED],
        {"state": "SUBSCRIPTION_STATE_EXPIRED", "expires": NOW - DAY, "auto_renew": False},
        Expected(False, "revoked"),
    ),
}


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("case", list(PLAY_CASES))
def test_play_notifications_replayed_and_shuffled_give_one_entitlement(
    case, seed, google: FakeGoogle, me, partner, anon
):
    kinds, state, expected = PLAY_CASES[case]
    google.subscriptions["play-token-1"] = play_subscription(account_id=str(me.user.pk), **state)
    bodies = [play_push(kind=k, purchase_token="play-token-1", message_id=f"m-{i}") for i, k in enumerate(kinds)]
    deliveries = bodies * 3
    random.Random(seed).shuffle(deliveries)
    anon.credentials(HTTP_AUTHORIZATION=f"Bearer {push_token(google)}")
    outcomes = [anon.post(PLAY_URL, body, format="json").json()["outcome"] for body in deliveries]
    assert outcomes.count("duplicate") == 2 * len(kinds)
    # A redelivery costs no call to Google: one subscription read per distinct message.
    assert sum("/subscriptionsv2/" in path for path in google.requests) == len(kinds)
    first = _check(me, partner, expected)
    for body in reversed(deliveries):
        assert anon.post(PLAY_URL, body, format="json").json()["outcome"] == "duplicate"
    assert _check(me, partner, expected) == first
    row = Subscription.objects.get()
    assert (row.user_id, row.status, row.store, row.store_id) == (
        me.user.pk,
        expected.status,
        "google_play",
        "play-token-1",
    )


def test_a_play_test_notification_is_recorded_and_ignored(google, anon, db):
    anon.credentials(HTTP_AUTHORIZATION=f"Bearer {push_token(google)}")
    body = play_push(kind=None, purchase_token="", message_id="test-1")
    assert anon.post(PLAY_URL, body, format="json").json() == {"outcome": "ignored"}
    assert anon.post(PLAY_URL, body, format="json").json() == {"outcome": "duplicate"}
    assert not Subscription.objects.exists()


def test_store_events_past_their_retention_are_purged_daily(apple, me, anon, settings):
    from billing.tasks import purge_store_events

    settings.STORE_EVENT_RETENTION_DAYS = 30
    body = _apple_body(apple, _subscribed(NOW - DAY, NOW + 29 * DAY), owner=str(me.user.pk), uuid="old")
    anon.post(APPLE_URL, body, format="json")
    anon.post(
        APPLE_URL,
        _apple_body(apple, _subscribed(NOW, NOW + 30 * DAY), owner=str(me.user.pk), uuid="new"),
        format="json",
    )
    StoreEvent.objects.filter(event_id="old").update(received_at=NOW - 31 * DAY)
    assert purge_store_events() == 1
    assert list(StoreEvent.objects.values_list("event_id", flat=True)) == ["new"]
    # A very late redelivery of the purged event is older than the stored state: it changes nothing.
    assert anon.post(APPLE_URL, body, format="json").json()["outcome"] == "stale"
    assert Subscription.objects.get().state_signed_at == NOW
