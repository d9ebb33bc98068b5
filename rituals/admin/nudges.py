"""Read-only admin of nudges. The list shows who, what kind and how far it got; never the words."""

from django.contrib import admin
from django.http import HttpRequest

from rituals.models import Nudge


@admin.register(Nudge)
class NudgeAdmin(admin.ModelAdmin):
    # No message or response text here: they are private words between two partners.
    list_display = ("id", "kind", "sender", "recipient", "created_at", "delivered_at", "seen_at", "response")
    list_filter = ("kind", "response")
    list_select_related = ("sender", "recipient")
    search_fields = ("id", "sender__email", "recipient__email")
    date_hierarchy = "created_at"
    # The detail page shows the message read-only, for support looking into an abuse report.
    fields = (
        "id",
        "couple",
        "sender",
        "recipient",
        "kind",
        "message",
        "created_at",
        "delivered_at",
        "seen_at",
        "response",
        "response_text",
        "responded_at",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
