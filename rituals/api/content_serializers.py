"""Input and output serializers of the content endpoints (ritual templates and prompt decks)."""

from rest_framework import serializers

from config.api.fields import WallTimeField
from rituals.models import Prompt, PromptDeck, RitualTemplate
from rituals.models.choices import Category, LoveLanguage


class RitualTemplateListFilterInputSerializer(serializers.Serializer):
    category = serializers.ChoiceField(
        choices=Category.choices, required=False, allow_blank=True, help_text="Only templates of this category."
    )


class RitualTemplateOutputSerializer(serializers.ModelSerializer):
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
        ]
        read_only_fields = fields


class PromptDeckOutputSerializer(serializers.ModelSerializer):
    prompt_count = serializers.IntegerField(read_only=True, help_text="Number of published prompts in the deck.")

    class Meta:
        model = PromptDeck
        fields = ["id", "slug", "title", "description", "kind", "ordering", "prompt_count"]
        read_only_fields = fields


class DeckPromptOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Prompt
        fields = ["id", "text", "ordering"]
        read_only_fields = fields


class PromptDeckDetailOutputSerializer(PromptDeckOutputSerializer):
    prompts = DeckPromptOutputSerializer(source="published_prompts", many=True, read_only=True)

    class Meta(PromptDeckOutputSerializer.Meta):
        fields = [*PromptDeckOutputSerializer.Meta.fields, "prompts"]
        read_only_fields = fields
