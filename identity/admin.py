from django.contrib import admin
from django.http import HttpRequest

from identity.models import SocialIdentity


@admin.register(SocialIdentity)
class SocialIdentityAdmin(admin.ModelAdmin):
    """Read-only: support can see how a user signs in and remove a link; identities are made by sign-in."""

    list_display = ("id", "user", "provider", "email", "is_private_email", "email_forwarding", "last_used_at")
    list_filter = ("provider", "is_private_email", "email_forwarding")
    search_fields = ("user__email", "email")
    list_select_related = ("user",)
    fields = (
        "id",
        "user",
        "provider",
        "subject",
        "email",
        "email_verified",
        "is_private_email",
        "email_forwarding",
        "last_event_at",
        "created_at",
        "last_used_at",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
