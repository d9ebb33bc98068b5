"""Read-only admin of couple rituals: what support needs to see, never completion notes."""

from django.contrib import admin
from django.http import HttpRequest

from rituals.models import Ritual


@admin.register(Ritual)
class RitualAdmin(admin.ModelAdmin):
    list_display = ("title", "category", "status", "couple_id", "created_at", "deleted_at")
    list_filter = ("category", "status", ("deleted_at", admin.EmptyFieldListFilter))
    search_fields = ("=id", "=couple__id", "title")
    date_hierarchy = "created_at"
    ordering = ("-created_at",)
    show_full_result_count = False  # no COUNT(*) over a large table on every page
    fields = (
        "id",
        "couple",
        "template",
        "title",
        "category",
        "rrule",
        "start_date",
        "local_time",
        "time_zone",
        "duration_minutes",
        "reminder_offset_minutes",
        "is_joint",
        "requires_both_confirmation",
        "status",
        "grace_days",
        "created_at",
        "updated_at",
        "deleted_at",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
