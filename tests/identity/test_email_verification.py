"""E-mail verification: a 6-digit code at sign-up, on request and on an e-mail change."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import User
from identity.models import EmailCode
from tests.conftest import AppClient
from tests.factories import PASSWORD, UserFactory
from tests.identity.helpers import last_code

pytestmark = pytest.mark.django_db

REQUEST = "/api/v1/auth/email/verify/request"
CONFIRM = "/api/v1/auth/email/verify/confirm"
CHANGE = "/api/v1/me/email"
ME = "/api/v1/me"


@pytest.fixture
def unverified(me_user):
    me_user.email_verified_at = None
    me_user.save()
    return me_user


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_sign_up_mails_a_code_that_verifies_the_address(anon, bearer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = anon.post(
            "/api/v1/auth/register", {"email": "new@example.com", "password": "a-long-passphrase-1"}, format="json"
        )
    assert response.status_code == 201
    client = bearer(response.json()["tokens"]["access"])
    (message,) = mail.outbox
    assert message.to == ["new@example.com"]
    assert isinstance(message, mail.EmailMultiAlternatives)
    assert message.alternatives[0][1] == "text/html"
    row = EmailCode.objects.get()
    code = last_code("new@example.com")
    assert code not in row.code_hash  # stored as an HMAC only
    assert len(row.code_hash) == 64
    assert row.expires_at - row.created_at == timedelta(minutes=15)

    confirmed = client.post(CONFIRM, {"code": code}, format="json")

    assert confirmed.status_code == 200, confirmed.content
    assert confirmed.json()["email_verified"] is True
    assert client.get(ME).json()["email_verified"] is True


def test_a_code_works_once(me, unverified, django_capture_on_commit_callbacks, expect_error):
    with django_capture_on_commit_callbacks(execute=True):
        assert me.post(REQUEST).status_code == 202
    code = last_code(unverified.email)

    assert me.post(CONFIRM, {"code": code}, format="json").status_code == 200
    expect_error(me.post(CONFIRM, {"code": code}, format="json"), 400, "invalid_code")


def test_an_expired_code_is_refused(me, unverified, django_capture_on_commit_callbacks, expect_error, time_machine):
    with django_capture_on_commit_callbacks(execute=True):
        me.post(REQUEST)
    code = last_code(unverified.email)
    time_machine.move_to(timezone.now() + timedelta(minutes=15, seconds=1))
    me = AppClient().sign_in(unverified)  # the first access token expired meanwhile

    expect_error(me.post(CONFIRM, {"code": code}, format="json"), 400, "invalid_code")
    unverified.refresh_from_db()
    assert not unverified.email_verified


def test_a_code_dies_after_five_wrong_tries(me, unverified, django_capture_on_commit_callbacks, expect_error):
    with django_capture_on_commit_callbacks(execute=True):
        me.post(REQUEST)
    code = last_code(unverified.email)
    for _ in range(5):
        expect_error(me.post(CONFIRM, {"code": _wrong(code)}, format="json"), 400, "invalid_code")
    assert EmailCode.objects.get().attempts == 5

    expect_error(me.post(CONFIRM, {"code": code}, format="json"), 400, "invalid_code")


def test_a_new_code_replaces_the_old(me, unverified, django_capture_on_commit_callbacks, expect_error):
    with django_capture_on_commit_callbacks(execute=True):
        me.post(REQUEST)
    first = last_code(unverified.email)
    with django_capture_on_commit_callbacks(execute=True):
        me.post(REQUEST)
    second = last_code(unverified.email)

    assert EmailCode.objects.count() == 1
    if first != second:
        expect_error(me.post(CONFIRM, {"code": first}, format="json"), 400, "invalid_code")
    assert me.post(CONFIRM, {"code": second}, format="json").status_code == 200


def test_a_verified_address_needs_no_code(me, expect_error):
    expect_error(me.post(REQUEST), 409, "email_already_verified")


def test_a_code_is_the_users_own(me, unverified, django_capture_on_commit_callbacks, stranger, expect_error):
    with django_capture_on_commit_callbacks(execute=True):
        me.post(REQUEST)

    expect_error(stranger.post(CONFIRM, {"code": last_code(unverified.email)}, format="json"), 400, "invalid_code")


@pytest.mark.parametrize("code", ["12345", "1234567", "abcdef", ""])
def test_malformed_codes_are_validation_errors(me, code, expect_error):
    expect_error(me.post(CONFIRM, {"code": code}, format="json"), 400, "validation_error")


def test_sending_is_rate_limited_per_user(me, unverified, settings, expect_error):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "email_code_send_user": "2/3600"}
    for _ in range(2):
        assert me.post(REQUEST).status_code == 202
    expect_error(me.post(REQUEST), 429, "rate_limited")


def test_sending_is_rate_limited_per_ip(settings, expect_error):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "email_code_send_ip": "2/3600"}
    clients = [AppClient().sign_in(UserFactory.create(email_verified_at=None)) for _ in range(3)]
    for client in clients[:2]:
        assert client.post(REQUEST).status_code == 202
    expect_error(clients[2].post(REQUEST), 429, "rate_limited")


def test_confirming_is_rate_limited_per_user(me, unverified, settings, expect_error):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "email_code_confirm_user": "3/3600"}
    for _ in range(3):
        me.post(CONFIRM, {"code": "000000"}, format="json")
    expect_error(me.post(CONFIRM, {"code": "000000"}, format="json"), 429, "rate_limited")


# --- E-mail change ----------------------------------------------------------------------------------


def test_changing_the_address_applies_once_the_new_one_is_confirmed(me, me_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = me.post(CHANGE, {"email": "New@Example.com", "password": PASSWORD}, format="json")
    assert response.status_code == 202, response.content
    (message,) = mail.outbox
    assert message.to == ["new@example.com"]
    me_user.refresh_from_db()
    assert (me_user.email, me_user.email_verified) == ("me@example.com", True)  # nothing changes yet

    confirmed = me.post(CONFIRM, {"code": last_code("new@example.com")}, format="json")

    assert confirmed.status_code == 200, confirmed.content
    assert (confirmed.json()["email"], confirmed.json()["email_verified"]) == ("new@example.com", True)


def test_changing_the_address_needs_the_password(me, me_user, expect_error, field_codes):
    error = expect_error(
        me.post(CHANGE, {"email": "new@example.com", "password": "nope"}, format="json"), 400, "validation_error"
    )
    assert field_codes(error) == {"password": ["wrong_password"]}
    assert mail.outbox == []


def test_an_address_taken_meanwhile_is_refused_at_confirmation(
    me, me_user, django_capture_on_commit_callbacks, expect_error, field_codes
):
    with django_capture_on_commit_callbacks(execute=True):
        me.post(CHANGE, {"email": "new@example.com", "password": PASSWORD}, format="json")
    UserFactory.create(email="new@example.com")

    error = expect_error(
        me.post(CONFIRM, {"code": last_code("new@example.com")}, format="json"), 400, "validation_error"
    )
    assert field_codes(error) == {"email": ["email_taken"]}
    assert User.objects.get(pk=me_user.pk).email == "me@example.com"


def test_a_taken_address_is_refused(me, partner_user, expect_error, field_codes):
    error = expect_error(
        me.post(CHANGE, {"email": partner_user.email, "password": PASSWORD}, format="json"), 400, "validation_error"
    )
    assert field_codes(error) == {"email": ["email_taken"]}


def test_an_account_without_a_password_changes_its_address_without_one(me, me_user, django_capture_on_commit_callbacks):
    me_user.set_unusable_password()
    me_user.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert me.post(CHANGE, {"email": "new@example.com"}, format="json").status_code == 202
    assert len(mail.outbox) == 1


def test_a_verified_address_lets_a_reset_through_and_unverified_does_not(
    anon, unverified, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert anon.post("/api/v1/auth/password/reset", {"email": unverified.email}, format="json").status_code == 202
    assert mail.outbox == []
    User.objects.filter(pk=unverified.pk).update(email_verified_at=timezone.now())

    with django_capture_on_commit_callbacks(execute=True):
        anon.post("/api/v1/auth/password/reset", {"email": unverified.email}, format="json")
    assert len(mail.outbox) == 1


def test_used_and_expired_codes_are_purged_and_live_ones_kept(me_user, partner_user, stranger_user):
    from identity.services.email_codes import email_code_issue, email_codes_purge

    email_code_issue(user=me_user, purpose="verify", email=me_user.email)
    email_code_issue(user=partner_user, purpose="verify", email=partner_user.email)
    email_code_issue(user=stranger_user, purpose="link", email=stranger_user.email)
    EmailCode.objects.filter(user=partner_user).update(used_at=timezone.now())
    EmailCode.objects.filter(user=stranger_user).update(expires_at=timezone.now() - timedelta(seconds=1))

    assert email_codes_purge(batch_size=1) == 2
    assert list(EmailCode.objects.values_list("user", flat=True)) == [me_user.pk]
    assert email_codes_purge() == 0
