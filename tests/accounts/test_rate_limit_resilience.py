"""Rate limits when Redis is unreachable, and how client addresses are grouped."""

import pytest
from django.test import RequestFactory

from config.api.ratelimit import client_identity

pytestmark = pytest.mark.django_db

DEAD_REDIS = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
}


@pytest.fixture
def redis_down(settings):
    # Django's setting_changed handler rebuilds the cache connections for the new CACHES.
    settings.CACHES = DEAD_REDIS


def test_sign_in_fails_closed_with_a_clear_503_when_redis_is_down(anon, me_user, redis_down):
    response = anon.post("/api/v1/auth/token", {"email": "me@example.com", "password": "whatever-password"})

    assert response.status_code == 503
    assert response.json()["error"]["code"] == "rate_limiter_unavailable"


def test_refresh_keeps_phones_signed_in_when_redis_is_down(me, redis_down):
    response = me.post("/api/v1/auth/token/refresh", {"refresh": me.tokens.refresh})

    assert response.status_code == 200
    assert response.json()["refresh"] != me.tokens.refresh


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
