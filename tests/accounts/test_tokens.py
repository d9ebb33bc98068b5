"""Token hygiene: what a token can and cannot do, login, refresh rotation with its grace window."""

import threading
import time
import uuid
from datetime import timedelta

import jwt
import pytest
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from accounts.models import AuthSession, User
from accounts.services.account import user_deactivate
from tests.conftest import AppClient
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

ME = "/api/v1/me"
TOKEN = "/api/v1/auth/token"
REFRESH = "/api/v1/auth/token/refresh"
LOGOUT = "/api/v1/auth/logout"
LOGOUT_ALL = "/api/v1/auth/logout-all"
ACCESS_LIFETIME = timedelta(minutes=10)
GRACE = timedelta(seconds=settings.JWT_REFRESH_GRACE_SECONDS)


def _claims(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


def _refresh(token: str):
    return APIClient().post(REFRESH, {"refresh": token}, format="json")


def _assert_me_works(bearer, access: str) -> None:
    response = bearer(access).get(ME)
    assert response.status_code == 200, response.content


# --- Forged and misused access tokens ------------------------------------------------------------


def test_a_token_with_a_corrupted_signature_is_refused(me, bearer, expect_error, jwt_tool):
    forged = jwt_tool.with_corrupted_signature(me.tokens.access)

    expect_error(bearer(forged).get(ME), 401, "token_not_valid")
    _assert_me_works(bearer, me.tokens.access)


def test_a_token_verified_before_does_not_vouch_for_a_corrupted_copy(me, bearer, expect_error, jwt_tool):
    # Verified tokens are remembered by their exact bytes (SessionJWTAuthentication.get_validated_token).
    _assert_me_works(bearer, me.tokens.access)
    _assert_me_works(bearer, me.tokens.access)

    expect_error(bearer(jwt_tool.with_corrupted_signature(me.tokens.access)).get(ME), 401, "token_not_valid")


def test_claims_rewritten_under_the_original_signature_are_refused(me, stranger, bearer, expect_error, jwt_tool):
    stranger_claims = jwt_tool.claims(stranger.tokens.access)
    forged = jwt_tool.with_claims(me.tokens.access, user_id=stranger_claims["user_id"], sid=stranger_claims["sid"])

    expect_error(bearer(forged).get(ME), 401, "token_not_valid")


def test_an_alg_none_token_is_refused(me, bearer, expect_error, jwt_tool):
    forged = jwt_tool.unsigned(jwt_tool.claims(me.tokens.access))
    assert jwt_tool.header(forged)["alg"] == "none"
    assert forged.endswith(".")

    expect_error(bearer(forged).get(ME), 401, "token_not_valid")


def test_a_token_signed_with_another_key_is_refused(me, bearer, expect_error, jwt_tool):
    forged = jwt.encode(jwt_tool.claims(me.tokens.access), "another-key-" + "x" * 40, algorithm="HS256")

    expect_error(bearer(forged).get(ME), 401, "token_not_valid")


def test_an_access_token_works_until_it_expires(me, bearer, expect_error, time_machine):
    time_machine.move_to(timezone.now() + ACCESS_LIFETIME - timedelta(seconds=5), tick=False)
    _assert_me_works(bearer, me.tokens.access)

    time_machine.shift(timedelta(seconds=6))

    expect_error(bearer(me.tokens.access).get(ME), 401, "token_not_valid")


def test_a_refresh_token_is_not_an_access_token(me, bearer, expect_error):
    expect_error(bearer(me.tokens.refresh).get(ME), 401, "token_not_valid")


def test_an_access_token_is_not_a_refresh_token(me, bearer, expect_error, session_of):
    expect_error(_refresh(me.tokens.access), 401, "token_not_valid")

    assert session_of(me.tokens.access).revoked_at is None
    _assert_me_works(bearer, me.tokens.access)


def test_a_request_without_a_token_is_401(anon, expect_error):
    expect_error(anon.get(ME), 401, "not_authenticated")


# --- Sessions that end -----------------------------------------------------------------------------


def test_logout_ends_this_session_only(me, me_user, bearer, expect_error, session_of):
    other_install = AppClient().sign_in(me_user)

    response = me.post(LOGOUT)

    assert response.status_code == 204
    expect_error(bearer(me.tokens.access).get(ME), 401, "session_ended")
    expect_error(_refresh(me.tokens.refresh), 401, "token_not_valid")
    session = session_of(me.tokens.access)
    assert session.revoked_at is not None
    assert BlacklistedToken.objects.filter(token__jti=session.current_refresh.jti).exists()
    _assert_me_works(bearer, other_install.tokens.access)


def test_logout_all_from_another_session_ends_every_session_of_the_user(me, me_user, stranger, bearer, expect_error):
    other_install = AppClient().sign_in(me_user)

    response = other_install.post(LOGOUT_ALL)

    assert response.status_code == 204
    for client in (me, other_install):
        expect_error(bearer(client.tokens.access).get(ME), 401, "session_ended")
        expect_error(_refresh(client.tokens.refresh), 401, "token_not_valid")
    assert not AuthSession.objects.filter(user=me_user, revoked_at__isnull=True).exists()
    _assert_me_works(bearer, stranger.tokens.access)


def test_a_password_change_ends_the_older_sessions(me, me_user, bearer, expect_error):
    other_install = AppClient().sign_in(me_user)

    response = me.post(
        "/api/v1/auth/password/change",
        {"current_password": PASSWORD, "new_password": "a-brand-new-passphrase-7"},
        format="json",
    )

    assert response.status_code == 200, response.content
    for client in (me, other_install):
        expect_error(bearer(client.tokens.access).get(ME), 401, "session_ended")
        expect_error(_refresh(client.tokens.refresh), 401, "token_not_valid")
    _assert_me_works(bearer, response.json()["access"])


def test_deactivation_ends_every_session(me, me_user, bearer, expect_error):
    user_deactivate(user=me_user)

    expect_error(bearer(me.tokens.access).get(ME), 401, "session_ended")
    expect_error(_refresh(me.tokens.refresh), 401, "token_not_valid")
    assert not AuthSession.objects.filter(user=me_user, revoked_at__isnull=True).exists()


def test_account_deletion_ends_every_session(me, me_user, bearer, expect_error):
    other_install = AppClient().sign_in(me_user)

    response = me.delete(ME, {"password": PASSWORD}, format="json")

    assert response.status_code == 204, response.content
    assert not User.objects.filter(id=me_user.id).exists()
    assert not OutstandingToken.objects.filter(jti=_claims(me.tokens.refresh)["jti"]).exists()
    for client in (me, other_install):
        expect_error(bearer(client.tokens.access).get(ME), 401, "session_ended")
        expect_error(_refresh(client.tokens.refresh), 401, "token_not_valid")


# --- Login ------------------------------------------------------------------------------------------


def test_login_returns_a_working_pair_for_any_case_of_the_email(anon, me_user, bearer, session_of):
    response = anon.post(TOKEN, {"email": "ME@Example.com", "password": PASSWORD}, format="json")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["token_type"] == "Bearer"
    _assert_me_works(bearer, body["access"])
    session = session_of(body["access"])
    assert session.user_id == me_user.id
    assert session.revoked_at is None
    assert session.current_refresh.token == body["refresh"]


@pytest.mark.parametrize("case", ["wrong-password", "unknown-email", "inactive-user"])
def test_login_failures_are_indistinguishable(anon, case):
    UserFactory.create(email="active@example.com")
    UserFactory.create(email="inactive@example.com", is_active=False)
    credentials = {
        "wrong-password": {"email": "active@example.com", "password": "not-the-password-1"},
        "unknown-email": {"email": "nobody@example.com", "password": PASSWORD},
        "inactive-user": {"email": "inactive@example.com", "password": PASSWORD},
    }[case]

    response = anon.post(TOKEN, credentials, format="json")

    assert response.status_code == 401
    assert response.json() == {"error": {"code": "invalid_credentials", "message": "E-mail or password is incorrect."}}
    assert not AuthSession.objects.exists()
    assert not OutstandingToken.objects.exists()


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        pytest.param({}, {"email": ["required"], "password": ["required"]}, id="missing"),
        pytest.param({"email": 42, "password": PASSWORD}, {"email": ["invalid"]}, id="email-as-number"),
        pytest.param({"email": "me@example.com", "password": [PASSWORD]}, {"password": ["invalid"]}, id="pw-list"),
        pytest.param([{"email": "me@example.com"}], {"non_field_errors": ["invalid"]}, id="array-body"),
    ],
)
def test_login_with_bad_input_is_a_validation_error(anon, me_user, expect_error, field_codes, body, fields):
    error = expect_error(anon.post(TOKEN, body, format="json"), 400, "validation_error")

    assert field_codes(error) == fields
    assert not AuthSession.objects.exists()


