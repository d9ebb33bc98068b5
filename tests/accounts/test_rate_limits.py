"""Rate limits on the public auth endpoints: atomic counters in Redis, keyed on a client IP that a
client cannot choose, and on the account where it applies."""

import time
from collections.abc import Iterator

import pytest
import redis
from django.conf import settings
from django.core import mail
from django.test import RequestFactory
from rest_framework.test import APIClient

from accounts.models import AuthSession, User
from accounts.services.account import password_reset_link_parts
from config.api.client_ip import client_ip
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

REGISTER = "/api/v1/auth/register"
TOKEN = "/api/v1/auth/token"
REFRESH = "/api/v1/auth/token/refresh"
RESET = "/api/v1/auth/password/reset"
CONFIRM = "/api/v1/auth/password/reset/confirm"
PROXY = "10.0.0.2"


@pytest.fixture(autouse=True)
def _start_of_a_window(time_machine) -> None:
    """Every limit's fixed window starts on the hour: begin just after one, so no test straddles two."""
    next_hour = (int(time.time()) // 3600 + 1) * 3600
    time_machine.move_to(next_hour + 1, tick=True)


@pytest.fixture
def limits(settings):
    """Sets some limits, leaving the others as configured."""

    def set_limits(**rates: str) -> None:
        settings.RATE_LIMITS = {**settings.RATE_LIMITS, **rates}

    return set_limits


@pytest.fixture
def redis_client() -> Iterator[redis.Redis]:
    """A connection of its own to the Redis database the cache uses, as another web process has."""
    client = redis.Redis.from_url(settings.REDIS_URL)
    yield client
    client.close()


def _from(ip: str, xff: str | None = None) -> APIClient:
    client = APIClient(REMOTE_ADDR=ip)
    if xff is not None:
        client.credentials(HTTP_X_FORWARDED_FOR=xff)
    return client


def _assert_rate_limited(response, expect_error, period: int) -> None:
    error = expect_error(response, 429, "rate_limited")
    assert isinstance(error["retry_after"], int)
    assert 0 < error["retry_after"] <= period
    assert response["Retry-After"] == str(error["retry_after"])


# --- Each endpoint ----------------------------------------------------------------------------------


def test_register_is_limited_per_ip(limits, expect_error):
    limits(register="3/3600")
    client = _from("203.0.113.10")
    for _ in range(3):
        assert client.post(REGISTER, {}, format="json").status_code == 400

    response = client.post(REGISTER, {"email": "new@example.com", "password": "lantern-orchard-42"}, format="json")

    _assert_rate_limited(response, expect_error, 3600)
    assert not User.objects.exists()
    assert _from("203.0.113.11").post(REGISTER, {}, format="json").status_code == 400


def test_token_is_limited_per_ip(limits, expect_error, me_user):
    limits(token="3/300")
    client = _from("203.0.113.10")
    for n in range(3):
        response = client.post(TOKEN, {"email": f"guess{n}@example.com", "password": PASSWORD}, format="json")
        assert response.status_code == 401

    response = client.post(TOKEN, {"email": me_user.email, "password": PASSWORD}, format="json")

    _assert_rate_limited(response, expect_error, 300)
    assert not AuthSession.objects.exists()


def test_token_is_limited_per_email_whatever_the_ip(limits, expect_error, me_user):
    limits(token_email="2/300")
    for n, email in enumerate(["me@example.com", "ME@Example.com"]):
        response = _from(f"198.51.100.{n}").post(TOKEN, {"email": email, "password": "wrong-guess-1"}, format="json")
        assert response.status_code == 401

    response = _from("198.51.100.99").post(TOKEN, {"email": me_user.email, "password": PASSWORD}, format="json")

    _assert_rate_limited(response, expect_error, 300)
    assert not AuthSession.objects.exists()
    other = UserFactory.create(email="other@example.com")
    response = _from("198.51.100.0").post(TOKEN, {"email": other.email, "password": PASSWORD}, format="json")
    assert response.status_code == 200


def test_refresh_is_limited_per_ip(limits, expect_error, me):
    limits(refresh="2/300")
    client = _from("203.0.113.10")
    for _ in range(2):
        assert client.post(REFRESH, {"refresh": "garbage"}, format="json").status_code == 401
    current_before = AuthSession.objects.get().current_refresh_id

    response = client.post(REFRESH, {"refresh": me.tokens.refresh}, format="json")

    _assert_rate_limited(response, expect_error, 300)
    assert AuthSession.objects.get().current_refresh_id == current_before


def test_password_reset_is_limited_per_ip(limits, expect_error, me_user, django_capture_on_commit_callbacks):
    limits(password_reset="2/3600")
    client = _from("203.0.113.10")
    for n in range(2):
        assert client.post(RESET, {"email": f"someone{n}@example.com"}, format="json").status_code == 202

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(RESET, {"email": me_user.email}, format="json")

    _assert_rate_limited(response, expect_error, 3600)
    assert mail.outbox == []


def test_password_reset_is_limited_per_email_whatever_the_ip(
    limits, expect_error, me_user, django_capture_on_commit_callbacks
):
    limits(password_reset_email="2/3600")
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(2):
            assert _from(f"198.51.100.{n}").post(RESET, {"email": me_user.email}, format="json").status_code == 202

        response = _from("198.51.100.99").post(RESET, {"email": me_user.email.upper()}, format="json")

    _assert_rate_limited(response, expect_error, 3600)
    assert len(mail.outbox) == 2


def test_password_reset_confirm_is_limited_per_ip(limits, expect_error, me_user):
    limits(password_reset_confirm="2/3600")
    uid, token = password_reset_link_parts(me_user)
    client = _from("203.0.113.10")
    for _ in range(2):
        response = client.post(CONFIRM, {"uid": uid, "token": "1-" + "0" * 32, "new_password": "x"}, format="json")
        assert response.status_code == 400

    response = client.post(CONFIRM, {"uid": uid, "token": token, "new_password": "lantern-orchard-42"}, format="json")

    _assert_rate_limited(response, expect_error, 3600)
    me_user.refresh_from_db()
    assert me_user.check_password(PASSWORD)


def test_each_scope_counts_separately(limits, expect_error):
    limits(register="1/3600", token="1/300")
    client = _from("203.0.113.10")
    assert client.post(REGISTER, {}, format="json").status_code == 400
    _assert_rate_limited(client.post(REGISTER, {}, format="json"), expect_error, 3600)

    response = client.post(TOKEN, {"email": "a@example.com", "password": PASSWORD}, format="json")

    assert response.status_code == 401


def test_the_limit_resets_in_the_next_window(limits, expect_error, time_machine):
    limits(register="1/300")
    client = _from("203.0.113.10")
    assert client.post(REGISTER, {}, format="json").status_code == 400
    _assert_rate_limited(client.post(REGISTER, {}, format="json"), expect_error, 300)

    time_machine.shift(300)

    assert client.post(REGISTER, {}, format="json").status_code == 400


# --- Which client a request comes from --------------------------------------------------------------


def test_a_spoofed_forwarded_for_does_not_reset_the_counter_without_a_trusted_proxy(settings, limits, expect_error):
    settings.TRUSTED_PROXY_COUNT = 0
    limits(register="2/3600")
    for n in range(2):
        response = _from("203.0.113.10", xff=f"192.0.2.{n}").post(REGISTER, {}, format="json")
        assert response.status_code == 400

    response = _from("203.0.113.10", xff="192.0.2.200").post(REGISTER, {}, format="json")

    _assert_rate_limited(response, expect_error, 3600)


def test_behind_one_proxy_each_real_client_has_its_own_counter(settings, limits, expect_error):
    settings.TRUSTED_PROXY_COUNT = 1
    limits(register="2/3600")
    for _ in range(2):
        assert _from(PROXY, xff="203.0.113.7").post(REGISTER, {}, format="json").status_code == 400
    _assert_rate_limited(_from(PROXY, xff="203.0.113.7").post(REGISTER, {}, format="json"), expect_error, 3600)

    response = _from(PROXY, xff="198.51.100.8").post(REGISTER, {}, format="json")

    assert response.status_code == 400


def test_behind_one_proxy_entries_the_client_wrote_do_not_change_its_counter(settings, limits, expect_error):
    settings.TRUSTED_PROXY_COUNT = 1
    limits(register="2/3600")
    # The proxy appends the address it saw; everything left of it came from the client.
    for spoofed in ("1.1.1.1", "2.2.2.2, 3.3.3.3"):
        response = _from(PROXY, xff=f"{spoofed}, 203.0.113.7").post(REGISTER, {}, format="json")
        assert response.status_code == 400

    response = _from(PROXY, xff="4.4.4.4, 203.0.113.7").post(REGISTER, {}, format="json")

    _assert_rate_limited(response, expect_error, 3600)


# --- Where the counters live ------------------------------------------------------------------------


def test_counters_live_in_redis_with_the_window_as_expiry(limits, redis_client):
    limits(register="5/3600")
    for _ in range(3):
        _from("203.0.113.10").post(REGISTER, {}, format="json")

    keys = list(redis_client.scan_iter(match="*ratelimit:register:*"))

    assert len(keys) == 1
    assert redis_client.get(keys[0]) == b"3"
    assert 0 < redis_client.ttl(keys[0]) <= 3601
    # Neither the IP nor anything else readable is stored in clear.
    assert b"203.0.113.10" not in keys[0]


def test_attempts_counted_by_another_process_count_here(limits, expect_error, redis_client):
    limits(register="3/3600")
    client = _from("203.0.113.10")
    assert client.post(REGISTER, {}, format="json").status_code == 400
    (key,) = redis_client.scan_iter(match="*ratelimit:register:*")

    redis_client.incrby(key, 2)  # two attempts served by another web process

    _assert_rate_limited(client.post(REGISTER, {}, format="json"), expect_error, 3600)


# --- client_ip --------------------------------------------------------------------------------------


@pytest.fixture
def rf_request():
    def build(remote: str = "203.0.113.10", xff: str | None = None):
        request = RequestFactory().get("/", REMOTE_ADDR=remote)
        if xff is not None:
            request.META["HTTP_X_FORWARDED_FOR"] = xff
        return request

    return build


def test_client_ip_ignores_forwarded_for_without_trusted_proxies(settings, rf_request):
    settings.TRUSTED_PROXY_COUNT = 0

    assert client_ip(rf_request(xff="192.0.2.1")) == "203.0.113.10"


@pytest.mark.parametrize(
    ("proxies", "xff", "expected"),
    [
        pytest.param(1, "198.51.100.7", "198.51.100.7", id="one-proxy"),
        pytest.param(1, "192.0.2.1, 198.51.100.7", "198.51.100.7", id="one-proxy-spoofed-left"),
        pytest.param(1, "192.0.2.1,198.51.100.7 ", "198.51.100.7", id="one-proxy-no-spaces"),
        pytest.param(2, "192.0.2.1, 198.51.100.7, 10.0.0.3", "198.51.100.7", id="two-proxies"),
        pytest.param(1, "2001:DB8::0:1", "2001:db8::1", id="ipv6-normalised"),
    ],
)
def test_client_ip_takes_the_entry_the_outermost_trusted_proxy_wrote(settings, rf_request, proxies, xff, expected):
    settings.TRUSTED_PROXY_COUNT = proxies

    assert client_ip(rf_request(remote=PROXY, xff=xff)) == expected


@pytest.mark.parametrize(
    ("proxies", "xff"),
    [
        pytest.param(1, None, id="no-header"),
        pytest.param(1, "", id="empty-header"),
        pytest.param(1, " , ", id="only-separators"),
        pytest.param(2, "198.51.100.7", id="fewer-entries-than-proxies"),
        pytest.param(1, "not-an-ip", id="garbage"),
    ],
)
def test_client_ip_falls_back_to_the_peer_address(settings, rf_request, proxies, xff):
    settings.TRUSTED_PROXY_COUNT = proxies

    assert client_ip(rf_request(remote=PROXY, xff=xff)) == PROXY


def test_client_ip_without_a_peer_address_is_a_fixed_key(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    request = RequestFactory().get("/")
    request.META.pop("REMOTE_ADDR")

    assert client_ip(request) == "unknown"
