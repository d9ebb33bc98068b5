"""Read-mostly admin for couples and invites. Shows who is paired and when, never private content."""

from django.contrib import admin
from django.http import HttpRequest

from couples import codes
from couples.models import Couple, Invite, Membership


class ReadOnlyAdminMixin:
    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class MembershipInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Membership
    fields = ("user", "is_active", "joined_at", "left_at")
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Couple)
class CoupleAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("id", "status", "together_since", "created_at", "ended_at", "end_reason")
    list_filter = ("status", "end_reason")
    search_fields = ("id", "memberships__user__email")
    date_hierarchy = "created_at"
    fields = ("id", "status", "together_since", "created_at", "ended_at", "end_reason")
    readonly_fields = fields
    inlines = (MembershipInline,)


@admin.register(Invite)
class InviteAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("id", "inviter", "masked_code", "status", "created_at", "expires_at")
    list_select_related = ("inviter",)
    search_fields = ("inviter__email",)
    fields = (
        "id",
        "inviter",
        "masked_code",
        "status",
        "created_at",
        "expires_at",
        "accepted_at",
        "revoked_at",
        "couple",
    )
    readonly_fields = fields

    @admin.display(description="code")
    def masked_code(self, invite: Invite) -> str:
        # Staff can tell invites apart; a live code is not shown in full (it is a credential).
        return f"{codes.display(invite.code)[:2]}••-••••"
