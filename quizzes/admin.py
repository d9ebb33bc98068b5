"""Admin of quizzes: the content team curates quizzes, questions, options and their scores.

Submissions (love-language results, profiles, know-me answers) are listed for support with who and
when only: no list or detail page shows a ranking, a score or an answer (a partner's unshared result
is nobody else's business, staff included).
"""

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from quizzes.models import KnowMeAnswers, LoveLanguageProfile, Option, Question, Quiz, QuizResult
from rituals.admin.localization import schedule_state
from rituals.models.choices import LoveLanguage


def validate_option_scores(value: Any) -> dict[str, int]:
    """`{"words": 2}`: love-language codes to whole points from 0 to 10."""
    if not isinstance(value, dict):
        raise ValidationError('Write the points as {"words": 1}.', code="invalid_scores")
    for code, points in value.items():
        if code not in LoveLanguage.values:
            raise ValidationError(
                "%(code)s is not a love language (use %(codes)s).",
                code="invalid_scores",
                params={"code": code, "codes": ", ".join(LoveLanguage.values)},
            )
        if not isinstance(points, int) or isinstance(points, bool) or not 0 <= points <= 10:
            raise ValidationError("Points are whole numbers from 0 to 10.", code="invalid_scores")
    return value


class OptionForm(forms.ModelForm):
    class Meta:
        model = Option
        fields = ["text", "ordering", "scores"]

    def clean_scores(self) -> dict[str, int]:
        return validate_option_scores(self.cleaned_data["scores"])


class OptionInline(admin.TabularInline):
    model = Option
    form = OptionForm
    extra = 2


class QuestionInline(admin.TabularInline):
    model = Question
    fields = ("text", "ordering")
    extra = 1
    show_change_link = True


@admin.register(Quiz)
class QuizAdmin(SimpleHistoryAdmin):
    inlines = (QuestionInline,)
    list_display = ("title", "kind", "question_total", "revision", "is_published", "in_the_app", "ordering")
    list_editable = ("is_published", "ordering")
    list_filter = ("kind", "is_published")
    search_fields = ("title", "slug")
    prepopulated_fields = {"slug": ("title",)}
    readonly_fields = ("id", "revision", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("title", "slug", "kind", "description")}),
        ("Publishing", {"fields": ("is_published", "publish_at", "unpublish_at", "ordering")}),
        ("Record", {"fields": ("id", "revision", "created_at", "updated_at"), "classes": ("collapse",)}),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Quiz]:
        return super().get_queryset(request).annotate(questions_counted=Count("questions"))

    @admin.display(description="Questions", ordering="questions_counted")
    def question_total(self, quiz: Quiz) -> int:
        return int(getattr(quiz, "questions_counted", 0))

    @admin.display(description="In the app")
    def in_the_app(self, quiz: Quiz) -> str:
        return schedule_state(quiz)


@admin.register(Question)
class QuestionAdmin(SimpleHistoryAdmin):
    inlines = (OptionInline,)
    list_display = ("text", "quiz", "ordering")
    list_filter = (("quiz", admin.RelatedOnlyFieldListFilter),)
    list_select_related = ("quiz",)
    search_fields = ("text", "quiz__title")
    autocomplete_fields = ("quiz",)
    fields = ("quiz", "text", "ordering")


class _SubmissionAdmin(admin.ModelAdmin):
    """Read-only, and without any answer, score or ranking on any page."""

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(QuizResult)
class QuizResultAdmin(_SubmissionAdmin):
    list_display = ("id", "user", "quiz", "quiz_revision", "created_at")
    list_select_related = ("user", "quiz")
    list_filter = ("quiz",)
    search_fields = ("id", "user__email")
    fields = ("id", "user", "quiz", "quiz_revision", "created_at")
    readonly_fields = fields


@admin.register(LoveLanguageProfile)
class LoveLanguageProfileAdmin(_SubmissionAdmin):
    list_display = ("user", "shared_with_partner", "updated_at")
    list_select_related = ("user",)
    list_filter = ("shared_with_partner",)
    search_fields = ("user__email",)
    fields = ("user", "result", "shared_with_partner", "updated_at")
    readonly_fields = fields


@admin.register(KnowMeAnswers)
class KnowMeAnswersAdmin(_SubmissionAdmin):
    list_display = ("id", "couple", "user", "quiz", "quiz_revision", "created_at")
    list_select_related = ("user", "quiz")
    list_filter = ("quiz",)
    search_fields = ("id", "couple__id")
    fields = ("id", "couple", "user", "quiz", "quiz_revision", "created_at", "updated_at")
    readonly_fields = fields
