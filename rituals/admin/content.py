"""Admin where the content team curates ritual templates and prompt decks.

Each change page has a read-only preview that renders the item as the app shows it, and links to the
same preview in every shipped locale ("preview as locale", drafts of translations included). Lists show
each item's schedule state and its translation status per locale, with a "missing translation" filter.
Every change is recorded by django-simple-history ("History": author, diff, revert). Everything in
the preview goes through `format_html`/`format_html_join`, so HTML typed into a title is shown, not run.
"""

from collections.abc import Iterable
from datetime import time
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import connections, models
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from rituals.admin.localization import (
    TranslatedContentAdmin,
    missing_translation_filter,
    schedule_state,
    translation_inline,
)
from rituals.localization import localized
from rituals.models import (
    Prompt,
    PromptDeck,
    PromptDeckTranslation,
    PromptTranslation,
    RitualTemplate,
    RitualTemplateTranslation,
)
from rituals.models.choices import Category, LoveLanguage
from rituals.models.content import live_q

_DAY_NAMES = {
    "MO": "Monday",
    "TU": "Tuesday",
    "WE": "Wednesday",
    "TH": "Thursday",
    "FR": "Friday",
    "SA": "Saturday",
    "SU": "Sunday",
}
_WEEKDAYS = ["MO", "TU", "WE", "TH", "FR"]
_ORDINALS = {
    "1": "first",
    "2": "second",
    "3": "third",
    "4": "fourth",
    "5": "fifth",
    "-1": "last",
    "-2": "second to last",
    "-3": "third to last",
    "-4": "fourth to last",
    "-5": "fifth to last",
}
_DRAFT_NOTE = "Draft: not shown in the app until published."
_FREQUENCIES = {"DAILY": ("day", "days"), "WEEKLY": ("week", "weeks"), "MONTHLY": ("month", "months")}


def _join_words(words: list[str]) -> str:
    if not words:
        return ""
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def _day_in_words(token: str) -> str | None:
    """'SU' -> 'Sunday', '1SA' -> 'the first Saturday', '-1FR' -> 'the last Friday'; None if unknown."""
    day, number = token[-2:], token[:-2]
    if day not in _DAY_NAMES:
        return None
    if not number:
        return _DAY_NAMES[day]
    ordinal = _ORDINALS.get(number)
    return f"the {ordinal} {_DAY_NAMES[day]}" if ordinal else None


def schedule_in_words(rrule: str, at: time | None = None) -> str:
    """'FREQ=WEEKLY;BYDAY=SU' at 19:00 -> 'Every Sunday at 19:00'. Falls back to the raw rule if unreadable."""
    parts = dict(item.split("=", 1) for item in rrule.upper().split(";") if "=" in item)
    freq = parts.get("FREQ", "")
    interval_text = parts.get("INTERVAL", "1")
    if freq not in _FREQUENCIES or not interval_text.isdigit() or int(interval_text) < 1:
        return rrule
    interval = int(interval_text)
    days = [day for day in parts.get("BYDAY", "").split(",") if day]
    day_words = [_day_in_words(day) for day in days]
    if None in day_words:
        return rrule
    names = _join_words([word for word in day_words if word])
    singular, plural = _FREQUENCIES[freq]
    every = f"Every {singular}" if interval == 1 else f"Every {interval} {plural}"
    if freq == "WEEKLY" and days and interval == 1:
        every = "Every weekday" if days == _WEEKDAYS else f"Every {names}"
    elif days:
        every = f"{every} on {names}"
    if at is not None:
        every += f" at {at:%H:%M}"
    if parts.get("COUNT", "").isdigit():
        every += f", {parts['COUNT']} times"
    if "UNTIL" in parts:
        every += f", until {parts['UNTIL'][:4]}-{parts['UNTIL'][4:6]}-{parts['UNTIL'][6:8]}"
    return every