# --- Refresh rotation -------------------------------------------------------------------------------


def test_refresh_rotates_the_pair_and_blacklists_the_used_token(me, bearer, jwt_tool, session_of):
    old_jti = jwt_tool.claims(me.tokens.refresh)["jti"]

    response = _refresh(me.tokens.refresh)

    assert response.status_code == 200, response.content
    pair = response.json()
    assert pair["refresh"] != me.tokens.refresh
    assert pair["access"] != me.tokens.access
    assert jwt_tool.claims(pair["refresh"])["sid"] == jwt_tool.claims(me.tokens.refresh)["sid"]
    assert BlacklistedToken.objects.filter(token__jti=old_jti).exists()
    session = session_of(pair["access"])
    assert session.current_refresh.jti == jwt_tool.claims(pair["refresh"])["jti"]
    assert session.previous_refresh_jti == old_jti
    _assert_me_works(bearer, pair["access"])
    assert _refresh(pair["refresh"]).status_code == 200


def test_a_lost_refresh_response_is_recovered_within_the_grace_window(me, bearer, time_machine, session_of):
    time_machine.move_to(timezone.now(), tick=False)
    first = _refresh(me.tokens.refresh).json()
    outstanding_before = OutstandingToken.objects.count()
    time_machine.shift(GRACE - timedelta(seconds=1))

    response = _refresh(me.tokens.refresh)

    assert response.status_code == 200, response.content
    again = response.json()
    assert again["refresh"] == first["refresh"]
    assert OutstandingToken.objects.count() == outstanding_before
    _assert_me_works(bearer, again["access"])
    assert session_of(again["access"]).revoked_at is None
    # The successor is still the one token of the family that rotates.
    assert _refresh(first["refresh"]).status_code == 200


