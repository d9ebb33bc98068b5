"""Read-only admin of the couples' daily prompts. Answers are never on a list page."""

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from rituals.models import DailyPrompt, PromptAnswer


class PromptAnswerInline(admin.TabularInline):
    """On the detail page only, read-only: support looking into an abuse report."""

    model = PromptAnswer
    fields = ("user", "text", "created_at", "updated_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(DailyPrompt)
class DailyPromptAdmin(admin.ModelAdmin):
    list_display = ("id", "couple", "day", "prompt", "answer_count", "created_at")
    list_select_related = ("prompt",)
    list_filter = ("prompt__deck",)
    search_fields = ("id", "couple__id")
    date_hierarchy = "created_at"
    fields = ("id", "couple", "day", "prompt", "created_at")
    readonly_fields = fields
    inlines = (PromptAnswerInline,)

    def get_queryset(self, request: HttpRequest) -> QuerySet[DailyPrompt]:
        return super().get_queryset(request).annotate(answer_total=Count("answers"))

    @admin.display(description="answers", ordering="answer_total")
    def answer_count(self, daily_prompt: DailyPrompt) -> int:
        return int(getattr(daily_prompt, "answer_total", 0))

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
