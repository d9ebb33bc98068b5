"""Admin: the content team curates date ideas and their translations; plans are visible without their
memories' notes.

The idea admin shares the content admins' translation machinery (rituals.admin.localization): a
translation inline, the status per locale in the list, a "missing translation" filter and "preview as
locale" (drafts included). Ideas keep no history and no schedule, so neither is shown.
"""

from django.contrib import admin
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from dates.models import DateIdea, DateIdeaTranslation, DatePlan
from rituals.admin.localization import TranslatedModelAdmin, missing_translation_filter, translation_inline


@admin.register(DateIdea)
class DateIdeaAdmin(TranslatedModelAdmin):
    translation_model = DateIdeaTranslation
    owner_field = "idea"
    translated_fields = ("title", "description", "why_it_helps")
    inlines = (translation_inline(DateIdeaTranslation, translated_fields),)
    list_display = (
        "title",
        "setting",
        "budget",
        "duration_minutes",
        "season",
        "long_distance_friendly",
        "is_published",
        "translation_status",
    )
    list_filter = (
        "is_published",
        "setting",
        "budget",
        "season",
        "long_distance_friendly",
        missing_translation_filter(DateIdeaTranslation, "idea"),
    )
    search_fields = ("title", "slug")
    prepopulated_fields = {"slug": ("title",)}
    list_editable = ("is_published",)
    readonly_fields = ("id", "preview", "created_at")
    fieldsets = (
        ("Preview", {"fields": ("preview",)}),
        (None, {"fields": ("title", "slug", "description", "why_it_helps")}),
        (
            "Details",
            {
                "fields": (
                    "setting",
                    "budget",
                    "duration_minutes",
                    "season",
                    "long_distance_friendly",
                    "love_languages",
                    "tags",
                )
            },
        ),
        ("Publishing", {"fields": ("is_published", "ordering")}),
        ("Record", {"fields": ("id", "created_at"), "classes": ("collapse",)}),
    )

    @admin.display(description="As the app shows it")
    def preview(self, idea: DateIdea) -> SafeString:
        if idea._state.adding:
            return format_html("<em>{}</em>", "Save the idea to see the preview.")
        paragraphs = ((chunk.strip(),) for chunk in idea.description.split("\n\n") if chunk.strip())
        return format_html(
            '<div style="max-width:40em">'
            '<p style="font-size:1.2em"><strong>{}</strong></p>'
            "<p>{} &middot; {} &middot; {} min</p>"
            "{}"
            "<p><strong>{}</strong></p><p>{}</p>"
            "{}"
            "<p>Preview as: {}</p>"
            "</div>",
            idea.title,
            idea.get_setting_display(),
            idea.get_budget_display(),
            idea.duration_minutes,
            format_html_join("", "<p>{}</p>", paragraphs),
            "Why it helps",
            idea.why_it_helps,
            "" if idea.is_published else format_html("<p><em>{}</em></p>", "Draft: not shown in the app."),
            self.preview_links(idea),
        )


@admin.register(DatePlan)
class DatePlanAdmin(admin.ModelAdmin):
    list_display = ("id", "couple", "status", "local_date", "time_zone", "version")
    list_filter = ("status",)
    fields = ("id", "couple", "status", "local_date", "local_time", "time_zone", "starts_at", "version", "created_at")
    readonly_fields = fields

    def has_add_permission(self, request: object) -> bool:
        return False