def test_reusing_a_rotated_refresh_after_the_grace_window_revokes_the_session(
    me, bearer, expect_error, time_machine, session_of
):
    time_machine.move_to(timezone.now(), tick=False)
    successor = _refresh(me.tokens.refresh).json()
    time_machine.shift(GRACE + timedelta(seconds=1))

    expect_error(_refresh(me.tokens.refresh), 401, "token_not_valid")

    assert session_of(me.tokens.access).revoked_at is not None
    expect_error(bearer(successor["access"]).get(ME), 401, "session_ended")
    expect_error(_refresh(successor["refresh"]), 401, "token_not_valid")


def test_reusing_an_older_refresh_revokes_the_session_even_inside_the_grace_window(
    me, bearer, expect_error, session_of
):
    second = _refresh(me.tokens.refresh).json()
    third = _refresh(second["refresh"]).json()

    expect_error(_refresh(me.tokens.refresh), 401, "token_not_valid")

    assert session_of(third["access"]).revoked_at is not None
    expect_error(bearer(third["access"]).get(ME), 401, "session_ended")


def test_an_expired_refresh_token_is_refused(me, expect_error, time_machine):
    time_machine.move_to(timezone.now() + settings.SIMPLE_JWT["REFRESH_TOKEN_LIFETIME"] + timedelta(seconds=1))

    expect_error(_refresh(me.tokens.refresh), 401, "token_not_valid")


@pytest.mark.parametrize("forgery", ["corrupted-signature", "alg-none", "other-key", "extended-expiry"])
def test_a_forged_refresh_token_neither_mints_tokens_nor_ends_the_session(
    me, bearer, expect_error, jwt_tool, session_of, forgery
):
    claims = jwt_tool.claims(me.tokens.refresh)
    forged = {
        "corrupted-signature": lambda: jwt_tool.with_corrupted_signature(me.tokens.refresh),
        "alg-none": lambda: jwt_tool.unsigned(claims),
        "other-key": lambda: jwt.encode(claims, "another-key-" + "x" * 40, algorithm="HS256"),
        "extended-expiry": lambda: jwt_tool.with_claims(me.tokens.refresh, exp=claims["exp"] + 86400 * 365),
    }[forgery]()
    outstanding_before = OutstandingToken.objects.count()

    expect_error(_refresh(forged), 401, "token_not_valid")

    assert OutstandingToken.objects.count() == outstanding_before
    assert session_of(me.tokens.access).revoked_at is None
    _assert_me_works(bearer, me.tokens.access)
    assert _refresh(me.tokens.refresh).status_code == 200


