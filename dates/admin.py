"""Admin: the content team curates date ideas; plans are visible without their memories' notes."""

from django.contrib import admin

from dates.models import DateIdea, DatePlan


@admin.register(DateIdea)
class DateIdeaAdmin(admin.ModelAdmin):
    list_display = (
        "title",
        "setting",
        "budget",
        "duration_minutes",
        "season",
        "long_distance_friendly",
        "is_published",
    )
    list_filter = ("is_published", "setting", "budget", "season", "long_distance_friendly")
    search_fields = ("title", "slug")
    prepopulated_fields = {"slug": ("title",)}
    list_editable = ("is_published",)


@admin.register(DatePlan)
class DatePlanAdmin(admin.ModelAdmin):
    list_display = ("id", "couple", "status", "local_date", "time_zone", "version")
    list_filter = ("status",)
    fields = ("id", "couple", "status", "local_date", "local_time", "time_zone", "starts_at", "version", "created_at")
    readonly_fields = fields

    def has_add_permission(self, request: object) -> bool:
        return False
