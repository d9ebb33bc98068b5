"""Admin for accounts and devices. No secrets: no password hash, no push tokens, no JWTs."""

from django.contrib import admin, messages
from django.contrib.admin.models import LogEntry
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from accounts.models import AuthSession, Device, User
from accounts.services.account import user_deactivate


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ("-date_joined",)
    list_display = ("email", "display_name", "time_zone", "is_active", "is_staff", "date_joined")
    list_filter = ("is_active", "is_staff", "is_superuser")
    search_fields = ("email", "display_name")
    readonly_fields = ("id", "date_joined", "last_login")
    fieldsets = (
        (None, {"fields": ("id", "email", "password")}),
        ("Profile", {"fields": ("display_name", "time_zone", "locale")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Dates", {"fields": ("date_joined", "last_login")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    actions = ("deactivate_and_sign_out",)

    @admin.action(description="Deactivate and sign out of every device")
    def deactivate_and_sign_out(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            user_deactivate(user=user)
            # The admin's audit trail: Django logs its own add/change/delete views, not custom actions.
            self.log_change(request, user, "Deactivated and signed out of every device (admin action)")
        self.message_user(request, f"{queryset.count()} account(s) deactivated.", messages.SUCCESS)


@admin.register(Device)
class DeviceAdmin(admin.ModelAdmin):
    list_display = ("id", "user", "platform", "name", "app_version", "push_token_hint", "is_active", "updated_at")
    list_filter = ("platform", "is_active")
    search_fields = ("user__email", "name")
    list_select_related = ("user",)
    fields = (
        "id",
        "user",
        "platform",
        "name",
        "app_version",
        "push_token_hint",
        "is_active",
        "created_at",
        "updated_at",
    )
    readonly_fields = ("id", "user", "platform", "push_token_hint", "created_at", "updated_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # devices register themselves through the API


@admin.register(AuthSession)
class AuthSessionAdmin(admin.ModelAdmin):
    list_display = ("id", "user", "user_agent", "created_at", "refreshed_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("user__email",)
    list_select_related = ("user",)
    fields = ("id", "user", "user_agent", "created_at", "refreshed_at", "revoked_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


# simplejwt's own admin shows the text of every refresh token, which is a credential. Sessions (above)
# give staff what they need: who is signed in where, and since when.
for _model in (OutstandingToken, BlacklistedToken):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


@admin.register(LogEntry)
class AuditLogAdmin(admin.ModelAdmin):
    """The audit trail of the admin, read-only: who added, changed or deleted what, and when.

    Django writes one LogEntry per add/change/delete through the admin; our custom actions write theirs
    (`log_change`); staff sign-ins and failures are in django-axes' access logs beside it."""

    list_display = ("action_time", "user", "action_flag", "content_type", "object_repr", "change_message")
    list_filter = ("action_flag", ("user", admin.RelatedOnlyFieldListFilter), "content_type", "action_time")
    search_fields = ("object_repr", "object_id", "user__email", "change_message")
    list_select_related = ("user", "content_type")
    date_hierarchy = "action_time"
    fields = (*list_display, "object_id")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