def test_a_forged_refresh_with_a_random_jti_cannot_log_a_victim_out(me, bearer, expect_error, jwt_tool, session_of):
    # Someone who saw only the access token knows the session id; a forged "rotated" refresh for it
    # must not trigger the theft response.
    claims = {**jwt_tool.claims(me.tokens.refresh), "jti": uuid.uuid4().hex}
    forged = jwt_tool.unsigned(claims)

    expect_error(_refresh(forged), 401, "token_not_valid")

    assert session_of(me.tokens.access).revoked_at is None
    _assert_me_works(bearer, me.tokens.access)


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        pytest.param({"refresh": "garbage"}, 401, "token_not_valid", id="not-a-jwt"),
        pytest.param({"refresh": "a.b.c"}, 401, "token_not_valid", id="three-garbage-parts"),
        pytest.param({"refresh": ["x"]}, 400, "validation_error", id="list"),
        pytest.param({"refresh": ""}, 400, "validation_error", id="blank"),
        pytest.param({}, 400, "validation_error", id="missing"),
    ],
)
def test_a_malformed_refresh_request_is_refused_cleanly(anon, expect_error, body, status, code):
    expect_error(anon.post(REFRESH, body, format="json"), status, code)

    assert not OutstandingToken.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_refreshes_of_one_token_share_one_successor():
    user = UserFactory.create()
    client = AppClient().sign_in(user)
    session_id = _claims(client.tokens.refresh)["sid"]
    outstanding_before = OutstandingToken.objects.count()
    results: list[tuple[int, dict]] = []
    pids: list[int] = []
    started = threading.Barrier(3)

    def exchange() -> None:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                pids.append(cursor.fetchone()[0])
            started.wait(timeout=10)
            response = _refresh(client.tokens.refresh)
            results.append((response.status_code, response.json()))
        finally:
            connection.close()

    threads = [threading.Thread(target=exchange) for _ in range(2)]
    # Hold the session's row lock until both requests wait on it, so they really collide.
    with transaction.atomic():
        AuthSession.objects.select_for_update().get(id=session_id)
        for thread in threads:
            thread.start()
        started.wait(timeout=10)
        _wait_until_blocked(pids)
    for thread in threads:
        thread.join(timeout=20)

    assert [status for status, _ in results] == [200, 200], results
    first, second = (body for _, body in results)
    assert first["refresh"] == second["refresh"]
    assert OutstandingToken.objects.count() == outstanding_before + 1
    session = AuthSession.objects.select_related("current_refresh").get(id=session_id)
    assert session.revoked_at is None
    assert session.current_refresh is not None
    assert session.current_refresh.token == first["refresh"]


def _wait_until_blocked(pids: list[int]) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM unnest(%s::int[]) AS p WHERE cardinality(pg_blocking_pids(p)) > 0", [pids]
            )
            if cursor.fetchone()[0] == len(pids):
                return
        time.sleep(0.02)
    raise AssertionError("the refresh requests never waited on the session lock")


# --- Query counts -----------------------------------------------------------------------------------
# Savepoints count: the test's transaction turns each service's atomic block into SAVEPOINT/RELEASE.


def test_login_query_count(anon, me_user, django_assert_num_queries):
    # user by e-mail; savepoint, outstanding refresh token, session, release
    with django_assert_num_queries(5):
        response = anon.post(TOKEN, {"email": "me@example.com", "password": PASSWORD}, format="json")
    assert response.status_code == 200


def test_refresh_query_count(me, django_assert_num_queries):
    # savepoint, session FOR UPDATE, its current token, blacklist it, mint successor, update session, release
    with django_assert_num_queries(7):
        response = _refresh(me.tokens.refresh)
    assert response.status_code == 200


def test_logout_query_count(me, django_assert_num_queries):
    # user joined to session (authentication); savepoint (logout), savepoint (revoke), current token
    # id, blacklist, revoke, release, release
    with django_assert_num_queries(8):
        response = me.post(LOGOUT)
    assert response.status_code == 204
