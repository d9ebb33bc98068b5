"""The staff door in a real browser: sign-in with a TOTP code, and the lockout after repeated failures.
Deselect with `-m "not e2e"`."""

import re
from typing import Any

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from accounts.models import User
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def staff_user(transactional_db: None) -> User:
    return UserFactory.create(email="content@example.com", is_staff=True, is_superuser=True)


def _fill(page: Page, base_url: str, email: str, password: str, code: str = "") -> None:
    page.goto(f"{base_url}/admin/login/?next=/admin/")
    page.fill("#id_username", email)
    page.fill("#id_password", password)
    if code:
        page.fill("#id_otp_token", code)
    page.click("input[type=submit]")


def test_staff_with_an_authenticator_signs_in_with_its_code(page: Page, live_server: Any, staff_user: User) -> None:
    device = TOTPDevice.objects.create(user=staff_user, name="phone", confirmed=True)
    base_url = live_server.url

    _fill(page, base_url, staff_user.email, PASSWORD)  # the password alone is not enough
    expect(page.locator(".errornote, .errorlist")).to_contain_text("6-digit code")
    expect(page).to_have_url(re.compile(r"/admin/login/"))

    code = f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"
    _fill(page, base_url, staff_user.email, PASSWORD, code)
    expect(page).to_have_url(f"{base_url}/admin/")
    expect(page.locator("#site-name")).to_be_visible()
    page.goto(f"{base_url}/admin/admin/logentry/")  # the audit trail is one click away
    expect(page.locator("#content h1")).to_contain_text("log entr")


def test_admin_login_locks_out_after_repeated_failures(
    page: Page, live_server: Any, staff_user: User, settings: Any
) -> None:
    settings.AXES_FAILURE_LIMIT = 3
    base_url = live_server.url
    for _ in range(2):
        _fill(page, base_url, staff_user.email, "not-the-password-1")
        expect(page.locator(".errornote")).to_be_visible()

    _fill(page, base_url, staff_user.email, "not-the-password-1")
    expect(page.locator("body")).to_contain_text("locked")
    # The right password no longer opens the door during the cool-off.
    _fill(page, base_url, staff_user.email, PASSWORD)
    expect(page.locator("body")).to_contain_text("locked")
    page.goto(f"{base_url}/admin/")
    expect(page).to_have_url(re.compile(r"/admin/login/"))
