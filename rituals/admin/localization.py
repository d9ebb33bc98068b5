"""Admin machinery shared by every translatable content admin (templates, decks, prompts, quizzes, date ideas).

- the translation status per shipped locale in the list (one subquery per locale, in the list's query),
- a "missing translation" filter (no approved translation in that locale),
- the schedule state (draft, scheduled, live, ended) from the same rule as the API (`live_q`),
- "preview as locale": the change page's preview rendered with the locale's translation, drafts included,
- history (django-simple-history's `SimpleHistoryAdmin`: author, diff, revert).

`TranslatedContentAdmin` is all of it; `TranslatedModelAdmin` is the same without history and the
schedule, for translatable content that keeps neither (date ideas, dates.admin).
"""

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.widgets import AdminTextareaWidget
from django.db import models
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from simple_history.admin import SimpleHistoryAdmin

from rituals.localization import localized
from rituals.models.translations import SOURCE_LOCALE, ReviewStatus


def translation_locales() -> list[str]:
    """The shipped locales content is translated into (settings.LANGUAGES without the source)."""
    return [code.lower() for code, _name in settings.LANGUAGES if code.lower() != SOURCE_LOCALE]


def missing_translation_filter(translation_model: type[models.Model], owner_field: str) -> type[admin.SimpleListFilter]:
    class MissingTranslationFilter(admin.SimpleListFilter):
        title = "missing translation"
        parameter_name = "missing_translation"

        def lookups(self, request: HttpRequest, model_admin: Any) -> Iterable[tuple[str, str]]:
            return [(locale, f"{locale}: no approved translation") for locale in translation_locales()]

        def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
            locale = self.value()
            if not locale:
                return queryset
            if locale not in translation_locales():
                return queryset.none()
            approved = translation_model.objects.filter(  # type: ignore[attr-defined]
                **{owner_field: OuterRef("pk")}, locale=locale, status=ReviewStatus.APPROVED
            )
            return queryset.filter(~Exists(approved))

    return MissingTranslationFilter


def schedule_state(item: Any) -> str:
    now = timezone.now()
    if not item.is_published:
        return "Draft"
    if item.publish_at and item.publish_at > now:
        return f"Scheduled from {item.publish_at:%Y-%m-%d %H:%M} UTC"
    if item.unpublish_at and item.unpublish_at <= now:
        return f"Ended {item.unpublish_at:%Y-%m-%d %H:%M} UTC"
    if item.unpublish_at:
        return f"Live until {item.unpublish_at:%Y-%m-%d %H:%M} UTC"
    return "Live"


class TranslatedModelAdmin(admin.ModelAdmin):
    """The list's translation status per locale and "preview as locale" (pair it with
    `missing_translation_filter` and `translation_inline`).

    Subclasses name their translation model, its foreign key to the item and the translated fields,
    and define `preview(item)`, the change page's preview, which "preview as locale" renders with the
    translated fields set to the locale's text.
    """

    translation_model: type[models.Model]
    owner_field: str  # the translation's foreign key to the content row
    translated_fields: Sequence[str]
    preview: Callable[[Any], SafeString]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        statuses = {
            f"translation_status_{locale.replace('-', '_')}": Subquery(
                self.translation_model.objects.filter(  # type: ignore[attr-defined]
                    **{self.owner_field: OuterRef("pk")}, locale=locale
                ).values("status")[:1]
            )
            for locale in translation_locales()
        }
        return super().get_queryset(request).annotate(**statuses)

    @admin.display(description="Translations")
    def translation_status(self, item: Any) -> str:
        labels = dict(ReviewStatus.choices)
        parts = []
        for locale in translation_locales():
            status = getattr(item, f"translation_status_{locale.replace('-', '_')}", None)
            parts.append(f"{locale}: {labels.get(status, status) if status else 'missing'}")
        return " · ".join(parts)

    def get_urls(self) -> list[URLPattern]:
        info = self.model._meta.app_label, self.model._meta.model_name
        return [
            path(
                "<path:object_id>/preview/<str:locale>/",
                self.admin_site.admin_view(self.preview_as_locale_view),
                name="%s_%s_preview_locale" % info,  # noqa: UP031 - the admin's own naming scheme
            ),
            *super().get_urls(),
        ]

    def preview_links(self, item: Any) -> SafeString:
        info = self.model._meta.app_label, self.model._meta.model_name
        links = (
            (reverse("admin:%s_%s_preview_locale" % info, args=[item.pk, locale]), locale)  # noqa: UP031
            for locale in [SOURCE_LOCALE, *translation_locales()]
        )
        return format_html_join(" · ", '<a href="{}">{}</a>', links)

    def preview_as_locale_view(self, request: HttpRequest, object_id: str, locale: str) -> HttpResponse:
        if locale not in [SOURCE_LOCALE, *translation_locales()]:
            raise Http404("Not a shipped locale.")
        if not self.has_view_or_change_permission(request):
            raise Http404
        rows = self.model._default_manager.filter(pk=object_id)
        relation = str(self.translation_model._meta.get_field(self.owner_field).remote_field.related_name)  # type: ignore[union-attr]
        previewed = localized(
            rows, relation=relation, fields=self.translated_fields, language=locale, approved_only=False
        )
        item = previewed.first()
        if item is None:
            raise Http404
        status = (
            self.translation_model.objects.filter(**{self.owner_field: item.pk}, locale=locale)  # type: ignore[attr-defined]
            .values_list("status", flat=True)
            .first()
        )
        for field in self.translated_fields:
            setattr(item, field, getattr(item, f"{field}_localized"))
        item.preview_locale = locale  # previews that list children (a deck's prompts) translate them too
        if locale == SOURCE_LOCALE:
            note = "The English original."
        elif status is None:
            note = f"No {locale} translation yet: the app shows the English original."
        elif status != ReviewStatus.APPROVED:
            label = ReviewStatus(status).label.lower()
            note = f"The {locale} translation is {label}: the app shows English until it is approved."
        else:
            note = f"The approved {locale} translation, as the app shows it."
        info = self.model._meta.app_label, self.model._meta.model_name
        context = {
            **self.admin_site.each_context(request),
            "title": f"Preview as {locale}",
            "original": item,
            "locale": locale,
            "note": note,
            "preview": self.preview(item),
            "locale_links": self.preview_links(item),
            "change_url": reverse("admin:%s_%s_change" % info, args=[item.pk]),  # noqa: UP031
        }
        return TemplateResponse(request, "admin/rituals/preview_as_locale.html", context)


class TranslatedContentAdmin(TranslatedModelAdmin, SimpleHistoryAdmin):
    """Base of the scheduled content admins (templates, decks, prompts, quizzes): translations, the
    schedule state and history."""

    @admin.display(description="In the app")
    def schedule_state(self, item: Any) -> str:
        return schedule_state(item)


def translation_inline(model: type[models.Model], text_fields: Sequence[str]) -> type[admin.TabularInline]:
    """An inline of the item's translations: locale, the translated fields and the review status."""
    attributes = {
        "model": model,
        "fields": ("locale", *text_fields, "status"),
        "extra": 0,
        "formfield_overrides": {models.TextField: {"widget": AdminTextareaWidget(attrs={"rows": 3})}},
    }
    return type(f"{model.__name__}Inline", (admin.TabularInline,), attributes)
