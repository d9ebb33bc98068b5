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
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from quizzes.models import (
    KnowMeAnswers,
    LoveLanguageProfile,
    Option,
    OptionTranslation,
    Question,
    QuestionTranslation,
    Quiz,
    QuizResult,
    QuizTranslation,
)
from rituals.admin.localization import (
    TranslatedContentAdmin,
    missing_translation_filter,
    schedule_state,
    translation_inline,
)
from rituals.localization import localized
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


class OptionAdminForm(OptionForm):
    class Meta(OptionForm.Meta):
        fields = ["question", "text", "ordering", "scores"]


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
class QuizAdmin(TranslatedContentAdmin):
    translation_model = QuizTranslation
    owner_field = "quiz"
    translated_fields = ("title", "description")
    inlines = (QuestionInline, translation_inline(QuizTranslation, translated_fields))
    list_display = (
        "title",
        "kind",
        "question_total",
        "revision",
        "is_published",
        "in_the_app",
        "translation_status",
        "ordering",
    )
    list_editable = ("is_published", "ordering")
    list_filter = ("kind", "is_published", missing_translation_filter(QuizTranslation, "quiz"))
    search_fields = ("title", "slug")
    prepopulated_fields = {"slug": ("title",)}
    readonly_fields = ("id", "preview", "revision", "created_at", "updated_at")
    fieldsets = (
        ("Preview", {"fields": ("preview",)}),
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

    @admin.display(description="As the app shows it")
    def preview(self, quiz: Quiz) -> SafeString:
        """The quiz with its questions and options, in the preview's locale (English on the change page)."""
        if quiz._state.adding:
            return format_html("<em>{}</em>", "Save the quiz to see the preview.")
        language = getattr(quiz, "preview_locale", None)
        questions = localized(
            quiz.questions.order_by("ordering", "id"),
            relation="translations",
            fields=("text",),
            language=language,
            approved_only=False,
        )
        options = localized(
            Option.objects.filter(question__quiz=quiz).order_by("ordering", "id"),
            relation="translations",
            fields=("text",),
            language=language,
            approved_only=False,
        )
        by_question: dict[Any, list[str]] = {}
        for option in options:
            by_question.setdefault(option.question_id, []).append(option.text_localized)
        items = format_html_join(
            "",
            "<li>{}<ul>{}</ul></li>",
            (
                (q.text_localized, format_html_join("", "<li>{}</li>", ((t,) for t in by_question.get(q.id, []))))
                for q in questions
            ),
        )
        return format_html(
            '<div style="max-width:40em"><p style="font-size:1.2em"><strong>{}</strong></p><p>{}</p>'
            "<ol>{}</ol><p>Preview as: {}</p></div>",
            quiz.title,
            quiz.description,
            items,
            self.preview_links(quiz),
        )


@admin.register(Question)
class QuestionAdmin(TranslatedContentAdmin):
    translation_model = QuestionTranslation
    owner_field = "question"
    translated_fields = ("text",)
    inlines = (OptionInline, translation_inline(QuestionTranslation, translated_fields))
    list_display = ("text", "quiz", "translation_status", "ordering")
    list_filter = (
        ("quiz", admin.RelatedOnlyFieldListFilter),
        missing_translation_filter(QuestionTranslation, "question"),
    )
    list_select_related = ("quiz",)
    search_fields = ("text", "quiz__title")
    autocomplete_fields = ("quiz",)
    fields = ("quiz", "text", "preview", "ordering")
    readonly_fields = ("preview",)

    @admin.display(description="As the app shows it")
    def preview(self, question: Question) -> SafeString:
        if question._state.adding:
            return format_html("<em>{}</em>", "Save the question to see the preview.")
        return format_html(
            "<p><strong>{}</strong></p><p>Preview as: {}</p>", question.text, self.preview_links(question)
        )


@admin.register(Option)
class OptionAdmin(TranslatedContentAdmin):
    """Options are written on their question's page; here each one's translations are edited."""

    translation_model = OptionTranslation
    owner_field = "option"
    translated_fields = ("text",)
    inlines = (translation_inline(OptionTranslation, translated_fields),)
    list_display = ("text", "question", "translation_status")
    list_select_related = ("question",)
    list_filter = (
        ("question__quiz", admin.RelatedOnlyFieldListFilter),
        missing_translation_filter(OptionTranslation, "option"),
    )
    search_fields = ("text", "question__text")
    form = OptionAdminForm
    fields = ("question", "text", "preview", "ordering", "scores")
    readonly_fields = ("preview",)
    autocomplete_fields = ("question",)

    @admin.display(description="As the app shows it")
    def preview(self, option: Option) -> SafeString:
        if option._state.adding:
            return format_html("<em>{}</em>", "Save the option to see the preview.")
        return format_html("<p>{}</p><p>Preview as: {}</p>", option.text, self.preview_links(option))


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
