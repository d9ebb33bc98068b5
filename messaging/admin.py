"""The content team's message copy: one row per message and language, in place of the code default.

The add form starts from the code default of the chosen message and language; placeholders are
checked on save (an unknown one is refused with the list of allowed ones); the change page shows
a preview rendered with sample values, and the code default beside it.
"""

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.html import format_html, format_html_join

from messaging import registry
from messaging.models import MessageTemplate
from messaging.render import Copy


class MessageTemplateForm(forms.ModelForm):
    key = forms.ChoiceField(choices=registry.key_choices)

    class Meta:
        model = MessageTemplate
        fields = ("key", "locale", "title", "body")


def _sample(message: registry.Message) -> dict[str, str]:
    return dict(message.placeholders)


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    form = MessageTemplateForm
    list_display = ("key", "locale", "title", "updated_at", "updated_by")
    list_filter = ("locale",)
    search_fields = ("key", "title", "body")
    readonly_fields = ("placeholders", "preview", "default_copy", "updated_at", "updated_by")
    fields = ("key", "locale", "placeholders", "title", "body", "preview", "default_copy", "updated_at", "updated_by")

    def get_queryset(self, request: HttpRequest) -> QuerySet[MessageTemplate]:
        return super().get_queryset(request).select_related("updated_by")

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        """`?key=…&locale=…` pre-fills the form with that message's code default in that language."""
        initial = super().get_changeform_initial_data(request)
        key, locale = request.GET.get("key", ""), request.GET.get("locale", settings.LANGUAGE_CODE)
        if key in registry.known_keys() and locale in dict(settings.LANGUAGES):
            message = registry.get(key)
            with translation.override(locale):
                initial.update(key=key, locale=locale, title=str(message.title), body=str(message.body))
        return initial

    @admin.display(description="Placeholders you may use")
    def placeholders(self, obj: MessageTemplate) -> str:
        if obj.key not in registry.known_keys():
            return "-"
        message = registry.get(obj.key)
        names = format_html_join(", ", "<code>{{{}}}</code>", ((name,) for name in sorted(message.placeholders)))
        return format_html("{} {}", names or "none", message.description)

    @admin.display(description="Preview (sample data)")
    def preview(self, obj: MessageTemplate) -> str:
        if not obj.pk or obj.key not in registry.known_keys():
            return "Saved copy is previewed here."
        message = registry.get(obj.key)
        text = Copy({(obj.key, obj.locale): (obj.title, obj.body)}).render(
            obj.key, language=obj.locale, params=_sample(message)
        )
        return format_html(
            '<div class="message-preview"><strong class="preview-title">{}</strong>'
            '<div class="preview-body" style="white-space: pre-line">{}</div></div>',
            text.title,
            text.body,
        )

    @admin.display(description="Code default (used when this row is deleted)")
    def default_copy(self, obj: MessageTemplate) -> str:
        if obj.key not in registry.known_keys():
            return "-"
        text = Copy.defaults_only().render(obj.key, language=obj.locale, params=_sample(registry.get(obj.key)))
        return format_html('<div style="white-space: pre-line"><strong>{}</strong>\n{}</div>', text.title, text.body)

    def save_model(self, request: HttpRequest, obj: MessageTemplate, form: forms.ModelForm, change: bool) -> None:
        obj.updated_at = timezone.now()
        obj.updated_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)