def _duration_in_words(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{minutes} min"
    return f"{hours} h {rest} min" if rest else f"{hours} h"


def _draft_note(item: Any) -> str:
    """Nothing for a live item; else why the app does not show it (draft, scheduled, ended)."""
    if item.is_live():
        return ""
    note = _DRAFT_NOTE if not item.is_published else f"{schedule_state(item)}: not shown in the app now."
    return format_html("<p><em>{}</em></p>", note)


def _paragraphs(text: str) -> SafeString:
    """Blank-line separated paragraphs, each escaped."""
    chunks = [chunk.strip() for chunk in text.replace("\r\n", "\n").split("\n\n") if chunk.strip()]
    return format_html_join("", "<p>{}</p>", ((chunk,) for chunk in chunks))


def _validate_rrule(value: str) -> str:
    """The rule in canonical form, checked by the same parser the rituals use, so a template can never
    suggest a rule a ritual would reject."""
    try:
        from rituals.recurrence import parse_rrule
    except ModuleNotFoundError as exc:  # pragma: no cover - only until rituals.recurrence lands
        if exc.name != "rituals.recurrence":
            raise
        return _parse_rrule_fallback(value)
    try:
        return parse_rrule(value)["text"]
    except ValidationError as exc:
        # A field's clean method needs a flat error, whatever shape the parser raised.
        raise ValidationError(exc.messages, code="invalid_rrule") from exc


def _parse_rrule_fallback(value: str) -> str:
    """A coarse check used only while rituals.recurrence is missing: known parts and a supported FREQ."""
    parts: dict[str, str] = {}
    for item in value.upper().split(";"):
        key, sep, val = item.partition("=")
        if not sep or key not in {"FREQ", "INTERVAL", "BYDAY", "COUNT", "UNTIL"}:
            raise ValidationError(f"Unsupported RRULE part: {item!r}.", code="invalid_rrule")
        parts[key] = val
    if parts.get("FREQ") not in _FREQUENCIES:
        raise ValidationError(_("FREQ must be DAILY, WEEKLY or MONTHLY."), code="invalid_rrule")
    return value.upper()


class RitualTemplateAdminForm(forms.ModelForm):
    love_languages = forms.MultipleChoiceField(
        choices=LoveLanguage.choices, widget=forms.CheckboxSelectMultiple, required=False
    )

    class Meta:
        model = RitualTemplate
        fields = [
            "slug",
            "title",
            "description",
            "why_it_helps",
            "category",
            "suggested_rrule",
            "suggested_time",
            "duration_minutes",
            "love_languages",
            "is_joint",
            "is_published",
            "publish_at",
            "unpublish_at",
            "ordering",
        ]

    def clean_suggested_rrule(self) -> str:
        return _validate_rrule(self.cleaned_data["suggested_rrule"].strip())

    def clean_love_languages(self) -> list[str]:
        chosen = set(self.cleaned_data["love_languages"])
        return [code for code in LoveLanguage.values if code in chosen]  # stable order, no duplicates


class LoveLanguageFilter(admin.SimpleListFilter):
    title = "love language"
    parameter_name = "love_language"

    def lookups(self, request: HttpRequest, model_admin: Any) -> Iterable[tuple[str, str]]:
        return LoveLanguage.choices

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if not value:
            return queryset
        if value not in LoveLanguage.values:
            return queryset.none()
        if connections[queryset.db].features.supports_json_field_contains:
            return queryset.filter(love_languages__contains=[value])
        # SQLite (the embedded default) has no JSON containment: match the quoted code in the text.
        return queryset.filter(love_languages__icontains=f'"{value}"')


@admin.register(RitualTemplate)
class RitualTemplateAdmin(TranslatedContentAdmin):
    form = RitualTemplateAdminForm
    translation_model = RitualTemplateTranslation
    owner_field = "template"
    translated_fields = ("title", "description", "why_it_helps")
    inlines = (translation_inline(RitualTemplateTranslation, translated_fields),)
    list_display = (
        "title",
        "category",
        "schedule",
        "duration_minutes",
        "is_joint",
        "is_published",
        "schedule_state",
        "translation_status",
        "ordering",
    )
    list_editable = ("is_published", "ordering")
    list_filter = (
        "is_published",
        "category",
        LoveLanguageFilter,
        "is_joint",
        missing_translation_filter(RitualTemplateTranslation, "template"),
    )
    search_fields = ("title", "slug", "description", "why_it_helps")
    prepopulated_fields = {"slug": ("title",)}
    readonly_fields = ("id", "preview", "created_at", "updated_at")
    fieldsets = (
        ("Preview", {"fields": ("preview",)}),
        (None, {"fields": ("title", "slug", "category", "description", "why_it_helps")}),
        ("Suggested schedule", {"fields": ("suggested_rrule", "suggested_time", "duration_minutes", "is_joint")}),
        (
            "Tags and publishing",
            {"fields": ("love_languages", "is_published", "publish_at", "unpublish_at", "ordering")},
        ),
        ("Record", {"fields": ("id", "created_at", "updated_at"), "classes": ("collapse",)}),
    )

    @admin.display(description="Schedule")
    def schedule(self, template: RitualTemplate) -> str:
        return schedule_in_words(template.suggested_rrule, template.suggested_time)

    @admin.display(description="As the app shows it")
    def preview(self, template: RitualTemplate) -> SafeString:
        if template._state.adding:
            return format_html("<em>{}</em>", "Save the template to see the preview.")
        labels = dict(LoveLanguage.choices)
        love_languages = [labels.get(code, code) for code in template.love_languages or []]
        return format_html(
            '<div style="max-width:40em">'
            '<p style="font-size:1.2em"><strong>{}</strong></p>'
            "<p>{} &middot; {} &middot; {}</p>"
            "{}"
            "<p><strong>{}</strong></p>{}"
            "<p><strong>Suggested:</strong> {}</p>"
            "<p><strong>Love languages:</strong> {}</p>"
            "{}"
            "<p>Preview as: {}</p>"
            "</div>",
            template.title,
            Category(template.category).label if template.category in Category.values else template.category,
            "Together" if template.is_joint else "Each on your own",
            _duration_in_words(template.duration_minutes),
            _paragraphs(template.description),
            "Why it helps",
            _paragraphs(template.why_it_helps),
            schedule_in_words(template.suggested_rrule, template.suggested_time),
            ", ".join(love_languages) or "none",
            _draft_note(template),
            self.preview_links(template),
        )


class PromptInline(admin.TabularInline):
    model = Prompt
    fields = ("text", "is_published", "publish_at", "unpublish_at", "ordering")
    extra = 1
    ordering = ("ordering", "id")
    formfield_overrides = {models.CharField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 80})}}


