"""The Django admin for accounts shows staff what they need and never a secret."""

import pytest
from django.contrib import admin
from django.test import Client
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from accounts.models import AuthSession, Device, User
from tests.conftest import AppClient
from tests.factories import DeviceFactory, UserFactory


@pytest.fixture
def staff(db) -> Client:
    client = Client()
    client.force_login(UserFactory.create(email="admin@example.com", is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def member(db) -> tuple[User, Device, AppClient]:
    """An app user with a device and a signed-in session, i.e. every secret the admin could leak."""
    user = UserFactory.create(email="member@example.com")
    device = DeviceFactory.create(
        user=user, name="Member's phone", push_token="member-push-token-" + "k" * 80 + "-end777"
    )
    client = AppClient().sign_in(user)
    client.post("/api/v1/auth/token/refresh", {"refresh": client.tokens.refresh}, format="json")
    return user, device, client


def _secrets(user: User, device: Device, client: AppClient) -> list[str]:
    secrets = [user.password, device.push_token, client.tokens.access, client.tokens.refresh]
    secrets += list(OutstandingToken.objects.filter(user=user).values_list("token", flat=True))
    # The hash part of `md5$<salt>$<hash>` alone is a secret too.
    secrets.append(user.password.rsplit("$", 1)[-1])
    return secrets


def _assert_shows_no_secret(html: str, secrets: list[str]) -> None:
    for secret in secrets:
        assert secret not in html
    assert "eyJ" not in html  # the start of any JWT (base64url of `{"`)


def _pages(user: User, device: Device) -> dict[str, str]:
    session = AuthSession.objects.filter(user=user).earliest("created_at")
    return {
        "user list": "/admin/accounts/user/",
        "user search": "/admin/accounts/user/?q=member",
        "user change": f"/admin/accounts/user/{user.pk}/change/",
        "user delete": f"/admin/accounts/user/{user.pk}/delete/",
        "user history": f"/admin/accounts/user/{user.pk}/history/",
        "device list": "/admin/accounts/device/",
        "device change": f"/admin/accounts/device/{device.pk}/change/",
        "session list": "/admin/accounts/authsession/",
        "session change": f"/admin/accounts/authsession/{session.pk}/change/",
    }


@pytest.mark.parametrize(
    "page",
    [
        "user list",
        "user search",
        "user change",
        "user delete",
        "user history",
        "device list",
        "device change",
        "session list",
        "session change",
    ],
)
def test_account_admin_pages_render_without_secrets(staff, member, page):
    user, device, client = member
    path = _pages(user, device)[page]

    response = staff.get(path)

    assert response.status_code == 200, path
    html = response.content.decode()
    assert "member@example.com" in html
    _assert_shows_no_secret(html, _secrets(user, device, client))


def test_the_device_list_tells_devices_apart_by_a_token_hint(staff, member):
    html = staff.get("/admin/accounts/device/").content.decode()

    assert "Member&#x27;s phone" in html
    assert "…end777" in html


def test_the_session_list_shows_who_is_signed_in_where(staff, member):
    user, _, _ = member

    html = staff.get("/admin/accounts/authsession/").content.decode()

    assert str(AuthSession.objects.get(user=user).id) in html
    assert "pytest" in html  # the user agent


def test_staff_cannot_add_devices_or_sessions_by_hand(staff):
    assert staff.get("/admin/accounts/device/add/").status_code == 403
    assert staff.get("/admin/accounts/authsession/add/").status_code == 403


def test_the_deactivate_action_signs_the_user_out_everywhere(staff, member):
    user, _, client = member

    response = staff.post(
        "/admin/accounts/user/", {"action": "deactivate_and_sign_out", "_selected_action": [str(user.pk)]}
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.is_active is False
    assert not AuthSession.objects.filter(user=user, revoked_at__isnull=True).exists()
    assert client.get("/api/v1/me").status_code == 401


@pytest.mark.parametrize("model", [OutstandingToken, BlacklistedToken])
def test_simplejwt_token_admins_are_not_registered(staff, model):
    assert not admin.site.is_registered(model)
    label = model._meta.model_name
    assert staff.get(f"/admin/token_blacklist/{label}/").status_code == 404


def test_the_admin_needs_a_staff_login(member):
    user, _, _ = member
    client = Client()
    client.force_login(user)

    response = client.get("/admin/accounts/user/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
