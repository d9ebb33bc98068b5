"""Rate limits when Redis is unreachable, and how client addresses are grouped.

With Redis down, sign-in, sign-up, password reset and couple/join keep working: their attempts are
counted in process memory (the fallback limiter, config/api/ratelimit.py), and a warning is logged.
"""

import logging

import pytest
from django.core import mail
from django.test import RequestFactory

from config.api import ratelimit
from config.api.ratelimit import client_identity
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

DEAD_REDIS = {"default": {"BACKEND": "config.cache.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}}


@pytest.fixture
def redis_down(settings):
    # Django's setting_changed handler rebuilds the cache connections for the new CACHES.
    settings.CACHES = DEAD_REDIS


def test_sign_in_keeps_working_when_redis_is_down_and_says_so_in_the_log(anon, me_user, redis_down, caplog):
    with caplog.at_level(logging.WARNING, logger="config.api.ratelimit"):
        response = anon.post("/api/v1/auth/token", {"email": "me@example.com", "password": PASSWORD})

    assert response.status_code == 200
    assert response.json()["access"]
    assert "counting in process memory" in caplog.text


def test_register_reset_and_join_keep_working_when_redis_is_down(anon, me_user, loner, redis_down):
    registered = anon.post(
        "/api/v1/auth/register", {"email": "new@example.com", "password": "a-long-enough-passphrase"}
    )
    reset = anon.post("/api/v1/auth/password/reset", {"email": "me@example.com"})
    invite = loner.post("/api/v1/couple/invites").json()
    joiner = UserFactory.create(email="joiner@example.com")
    from tests.conftest import AppClient

    joined = AppClient().sign_in(joiner).post("/api/v1/couple/join", {"code": invite["code"]})

    assert (registered.status_code, reset.status_code, joined.status_code) == (201, 202, 201)


def test_the_fallback_still_enforces_the_limits(anon, me_user, redis_down, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "token_email": "2/300"}
    attempts = [
        anon.post("/api/v1/auth/token", {"email": "me@example.com", "password": "wrong-password"}).status_code
        for _ in range(3)
    ]

    assert attempts == [401, 401, 429]


def test_after_a_failure_redis_is_asked_again_a_few_seconds_later(anon, me_user, redis_down):
    anon.post("/api/v1/auth/token", {"email": "me@example.com", "password": PASSWORD})
    now = ratelimit.time.time()

    assert ratelimit._fallback.is_active(now)
    assert not ratelimit._fallback.is_active(now + ratelimit.REDIS_RETRY_SECONDS + 1)


def test_refresh_keeps_phones_signed_in_when_redis_is_down(me, redis_down):
    response = me.post("/api/v1/auth/token/refresh", {"refresh": me.tokens.refresh})

    assert response.status_code == 200
    assert response.json()["refresh"] != me.tokens.refresh


def test_a_reset_email_requested_during_the_outage_is_sent(
    anon, me_user, redis_down, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert anon.post("/api/v1/auth/password/reset", {"email": "me@example.com"}).status_code == 202

    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    ("remote", "identity"),
    [
        ("203.0.113.7", "203.0.113.7"),
        ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff::9", "2001:db8:1:2::/64"),
        ("::ffff:198.51.100.4", "198.51.100.4"),
    ],
)
def test_ipv6_clients_are_counted_per_64_block(remote, identity):
    request = RequestFactory().get("/", REMOTE_ADDR=remote)
    assert client_identity(request) == identity
