"""Password change, and password reset by an e-mailed link, without revealing who has an account."""

import re
import uuid
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import AuthSession, User
from accounts.services.account import password_reset_link_parts
from tests.conftest import AppClient
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

ME = "/api/v1/me"
CHANGE = "/api/v1/auth/password/change"
RESET = "/api/v1/auth/password/reset"
CONFIRM = "/api/v1/auth/password/reset/confirm"
REFRESH = "/api/v1/auth/token/refresh"
NEW_PASSWORD = "a-brand-new-passphrase-7"
RESET_SENT = {
    "detail": "If this is the verified e-mail address of an account, we sent it a link to reset the password. "
    "Reset links only go to verified addresses: if yours was never verified, sign in and verify it "
    "from the app, or sign in with Apple or Google."
}


def _link_parts(message: mail.EmailMessage) -> dict[str, str]:
    match = re.search(r"/reset-password\?uid=([\w-]+)&token=([\w-]+)", str(message.body))
    assert match, message.body
    return {"uid": match.group(1), "token": match.group(2)}


@pytest.fixture
def reset_link(anon, me_user, django_capture_on_commit_callbacks) -> dict[str, str]:
    """The uid and token of the link mailed to me_user."""
    with django_capture_on_commit_callbacks(execute=True):
        assert anon.post(RESET, {"email": me_user.email}, format="json").status_code == 202
    (message,) = mail.outbox
    return _link_parts(message)


# --- Change -----------------------------------------------------------------------------------------


def test_password_change_returns_a_new_pair_and_ends_the_old_sessions(me, me_user, bearer, expect_error):
    other_install = AppClient().sign_in(me_user)

    response = me.post(CHANGE, {"current_password": PASSWORD, "new_password": NEW_PASSWORD}, format="json")

    assert response.status_code == 200, response.content
    pair = response.json()
    me_user.refresh_from_db()
    assert me_user.check_password(NEW_PASSWORD)
    assert not me_user.check_password(PASSWORD)
    for old in (me.tokens, other_install.tokens):
        expect_error(bearer(old.access).get(ME), 401, "session_ended")
        expect_error(APIClient().post(REFRESH, {"refresh": old.refresh}, format="json"), 401, "token_not_valid")
    assert bearer(pair["access"]).get(ME).status_code == 200
    assert APIClient().post(REFRESH, {"refresh": pair["refresh"]}, format="json").status_code == 200
    assert AuthSession.objects.filter(user=me_user, revoked_at__isnull=True).count() == 1


def test_password_change_with_a_wrong_current_password_changes_nothing(me, me_user, expect_error, field_codes):
    response = me.post(CHANGE, {"current_password": "not-my-password-9", "new_password": NEW_PASSWORD}, format="json")

    error = expect_error(response, 400, "validation_error")
    assert field_codes(error) == {"current_password": ["wrong_password"]}
    me_user.refresh_from_db()
    assert me_user.check_password(PASSWORD)
    assert me.get(ME).status_code == 200


@pytest.mark.parametrize(
    ("new_password", "code"),
    [
        pytest.param("Short-42", "password_too_short", id="too-short"),
        pytest.param("qwertyuiop", "password_too_common", id="common"),
        pytest.param("8675309284716", "password_entirely_numeric", id="numeric"),
        pytest.param("me@example.com", "password_too_similar", id="the-email"),
    ],
)
def test_password_change_to_a_weak_password_is_refused(me, me_user, expect_error, field_codes, new_password, code):
    response = me.post(CHANGE, {"current_password": PASSWORD, "new_password": new_password}, format="json")

    error = expect_error(response, 400, "validation_error")
    assert list(field_codes(error)) == ["new_password"]
    assert code in field_codes(error)["new_password"]
    me_user.refresh_from_db()
    assert me_user.check_password(PASSWORD)
    assert me.get(ME).status_code == 200


