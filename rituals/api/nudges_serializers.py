"""Input and output of the nudge endpoints."""

from rest_framework import serializers

from config.api.output import OutputModelSerializer
from config.api.serializers import Serializer
from rituals.models import Nudge
from rituals.selectors.nudges import nudge_direction, nudge_state
from rituals.services.nudges import APPRECIATION_MAX_LENGTH, RESPONSE_TEXT_MAX_LENGTH


class NudgeSendInputSerializer(Serializer):
    id = serializers.UUIDField(
        required=False,
        help_text="Client-generated id: sending the same id again returns the nudge already sent (offline replays).",
    )
    kind = serializers.ChoiceField(choices=Nudge.Kind.choices)
    # The per-kind limits (appreciation 500, others 140, appreciation required) are the service's.
    message = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=APPRECIATION_MAX_LENGTH,
        default="",
        help_text="Required for an appreciation (up to 500 characters); an optional short line (140) otherwise.",
    )


class NudgeRespondInputSerializer(Serializer):
    response = serializers.ChoiceField(choices=Nudge.Response.choices)
    text = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=RESPONSE_TEXT_MAX_LENGTH,
        default="",
        help_text="The reply, required when response is `text`; not allowed otherwise.",
    )


class NudgeOutputSerializer(OutputModelSerializer):
    """A nudge as one partner sees it. Needs `context={"user": ...}` (the requester)."""

    direction = serializers.SerializerMethodField(help_text="`sent` by the requester or `received` by them.")
    state = serializers.SerializerMethodField(help_text="`delivered`, `seen` or `responded`.")
    # Declared for the schema: a read-only model field loses `allow_blank`, so '' (no response yet)
    # would be missing from the enum.
    response = serializers.ChoiceField(choices=Nudge.Response.choices, allow_blank=True, read_only=True)

    class Meta:
        model = Nudge
        fields = [
            "id",
            "kind",
            "message",
            "direction",
            "state",
            "created_at",
            "delivered_at",
            "seen_at",
            "response",
            "response_text",
            "responded_at",
        ]
        read_only_fields = fields

    def get_direction(self, nudge: Nudge) -> str:
        return nudge_direction(nudge, self.context["user"])

    def get_state(self, nudge: Nudge) -> str:
        return nudge_state(nudge)


NUDGE_OUTPUT = NudgeOutputSerializer()  # render(nudge, user=...): fields and plan built once
