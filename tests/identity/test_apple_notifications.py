"""POST auth/apple/notifications: Apple's signed server-to-server events, verified and applied in order."""

import time

import pytest

from accounts.models import AuthSession, User
from identity.models import SocialIdentity
from tests.conftest import AppClient
from tests.factories import UserFactory
from tests.identity.fake_jwks import new_key

pytestmark = pytest.mark.django_db

NOTIFY = "/api/v1/auth/apple/notifications"
RELAY = "kim@privaterelay.appleid.com"


@pytest.fixture
def apple_user(db):
    user = UserFactory.create(email=RELAY)
    SocialIdentity.objects.create(user=user, provider="apple", subject="000123.abc", email=RELAY, email_verified=True)
    AppClient().sign_in(user)
    return user


def _send(anon, payload):
    return anon.post(NOTIFY, {"payload": payload}, format="json")


def test_email_disabled_then_enabled(anon, idp, apple_user):
    now_ms = int(time.time() * 1000)
    response = _send(anon, idp.apple_notification("email-disabled", email=RELAY, event_time_ms=now_ms))

    assert response.status_code == 200, response.content
    assert response.json() == {"result": "applied"}
    identity = SocialIdentity.objects.get()
    apple_user.refresh_from_db()
    assert (identity.email_forwarding, apple_user.email_verified) == (False, False)

    _send(anon, idp.apple_notification("email-enabled", email=RELAY, event_time_ms=now_ms + 1000))

    identity.refresh_from_db()
    apple_user.refresh_from_db()
    assert (identity.email_forwarding, apple_user.email_verified) == (True, True)


def test_an_older_event_arriving_late_changes_nothing(anon, idp, apple_user):
    now_ms = int(time.time() * 1000)
    _send(anon, idp.apple_notification("email-enabled", email=RELAY, event_time_ms=now_ms))

    late = _send(anon, idp.apple_notification("email-disabled", email=RELAY, event_time_ms=now_ms - 60_000))

    assert late.json() == {"result": "stale"}
    assert SocialIdentity.objects.get().email_forwarding is True


def test_consent_revoked_unlinks_and_signs_out(anon, idp, apple_user):
    assert _send(anon, idp.apple_notification("consent-revoked")).json() == {"result": "applied"}

    assert not SocialIdentity.objects.exists()
    assert not AuthSession.objects.filter(user=apple_user, revoked_at=None).exists()
    assert User.objects.filter(pk=apple_user.pk).exists()


def test_account_delete_deletes_an_account_apple_was_the_only_way_into(anon, idp, apple_user):
    apple_user.set_unusable_password()
    apple_user.save()

    assert _send(anon, idp.apple_notification("account-delete")).status_code == 200

    assert not User.objects.filter(pk=apple_user.pk).exists()


def test_account_delete_keeps_an_account_with_a_password(anon, idp, apple_user):
    _send(anon, idp.apple_notification("account-delete"))

    assert User.objects.filter(pk=apple_user.pk).exists()
    assert not SocialIdentity.objects.exists()


def test_unknown_subjects_and_types_are_acknowledged(anon, idp, apple_user):
    assert _send(anon, idp.apple_notification("consent-revoked", sub="someone-else")).json() == {"result": "ignored"}
    assert _send(anon, idp.apple_notification("new-kind-of-event")).json() == {"result": "ignored"}
    assert SocialIdentity.objects.exists()


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"key": "forged"}, "invalid_identity_token"),
        ({"extra": {"aud": "com.other.app"}}, "invalid_audience"),
        ({"extra": {"iss": "https://evil.example.com"}}, "invalid_issuer"),
        ({"extra": {"exp": 1}}, "identity_token_expired"),
        ({"extra": {"events": "not json"}}, "invalid_identity_token"),
    ],
)
def test_unsigned_or_foreign_notifications_are_refused(anon, idp, apple_user, expect_error, change, code):
    kwargs = dict(change)
    if kwargs.get("key") == "forged":
        kwargs["key"] = new_key()
    expect_error(_send(anon, idp.apple_notification("consent-revoked", **kwargs)), 401, code)
    assert SocialIdentity.objects.exists()


def test_notifications_are_rate_limited(anon, idp, apple_user, settings, expect_error):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "apple_notifications": "1/60"}
    _send(anon, "x")
    expect_error(_send(anon, idp.apple_notification("consent-revoked")), 429, "rate_limited")


def test_account_delete_of_a_paired_account_ends_the_couple_like_delete_me(anon, idp, apple_user):
    from couples.models import Couple
    from tests.factories import pair

    apple_user.set_unusable_password()
    apple_user.save()
    partner = UserFactory.create()
    couple = pair(apple_user, partner)

    _send(anon, idp.apple_notification("account-delete"))

    couple.refresh_from_db()
    assert couple.status == Couple.Status.ENDED
    assert User.objects.filter(pk=partner.pk).exists()