def test_password_change_needs_a_signed_in_user(anon, expect_error):
    response = anon.post(CHANGE, {"current_password": PASSWORD, "new_password": NEW_PASSWORD}, format="json")

    expect_error(response, 401, "not_authenticated")


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"current_password": PASSWORD}, id="missing-new"),
        pytest.param({"current_password": PASSWORD, "new_password": ["x"]}, id="new-as-list"),
        pytest.param({"current_password": 42, "new_password": NEW_PASSWORD}, id="current-as-number"),
    ],
)
def test_password_change_with_bad_input_is_a_validation_error(me, me_user, expect_error, body):
    expect_error(me.post(CHANGE, body, format="json"), 400, "validation_error")

    me_user.refresh_from_db()
    assert me_user.check_password(PASSWORD)


# --- Reset request ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("email", "mails"),
    [
        pytest.param("me@example.com", 1, id="active-account"),
        pytest.param("ME@Example.com", 1, id="active-account-other-case"),
        pytest.param("nobody@example.com", 0, id="unknown-address"),
        pytest.param("gone@example.com", 0, id="inactive-account"),
        pytest.param("unproven@example.com", 0, id="unverified-address"),
    ],
)
def test_reset_request_answers_the_same_whoever_asks_and_mails_only_active_verified_accounts(
    anon, me_user, django_capture_on_commit_callbacks, email, mails
):
    UserFactory.create(email="gone@example.com", is_active=False)
    # Nobody proved they read this mailbox: a reset link sent there could hand the account to a stranger.
    UserFactory.create(email="unproven@example.com", email_verified_at=None)

    with django_capture_on_commit_callbacks(execute=True):
        response = anon.post(RESET, {"email": email}, format="json")

    assert response.status_code == 202
    assert response.json() == RESET_SENT
    assert len(mail.outbox) == mails
    if mails:
        assert mail.outbox[0].to == ["me@example.com"]
        assert _link_parts(mail.outbox[0])["uid"]


def test_reset_email_is_sent_only_after_the_request_commits(anon, me_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        anon.post(RESET, {"email": me_user.email}, format="json")

    assert len(callbacks) == 1
    assert mail.outbox == []


def test_reset_request_with_a_malformed_address_is_a_validation_error(anon, expect_error, field_codes):
    error = expect_error(anon.post(RESET, {"email": "not-an-address"}, format="json"), 400, "validation_error")

    assert field_codes(error) == {"email": ["invalid"]}
    assert mail.outbox == []


# --- Reset confirm ----------------------------------------------------------------------------------


def test_reset_confirm_sets_the_password_and_ends_every_session(me, me_user, anon, bearer, reset_link, expect_error):
    response = anon.post(CONFIRM, {**reset_link, "new_password": NEW_PASSWORD}, format="json")

    assert response.status_code == 204, response.content
    me_user.refresh_from_db()
    assert me_user.check_password(NEW_PASSWORD)
    assert not AuthSession.objects.filter(user=me_user, revoked_at__isnull=True).exists()
    expect_error(bearer(me.tokens.access).get(ME), 401, "session_ended")
    login = anon.post("/api/v1/auth/token", {"email": me_user.email, "password": NEW_PASSWORD}, format="json")
    assert login.status_code == 200


def test_a_reset_link_works_only_once(anon, me_user, reset_link, expect_error):
    assert anon.post(CONFIRM, {**reset_link, "new_password": NEW_PASSWORD}, format="json").status_code == 204

    response = anon.post(CONFIRM, {**reset_link, "new_password": "yet-another-passphrase-8"}, format="json")

    expect_error(response, 400, "invalid_reset_token")
    me_user.refresh_from_db()
    assert me_user.check_password(NEW_PASSWORD)


def test_a_reset_link_expires(anon, me_user, reset_link, expect_error, time_machine):
    time_machine.move_to(timezone.now() + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 2))

    response = anon.post(CONFIRM, {**reset_link, "new_password": NEW_PASSWORD}, format="json")

    expect_error(response, 400, "invalid_reset_token")
    me_user.refresh_from_db()
    assert me_user.check_password(PASSWORD)


def test_a_reset_link_still_works_just_before_it_expires(anon, me_user, reset_link, time_machine):
    time_machine.move_to(timezone.now() + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT - 60))

    response = anon.post(CONFIRM, {**reset_link, "new_password": NEW_PASSWORD}, format="json")

    assert response.status_code == 204


