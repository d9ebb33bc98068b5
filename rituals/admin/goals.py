"""Read-mostly admin of shared goals: support can look a goal up; only the couple changes it."""

from django.contrib import admin
from django.http import HttpRequest

from rituals.models import Goal


@admin.register(Goal)
class GoalAdmin(admin.ModelAdmin):
    list_display = ("title", "status", "couple", "proposed_by", "target_date", "version", "created_at")
    list_filter = ("status",)
    list_select_related = ("proposed_by",)
    search_fields = ("id", "title", "proposed_by__email")
    date_hierarchy = "created_at"
    fields = (
        "id",
        "couple",
        "title",
        "description",
        "status",
        "proposed_by",
        "target_date",
        "rituals",
        "version",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # goals are proposed by a partner, never by staff

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        # Status changes go through the state machine (rituals.services.goals) and notify the partner.
        return False
