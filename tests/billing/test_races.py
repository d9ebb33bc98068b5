"""Store deliveries at the same instant (real PostgreSQL, one connection each): the same event twice
is applied once; two states of one subscription end in the later-signed one, whoever commits last."""

from datetime import UTC, datetime, timedelta

import pytest
from rest_framework.test import APIClient

from billing.models import StoreEvent, Subscription
from tests.billing.fakes import apple_notification, apple_renewal, apple_transaction
from tests.concurrency import race
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

URL = "/api/v1/billing/app-store/notifications"
NOW = datetime.now(UTC).replace(microsecond=0)


def _body(pki, *, uuid: str, signed: datetime, expires: datetime, owner: str):
    transaction = apple_transaction(original_id="9000001", expires=expires, signed=signed, account_token=owner)
    renewal = apple_renewal(original_id="9000001", signed=signed)
    return apple_notification(pki, kind="DID_RENEW", signed=signed, transaction=transaction, renewal=renewal, uuid=uuid)


def _post(body):
    return lambda: APIClient().post(URL, body, format="json").json()["outcome"]


@pytest.mark.parametrize("attempt", range(5))
def test_one_event_delivered_twice_at_once_is_applied_once(attempt, apple):
    owner = str(UserFactory.create().pk)
    body = _body(apple, uuid=f"same-{attempt}", signed=NOW, expires=NOW + timedelta(days=30), owner=owner)
    outcomes = race(_post(body), _post(body))
    assert sorted(outcomes) == ["applied", "duplicate"]
    assert StoreEvent.objects.count() == 1
    assert Subscription.objects.count() == 1


@pytest.mark.parametrize("attempt", range(5))
def test_two_states_at_once_end_in_the_later_signed_one(attempt, apple):
    owner = str(UserFactory.create().pk)
    older = _body(apple, uuid="older", signed=NOW - timedelta(days=30), expires=NOW, owner=owner)
    newer = _body(apple, uuid="newer", signed=NOW, expires=NOW + timedelta(days=30), owner=owner)
    outcomes = race(_post(older), _post(newer))
    assert outcomes[1] == "applied"
    assert outcomes[0] in {"applied", "stale"}
    row = Subscription.objects.get()
    assert row.expires_at == NOW + timedelta(days=30)
    assert row.state_signed_at == NOW