@admin.register(PromptDeck)
class PromptDeckAdmin(TranslatedContentAdmin):
    translation_model = PromptDeckTranslation
    owner_field = "deck"
    translated_fields = ("title", "description")
    inlines = (PromptInline, translation_inline(PromptDeckTranslation, translated_fields))
    list_display = (
        "title",
        "kind",
        "prompts_published",
        "is_published",
        "schedule_state",
        "translation_status",
        "ordering",
    )
    list_editable = ("is_published", "ordering")
    list_filter = ("is_published", "kind", missing_translation_filter(PromptDeckTranslation, "deck"))
    search_fields = ("title", "slug", "description")
    prepopulated_fields = {"slug": ("title",)}
    readonly_fields = ("id", "preview", "created_at")
    fieldsets = (
        ("Preview", {"fields": ("preview",)}),
        (None, {"fields": ("title", "slug", "kind", "description")}),
        ("Publishing", {"fields": ("is_published", "publish_at", "unpublish_at", "ordering")}),
        ("Record", {"fields": ("id", "created_at"), "classes": ("collapse",)}),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[PromptDeck]:
        # Counted in the changelist's one query, not one count per row.
        return (
            super()
            .get_queryset(request)
            .annotate(
                prompt_total=Count("prompts"),
                prompt_published=Count("prompts", filter=Q(prompts__is_published=True)),
            )
        )

    @admin.display(description="Prompts (published / all)")
    def prompts_published(self, deck: PromptDeck) -> str:
        return f"{getattr(deck, 'prompt_published', 0)} / {getattr(deck, 'prompt_total', 0)}"

    @admin.display(description="As the app shows it")
    def preview(self, deck: PromptDeck) -> SafeString:
        if deck._state.adding:
            return format_html("<em>{}</em>", "Save the deck to see the preview.")
        now = timezone.now()
        live = deck.prompts.filter(live_q(now)).order_by("ordering", "id")
        language = getattr(deck, "preview_locale", None)
        translated = localized(live, relation="translations", fields=("text",), language=language, approved_only=False)
        prompts = [prompt.text_localized for prompt in translated]
        return format_html(
            '<div style="max-width:40em">'
            '<p style="font-size:1.2em"><strong>{}</strong></p>'
            "<p>{} &middot; {} published prompts</p>"
            "{}"
            "<ol>{}</ol>"
            "{}"
            "<p>Preview as: {}</p>"
            "</div>",
            deck.title,
            PromptDeck.Kind(deck.kind).label if deck.kind in PromptDeck.Kind.values else deck.kind,
            len(prompts),
            _paragraphs(deck.description),
            format_html_join("", "<li>{}</li>", ((text,) for text in prompts)),
            _draft_note(deck),
            self.preview_links(deck),
        )


@admin.register(Prompt)
class PromptAdmin(TranslatedContentAdmin):
    translation_model = PromptTranslation
    owner_field = "prompt"
    translated_fields = ("text",)
    inlines = (translation_inline(PromptTranslation, translated_fields),)
    list_display = ("short_text", "deck", "is_published", "schedule_state", "translation_status", "ordering")
    list_editable = ("is_published", "ordering")
    list_filter = (
        "is_published",
        "deck__kind",
        ("deck", admin.RelatedOnlyFieldListFilter),
        missing_translation_filter(PromptTranslation, "prompt"),
    )
    search_fields = ("text", "deck__title")
    list_select_related = ("deck",)
    autocomplete_fields = ("deck",)
    fields = ("id", "deck", "text", "preview", "is_published", "publish_at", "unpublish_at", "ordering")
    readonly_fields = ("id", "preview")

    @admin.display(description="As the app shows it")
    def preview(self, prompt: Prompt) -> SafeString:
        if prompt._state.adding:
            return format_html("<em>{}</em>", "Save the prompt to see the preview.")
        return format_html(
            '<p style="font-size:1.2em" class="preview-text">{}</p>{}<p>Preview as: {}</p>',
            prompt.text,
            _draft_note(prompt),
            self.preview_links(prompt),
        )

    @admin.display(description="Prompt", ordering="text")
    def short_text(self, prompt: Prompt) -> str:
        return prompt.text if len(prompt.text) <= 90 else prompt.text[:89] + "…"
