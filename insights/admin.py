"""Admin of the insights app. Staff see which weeks were finalised and when, never what a report,
a personal part or a reflection says: only ids, dates and the algorithm version are listed."""

from django.contrib import admin

from insights.models import SpecialDate, WeeklyReport


@admin.register(WeeklyReport)
class WeeklyReportAdmin(admin.ModelAdmin):
    list_display = ("id", "couple", "week_start", "time_zone", "algorithm_version", "finalised_at")
    list_filter = ("algorithm_version",)
    fields = ("id", "couple", "week_start", "starts_at", "ends_at", "time_zone", "algorithm_version", "finalised_at")
    readonly_fields = fields

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(SpecialDate)
class SpecialDateAdmin(admin.ModelAdmin):
    list_display = ("id", "couple", "kind", "created_at")
    list_filter = ("kind",)
    fields = ("id", "couple", "kind", "created_at", "updated_at")
    readonly_fields = fields