def _tampered(text: str) -> str:
    return text[:-1] + ("a" if text[-1] != "a" else "b")


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda link, other: {**link, "token": _tampered(link["token"])}, id="token-changed"),
        pytest.param(lambda link, other: {**link, "token": "1-" + "0" * 32}, id="token-made-up"),
        pytest.param(lambda link, other: {**link, "uid": other}, id="someone-elses-uid"),
        pytest.param(lambda link, other: {**link, "uid": "!!not-base64!!"}, id="uid-garbage"),
        pytest.param(lambda link, other: {**link, "uid": "bm90LWEtdXVpZA"}, id="uid-not-a-uuid"),
        pytest.param(lambda link, other: {**link, "uid": "__8"}, id="uid-not-utf8"),
    ],
)
def test_a_tampered_reset_link_is_refused(anon, me_user, reset_link, expect_error, tamper):
    other_user = UserFactory.create(email="other@example.com")
    other_uid, _ = password_reset_link_parts(other_user)

    response = anon.post(CONFIRM, {**tamper(reset_link, other_uid), "new_password": NEW_PASSWORD}, format="json")

    expect_error(response, 400, "invalid_reset_token")
    for user in (me_user, other_user):
        user.refresh_from_db()
        assert user.check_password(PASSWORD)


def test_a_reset_link_dies_when_the_account_is_deactivated(anon, me_user, reset_link, expect_error):
    User.objects.filter(id=me_user.id).update(is_active=False)

    response = anon.post(CONFIRM, {**reset_link, "new_password": NEW_PASSWORD}, format="json")

    expect_error(response, 400, "invalid_reset_token")


def test_a_weak_password_on_reset_is_refused_and_keeps_the_link_usable(
    anon, me_user, reset_link, expect_error, field_codes
):
    response = anon.post(CONFIRM, {**reset_link, "new_password": "qwertyuiop"}, format="json")

    error = expect_error(response, 400, "validation_error")
    assert field_codes(error) == {"new_password": ["password_too_common"]}
    me_user.refresh_from_db()
    assert me_user.check_password(PASSWORD)
    assert anon.post(CONFIRM, {**reset_link, "new_password": NEW_PASSWORD}, format="json").status_code == 204


@pytest.mark.parametrize("email", ["me@example.com", "nobody@example.com", "gone@example.com", "unproven@example.com"])
def test_reset_request_does_the_same_work_whether_or_not_the_account_exists(
    anon, me_user, django_capture_on_commit_callbacks, django_assert_num_queries, email, monkeypatch
):
    # Timing must not tell: the same lookup, the same outbox row and the same publish after commit for
    # every address; only the task, in the worker, finds (or not) someone to mail.
    from accounts import tasks
    from notifications.models import OutboxMessage

    UserFactory.create(email="gone@example.com", is_active=False)
    UserFactory.create(email="unproven@example.com", email_verified_at=None)
    published: list[dict] = []
    monkeypatch.setattr(tasks.send_password_reset_email, "apply_async", lambda **kw: published.append(kw["kwargs"]))

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        django_assert_num_queries(4),
    ):  # lookup, savepoint, outbox row, release
        response = anon.post(RESET, {"email": email}, format="json")

    assert response.status_code == 202
    assert len(callbacks) == 1
    (message,) = OutboxMessage.objects.all()
    assert len(published) == 1
    user_id = published[0]["user_id"]
    assert message.kwargs == {"user_id": user_id}
    assert uuid.UUID(user_id)
    assert (user_id == str(me_user.id)) == (email == "me@example.com")


def test_the_reset_email_is_rendered_as_text_and_html_with_the_same_link(anon, me_user, reset_link):
    (message,) = mail.outbox
    assert isinstance(message, mail.EmailMultiAlternatives)
    html, mimetype = message.alternatives[0]
    assert isinstance(html, str)
    assert mimetype == "text/html"
    assert message.subject == "Reset your password"
    assert f"uid={reset_link['uid']}&amp;token={reset_link['token']}" in html  # escaped in HTML, as it must be
