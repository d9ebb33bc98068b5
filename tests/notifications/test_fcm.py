"""The FCM provider at its HTTP boundary: what it sends, how it reads FCM's answers, its connections
and its OAuth2 access token, all against the fake FCM server on loopback (which is also the token
endpoint of a throwaway service account)."""

import json
from datetime import timedelta

import pytest
import time_machine
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.utils import timezone

from accounts.models import Device
from notifications import delivery
from notifications.models import Notification
from notifications.push import Outcome, PushMessage, get_provider
from tests.factories import DeviceFactory, UserFactory


def _message(token="phone-token", collapse_id="note-1", body="Your ritual starts now.") -> PushMessage:  # noqa: S107
    return PushMessage(
        token=token, title="Evening walk", body=body, data={"kind": "ritual_reminder"}, collapse_id=collapse_id
    )


def test_the_request_body_is_the_fcm_v1_message_firebase_admin_sent(fcm):
    results = get_provider().send([_message(), _message(token="other", collapse_id="", body="")])

    assert [r.outcome for r in results] == [Outcome.DELIVERED, Outcome.DELIVERED]
    assert fcm.received[0] == {
        "message": {
            "token": "phone-token",
            "notification": {"title": "Evening walk", "body": "Your ritual starts now."},
            "data": {"kind": "ritual_reminder"},
            "android": {"collapse_key": "note-1", "priority": "high"},
            "apns": {"headers": {"apns-collapse-id": "note-1"}},
        }
    }
    # No collapse id, no body: both left out, as firebase-admin left out empty fields.
    assert fcm.received[1] == {
        "message": {
            "token": "other",
            "notification": {"title": "Evening walk"},
            "data": {"kind": "ritual_reminder"},
            "android": {"priority": "high"},
        }
    }


@pytest.mark.parametrize(
    ("token", "outcome"),
    [
        ("unregistered-1", Outcome.TOKEN_INVALID),
        ("invalid-1", Outcome.TOKEN_INVALID),
        ("senderid-1", Outcome.TOKEN_INVALID),
        ("denied-1", Outcome.FAILED),
        ("unavailable-1", Outcome.RETRY),
        ("quota-1", Outcome.RETRY),
        ("error500-1", Outcome.RETRY),
        ("drop-1", Outcome.RETRY),
    ],
)
def test_fcm_errors_map_to_outcomes(fcm, token, outcome):
    [result] = get_provider().send([_message(token=token)])

    assert result.outcome is outcome
    assert result.error
    assert result.retry_after is None


def test_one_failing_message_does_not_affect_the_others_of_the_send(fcm):
    results = get_provider().send([_message("a"), _message("drop-b"), _message("unregistered-c"), _message("d")])

    assert [r.outcome for r in results] == [Outcome.DELIVERED, Outcome.RETRY, Outcome.TOKEN_INVALID, Outcome.DELIVERED]


@pytest.mark.django_db
def test_retry_after_is_passed_on_and_delays_the_retry(fcm):
    [result] = get_provider().send([_message(token="overloaded-1")])
    assert result.outcome is Outcome.RETRY
    assert result.retry_after == 120

    user = UserFactory.create()
    DeviceFactory.create(user=user, push_token="overloaded-2")
    note = Notification.objects.create(recipient=user, kind=Notification.Kind.NUDGE, title="Hi", dedupe_key="n1")
    with time_machine.travel(timezone.now(), tick=False):
        delivery.deliver([str(note.id)])
        note.refresh_from_db()
        assert note.push_state == Notification.PushState.PENDING
        assert note.push_not_before is not None
        # Backoff alone would allow at most PUSH_RETRY_BASE_SECONDS (30 s) on a first failure.
        assert note.push_not_before - timezone.now() >= timedelta(seconds=120)


def test_a_request_without_an_answer_in_time_is_retried_later(fcm, settings):
    settings.FCM_TIMEOUT_SECONDS = 0.3
    get_provider.cache_clear()

    results = get_provider().send([_message(token="slow-1"), _message(token="fine")])

    assert results[0].outcome is Outcome.RETRY
    assert "no answer within" in results[0].error
    assert results[1].outcome is Outcome.DELIVERED


def test_connections_are_kept_alive_between_sends(fcm):
    provider = get_provider()
    batch = [_message(token=f"phone-{n}", collapse_id=f"n{n}") for n in range(10)]

    provider.send(batch)
    provider.send(batch)

    assert len(fcm.received) == 20
    assert fcm.connections_opened == 10


def test_a_keep_alive_connection_the_server_closed_is_replaced_without_a_failure(fcm):
    provider = get_provider()
    provider.send([_message()])
    fcm.close_connections()

    [result] = provider.send([_message()])

    assert result.outcome is Outcome.DELIVERED
    assert len(fcm.received) == 2
    assert fcm.connections_opened == 2


@pytest.fixture
def service_account(fcm, settings, tmp_path):
    """A service account whose token endpoint is the fake server; the provider signs in with it."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    info = {
        "type": "service_account",
        "project_id": "couples-test",
        "private_key_id": "test-key",
        "private_key": pem.decode(),
        "client_email": "push@couples-test.iam.gserviceaccount.com",
        "client_id": "1",
        "token_uri": f"{fcm.url}/token",
    }
    path = tmp_path / "service-account.json"
    path.write_text(json.dumps(info))
    settings.FCM_CREDENTIALS_FILE = str(path)
    get_provider.cache_clear()
    return path


def test_the_access_token_is_fetched_once_and_reused(fcm, service_account):
    provider = get_provider()

    provider.send([_message("a"), _message("b")])
    provider.send([_message("c")])

    assert fcm.access_tokens_issued == 1
    assert fcm.authorizations == {"Bearer fake-access-1": 3}


def test_the_access_token_is_renewed_before_it_expires(fcm, service_account):
    provider = get_provider()
    provider.send([_message("a")])

    # google-auth counts a token as expired a few minutes before its end.
    with time_machine.travel(timezone.now() + timedelta(seconds=fcm.token_lifetime - 60)):
        provider.send([_message("b")])

    assert fcm.access_tokens_issued == 2
    assert fcm.authorizations == {"Bearer fake-access-1": 1, "Bearer fake-access-2": 1}


def test_a_refused_access_token_is_replaced_and_the_push_retried(fcm, service_account):
    provider = get_provider()
    provider.send([_message("a")])
    fcm.refused_access_tokens.add("fake-access-1")  # revoked at Google

    [refused] = provider.send([_message("b")])
    [accepted] = provider.send([_message("b")])

    assert refused.outcome is Outcome.RETRY
    assert "UNAUTHENTICATED" in refused.error
    assert accepted.outcome is Outcome.DELIVERED
    assert fcm.access_tokens_issued == 2


@pytest.mark.django_db
def test_an_unregistered_token_at_google_deactivates_only_that_device(fcm, service_account):
    user = UserFactory.create()
    DeviceFactory.create(user=user, push_token="unregistered-old")
    DeviceFactory.create(user=user, push_token="new")
    note = Notification.objects.create(recipient=user, kind=Notification.Kind.NUDGE, title="Hi", dedupe_key="n1")

    assert delivery.deliver([str(note.id)]) == {"sent": 1}

    assert list(Device.objects.filter(is_active=True).values_list("push_token", flat=True)) == ["new"]
