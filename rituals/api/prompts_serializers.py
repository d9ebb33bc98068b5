"""Input and output of the daily prompt endpoints."""

from rest_framework import serializers

from config.api.output import OutputSerializer
from config.api.serializers import Serializer
from rituals.services.prompts import ANSWER_MAX_LENGTH


class PromptAnswerInputSerializer(Serializer):
    text = serializers.CharField(max_length=ANSWER_MAX_LENGTH)
    daily_prompt_id = serializers.UUIDField(
        required=False,
        help_text="The daily prompt the app showed; if the couple-day has rolled over since, the answer is refused "
        "with 409 `prompt_day_over` instead of landing on a question the user never saw.",
    )


class DailyPromptAnswerOutputSerializer(OutputSerializer):
    text = serializers.CharField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class DailyPromptQuestionOutputSerializer(OutputSerializer):
    """Serializes a daily prompt annotated by `rituals.selectors.prompts.with_localized_texts`."""

    id = serializers.UUIDField(source="prompt_id")
    text = serializers.CharField(source="prompt_text_localized", help_text="In the reader's language when translated.")
    locale = serializers.CharField(source="prompt_content_locale", help_text="The language of `text`.")
    translated = serializers.BooleanField(
        source="prompt_content_translated", help_text="True when `text` is an approved translation."
    )


class DailyPromptDeckOutputSerializer(OutputSerializer):
    id = serializers.UUIDField(source="prompt.deck.id")
    title = serializers.CharField(source="deck_title_localized")
    kind = serializers.CharField(source="prompt.deck.kind")


class DailyPromptOutputSerializer(OutputSerializer):
    """Serializes a `rituals.selectors.prompts.DailyPromptView`."""

    id = serializers.UUIDField(source="daily_prompt.id")
    day = serializers.DateField(source="daily_prompt.day", help_text="The couple-day, in the couple's time zone.")
    prompt = DailyPromptQuestionOutputSerializer(source="daily_prompt")
    deck = DailyPromptDeckOutputSerializer(source="daily_prompt")
    my_answer = DailyPromptAnswerOutputSerializer(allow_null=True)
    partner_answered = serializers.BooleanField()
    partner_answer = DailyPromptAnswerOutputSerializer(
        allow_null=True, help_text="Null until both partners answered (mutual reveal)."
    )
    revealed = serializers.BooleanField(help_text="Both answered: the answers are visible to both and locked.")


# Built once and reused (the daily prompt is read on every app start): DRF deep-copies declared
# fields for every new serializer instance.
DAILY_PROMPT_OUTPUT = DailyPromptOutputSerializer()
DAILY_PROMPTS_OUTPUT = DailyPromptOutputSerializer(many=True)
