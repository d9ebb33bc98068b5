from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class AccountsConfig(AppConfig):
    name = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from accounts import export, schema  # noqa: F401  (schema registers the OpenAPI auth extension)

        export.register_builtin_sections()


class StaffAdminConfig(admin_apps.AdminConfig):
    """Replaces `django.contrib.admin` in INSTALLED_APPS: every `admin.register` lands on the admin site
    with the staff second factor (accounts/admin_site.py)."""

    default = False  # `accounts` in INSTALLED_APPS means AccountsConfig
    default_site = "accounts.admin_site.StaffAdminSite"
