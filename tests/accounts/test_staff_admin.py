"""The staff door: TOTP second factor, lockout after failed admin logins, and the audit trail."""

import io
import re

import pytest
from axes.models import AccessAttempt
from django.contrib.admin.models import LogEntry
from django.core.management import call_command
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from tests.factories import PASSWORD, UserFactory

LOGIN = "/admin/login/?next=/admin/"


@pytest.fixture
def staff(db) -> User:
    return UserFactory.create(email="staff@example.com", is_staff=True, is_superuser=True)


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def _login(client: Client, email: str, password: str = PASSWORD, code: str = "", **extra):
    return client.post(LOGIN, {"username": email, "password": password, "otp_token": code}, **extra)


def test_staff_with_a_device_needs_its_current_code(staff, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # django-otp slows down retries after a wrong code; not timed here
    device = TOTPDevice.objects.create(user=staff, name="phone", confirmed=True)
    client = Client()

    without = _login(client, staff.email)
    assert without.status_code == 200
    assert "Enter the 6-digit code" in without.content.decode()
    wrong = _login(client, staff.email, code="000000" if _code(device) != "000000" else "111111")
    assert "Invalid authenticator code" in wrong.content.decode()
    assert client.get("/admin/").status_code == 302

    response = _login(Client(), staff.email, code=_code(device))
    assert response.status_code == 302
    assert response["Location"] == "/admin/"


def test_a_session_that_skipped_the_second_factor_is_not_let_in(staff):
    TOTPDevice.objects.create(user=staff, name="phone", confirmed=True)
    client = Client()
    client.force_login(staff)  # password only, e.g. a session from before enrolment

    assert client.get("/admin/").status_code == 302


def test_without_a_device_staff_sign_in_with_the_password_unless_a_second_factor_is_required(staff, settings):
    assert _login(Client(), staff.email).status_code == 302

    settings.ADMIN_OTP_REQUIRED = True
    response = _login(Client(), staff.email)
    assert response.status_code == 200
    assert "has no authenticator yet" in response.content.decode()


def test_admin_login_locks_out_after_the_failure_limit_even_with_the_right_password(staff, settings):
    settings.AXES_FAILURE_LIMIT = 3
    client = Client()
    for _ in range(3):
        _login(client, staff.email, password="wrong-password-123")

    locked = _login(client, staff.email)

    assert locked.status_code == 429
    assert client.get("/admin/").status_code == 302
    # Another address is locked out too: the lock is per username as well as per address.
    assert _login(Client(REMOTE_ADDR="10.9.9.9"), staff.email).status_code == 429


def test_api_sign_in_failures_neither_count_toward_the_admin_lockout_nor_write_rows(staff, anon, settings):
    settings.AXES_FAILURE_LIMIT = 2
    for _ in range(4):
        response = anon.post("/api/v1/auth/token", {"email": staff.email, "password": "nope-nope-1"}, format="json")
        assert response.status_code == 401

    assert AccessAttempt.objects.count() == 0
    assert _login(Client(), staff.email).status_code == 302


def test_admin_actions_are_audited_with_who_and_what(staff):
    member = UserFactory.create(email="member@example.com")
    client = Client()
    client.force_login(staff)

    client.post("/admin/accounts/user/", {"action": "deactivate_and_sign_out", "_selected_action": [str(member.pk)]})
    client.post(f"/admin/accounts/user/{member.pk}/change/", {})  # an invalid form logs nothing

    entry = LogEntry.objects.get(object_id=str(member.pk))
    assert entry.user == staff
    assert "Deactivated" in entry.change_message
    audit = client.get("/admin/admin/logentry/")
    assert audit.status_code == 200
    assert "member@example.com" in audit.content.decode()
    assert client.get(f"/admin/admin/logentry/{entry.pk}/delete/").status_code == 403


def test_enrolment_prints_an_otpauth_url_and_is_audited(staff):
    out = io.StringIO()
    call_command("staff_totp_enrol", "STAFF@example.com", stdout=out)

    assert re.search(r"otpauth://totp/.*secret=[A-Z2-7]+", out.getvalue())
    assert TOTPDevice.objects.filter(user=staff, confirmed=True).count() == 1
    assert LogEntry.objects.filter(object_id=str(staff.pk), change_message__contains="TOTP").exists()
