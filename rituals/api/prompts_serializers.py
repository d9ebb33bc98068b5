"""Input and output of the daily prompt endpoints."""

from rest_framework import serializers

from rituals.services.prompts import ANSWER_MAX_LENGTH


class PromptAnswerInputSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=ANSWER_MAX_LENGTH)
    daily_prompt_id = serializers.UUIDField(
        required=False,
        help_text="The daily prompt the app showed; if the couple-day has rolled over since, the answer is refused "
        "with 409 `prompt_day_over` instead of landing on a question the user never saw.",
    )


class DailyPromptAnswerOutputSerializer(serializers.Serializer):
    text = serializers.CharField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class DailyPromptQuestionOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    text = serializers.CharField()


class DailyPromptDeckOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    title = serializers.CharField()
    kind = serializers.CharField()


class DailyPromptOutputSerializer(serializers.Serializer):
    """Serializes a `rituals.selectors.prompts.DailyPromptView`."""

    id = serializers.UUIDField(source="daily_prompt.id")
    day = serializers.DateField(source="daily_prompt.day", help_text="The couple-day, in the couple's time zone.")
    prompt = DailyPromptQuestionOutputSerializer(source="daily_prompt.prompt")
    deck = DailyPromptDeckOutputSerializer(source="daily_prompt.prompt.deck")
    my_answer = DailyPromptAnswerOutputSerializer(allow_null=True)
    partner_answered = serializers.BooleanField()
    partner_answer = DailyPromptAnswerOutputSerializer(
        allow_null=True, help_text="Null until both partners answered (mutual reveal)."
    )
    revealed = serializers.BooleanField(help_text="Both answered: the answers are visible to both and locked.")
