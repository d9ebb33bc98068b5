"""Input and output of the check-in endpoints."""

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from config.api.output import OutputSerializer
from config.api.serializers import Serializer
from rituals.models import CheckIn
from rituals.selectors.checkins import DEFAULT_WEEKS, MAX_WEEKS


class CheckInCreateInputSerializer(Serializer):
    id = serializers.UUIDField(
        required=False, help_text="Your own id for the check-in: sending the same create again returns the first one."
    )
    mood = serializers.IntegerField(min_value=1, max_value=5, help_text="1 (low) to 5 (great).")
    connection = serializers.IntegerField(
        min_value=1, max_value=5, help_text="How connected you feel to your partner, 1 to 5."
    )
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    is_shared = serializers.BooleanField(
        required=False, default=False, help_text="Private (false, the default) or visible to your partner."
    )


class CheckInAuthorOutputSerializer(OutputSerializer):
    role = serializers.ChoiceField(choices=["me", "partner"])
    id = serializers.UUIDField()


class CheckInOutputSerializer(OutputSerializer):
    id = serializers.UUIDField()
    author = serializers.SerializerMethodField()
    mood = serializers.IntegerField()
    connection = serializers.IntegerField()
    note = serializers.CharField()
    is_shared = serializers.BooleanField()
    local_date = serializers.DateField(help_text="The author's own date when they checked in.")
    created_at = serializers.DateTimeField()

    @extend_schema_field(CheckInAuthorOutputSerializer)
    def get_author(self, check_in: CheckIn) -> dict[str, Any]:
        role = "me" if check_in.user_id == self.context["user"].pk else "partner"
        return {"role": role, "id": str(check_in.user_id)}


CHECK_IN_OUTPUT = CheckInOutputSerializer()  # render(check_in, user=...): fields and plan built once


class CheckInSummaryQuerySerializer(Serializer):
    weeks = serializers.IntegerField(
        min_value=1, max_value=MAX_WEEKS, required=False, default=DEFAULT_WEEKS, help_text="How many weeks, 1 to 52."
    )


class CheckInScoresOutputSerializer(OutputSerializer):
    count = serializers.IntegerField()
    mood_avg = serializers.FloatField(allow_null=True)
    connection_avg = serializers.FloatField(allow_null=True)


class CheckInSummaryWeekOutputSerializer(OutputSerializer):
    week_start = serializers.DateField(help_text="Monday of the ISO week.")
    week_end = serializers.DateField(help_text="Sunday of the ISO week.")
    me = CheckInScoresOutputSerializer()
    partner = CheckInScoresOutputSerializer(
        allow_null=True, help_text="Your partner's shared check-ins only; null when you are not paired."
    )


class CheckInSummaryOutputSerializer(OutputSerializer):
    weeks = serializers.IntegerField()
    time_zone = serializers.CharField(help_text="Your zone, which decides which week is the current one.")
    paired = serializers.BooleanField()
    results = CheckInSummaryWeekOutputSerializer(many=True, help_text="Oldest week first; the last is this week.")
