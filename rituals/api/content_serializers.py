"""Input and output serializers of the content endpoints (ritual templates and prompt decks)."""

from rest_framework import serializers

from config.api.fields import WallTimeField
from config.api.output import OutputModelSerializer, OutputSerializer
from config.api.serializers import Serializer
from rituals.models import Prompt, PromptDeck, RitualTemplate
from rituals.models.choices import Category, LoveLanguage


class RitualTemplateListFilterInputSerializer(Serializer):
    category = serializers.ChoiceField(
        choices=Category.choices, required=False, allow_blank=True, help_text="Only templates of this category."
    )


class RitualTemplateListFilterForInputSerializer(RitualTemplateListFilterInputSerializer):
    for_ = serializers.ChoiceField(
        choices=[("partner", "partner")],
        required=False,
        allow_blank=True,
        help_text="`partner`: templates that speak the partner's top love languages first (when the partner "
        "shares their ranking; otherwise the curated order).",
    )

    def get_fields(self) -> dict[str, serializers.Field]:
        # `for` is a Python keyword: the field is declared as `for_` and read from `?for=`.
        fields = super().get_fields()
        fields["for"] = fields.pop("for_")
        return fields


class LocalizedOutputMixin(OutputSerializer):
    locale = serializers.CharField(
        source="content_locale", read_only=True, help_text="The language of the texts returned (e.g. de, pt, en)."
    )
    translated = serializers.BooleanField(
        source="content_translated",
        read_only=True,
        help_text="True when the texts are an approved translation; false when they are the English original.",
    )


class RitualTemplateOutputSerializer(LocalizedOutputMixin, OutputModelSerializer):
    title = serializers.CharField(source="title_localized", read_only=True)
    description = serializers.CharField(source="description_localized", read_only=True)
    why_it_helps = serializers.CharField(source="why_it_helps_localized", read_only=True)
    category = serializers.ChoiceField(choices=Category.choices, read_only=True)
    love_languages = serializers.ListField(
        child=serializers.ChoiceField(choices=LoveLanguage.choices),
        read_only=True,
        help_text="Love-language codes this ritual speaks to.",
    )
    suggested_rrule = serializers.CharField(
        read_only=True, help_text='An RRULE of the supported subset, e.g. "FREQ=WEEKLY;BYDAY=SU".'
    )
    suggested_time = WallTimeField(
        read_only=True, allow_null=True, help_text="Suggested local wall-clock time (HH:MM:SS), or null."
    )
    is_joint = serializers.BooleanField(
        read_only=True, help_text="Done together (true) or by each partner on their own (false)."
    )

    class Meta:
        model = RitualTemplate
        fields = [
            "id",
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
            "ordering",
            "locale",
            "translated",
        ]
        read_only_fields = fields


class PromptDeckOutputSerializer(LocalizedOutputMixin, OutputModelSerializer):
    title = serializers.CharField(source="title_localized", read_only=True)
    description = serializers.CharField(source="description_localized", read_only=True)
    prompt_count = serializers.IntegerField(read_only=True, help_text="Number of published prompts in the deck.")

    class Meta:
        model = PromptDeck
        fields = ["id", "slug", "title", "description", "kind", "ordering", "prompt_count", "locale", "translated"]
        read_only_fields = fields


class DeckPromptOutputSerializer(LocalizedOutputMixin, OutputModelSerializer):
    text = serializers.CharField(source="text_localized", read_only=True)

    class Meta:
        model = Prompt
        fields = ["id", "text", "ordering", "locale", "translated"]
        read_only_fields = fields


class PromptDeckDetailOutputSerializer(PromptDeckOutputSerializer):
    prompts = DeckPromptOutputSerializer(source="published_prompts", many=True, read_only=True)

    class Meta(PromptDeckOutputSerializer.Meta):
        fields = [*PromptDeckOutputSerializer.Meta.fields, "prompts"]
        read_only_fields = fields


# Built once and reused: DRF deep-copies declared fields for every new serializer instance.
RITUAL_TEMPLATES_OUTPUT = RitualTemplateOutputSerializer(many=True)
PROMPT_DECKS_OUTPUT = PromptDeckOutputSerializer(many=True)
