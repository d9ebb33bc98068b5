"""Admin of check-ins: scores and dates only.

A note is the author's own words, private unless shared, and shared only with the partner: staff
never see it, on the list or the change page, and cannot search it (a search would reveal it a
word at a time).
"""

from django.contrib import admin
from django.http import HttpRequest

from rituals.models import CheckIn


@admin.register(CheckIn)
class CheckInAdmin(admin.ModelAdmin):
    list_display = ("id", "user", "mood", "connection", "is_shared", "local_date", "created_at")
    list_filter = ("is_shared",)
    list_select_related = ("user",)
    search_fields = ("id", "user__email")
    date_hierarchy = "created_at"
    fields = ("id", "user", "couple", "mood", "connection", "is_shared", "local_date", "created_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a check-in is only ever its author's

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
