"""The staff door: the Django admin with a TOTP second factor (django-otp) and login lockout (django-axes).

- A staff member with a confirmed TOTP device must type its current code with the password; with
  ADMIN_OTP_REQUIRED (production) a staff member without one cannot sign in at all until enrolled
  (`manage.py staff_totp_enrol <email>`, docs/operations.md).
- Failed admin logins are counted by django-axes per address and per username and lock out for
  AXES_COOLOFF_TIME after AXES_FAILURE_LIMIT failures. Only /admin/ is counted: the API's sign-in has
  its own Redis-backed limits and must not lock staff out of the admin (or write rows) on its failures.
"""

from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from django import forms
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.http import HttpRequest
from django.utils.translation import gettext
from django_otp.forms import OTPAuthenticationFormMixin
from django_otp.plugins.otp_totp.models import TOTPDevice


def staff_needs_second_factor(user: Any) -> bool:
    return bool(settings.ADMIN_OTP_REQUIRED) or TOTPDevice.objects.devices_for_user(user, confirmed=True).exists()


class StaffAuthenticationForm(OTPAuthenticationFormMixin, AdminAuthenticationForm):
    otp_token = forms.CharField(
        required=False,
        label="Authenticator code",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
    otp_error_messages = {
        **OTPAuthenticationFormMixin.otp_error_messages,
        "token_required": "Enter the 6-digit code from your authenticator app.",
        "invalid_token": "Invalid authenticator code. Wait for the next one and try again.",
    }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        user = self.get_user()
        if user is not None and staff_needs_second_factor(user):
            if not TOTPDevice.objects.devices_for_user(user, confirmed=True).exists():
                raise forms.ValidationError(
                    gettext(
                        "This staff account has no authenticator yet. Ask an administrator to enrol one "
                        "(manage.py staff_totp_enrol)."
                    ),
                    code="otp_not_enrolled",
                )
            self.clean_otp(user)  # sets user.otp_device; django-otp marks the session verified at login
        return cleaned

    def _chosen_device(self, user: Any) -> Any:
        # One authenticator per staff account (staff_totp_enrol), so the form asks for no device choice:
        # the code is checked against the account's own confirmed TOTP device, never another's.
        return TOTPDevice.objects.devices_for_user(user, confirmed=True).order_by("-id").first()


class StaffAdminSite(admin.AdminSite):
    login_form = StaffAuthenticationForm
    login_template = "admin/staff_login.html"

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        if not super().has_permission(request):
            return False
        return not staff_needs_second_factor(user) or bool(user.is_verified())  # type: ignore[union-attr]


class AdminOnlyAxesHandler(AxesDatabaseHandler):
    """django-axes' database handler, recording only what happens under /admin/."""

    def _admin(self, request: Any) -> bool:
        return request is not None and apps.is_installed("django.contrib.admin") and self.is_admin_request(request)

    def user_login_failed(self, sender: Any, credentials: dict, request: Any = None, **kwargs: Any) -> None:
        if self._admin(request):
            super().user_login_failed(sender, credentials, request, **kwargs)

    def user_logged_in(self, sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
        if self._admin(request):
            super().user_logged_in(sender, request, user, **kwargs)

    def user_logged_out(self, sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
        if self._admin(request):
            super().user_logged_out(sender, request, user, **kwargs)
