"""Input and output serializers of the ritual endpoints. Shapes only: the rules live in the services."""

import re
from datetime import date, datetime
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from config.api.fields import WallTimeField
from config.api.output import OutputSerializer
from config.api.serializers import Serializer
from rituals import recurrence
from rituals.models import Ritual
from rituals.models.choices import Category

_TIME_FORMATS = ["%H:%M", "%H:%M:%S"]
_RRULE_HELP = (
    "RFC 5545 RRULE subset without DTSTART: FREQ=DAILY|WEEKLY|MONTHLY, INTERVAL, BYDAY (MO..SU; "
    "1SU/-1FR with MONTHLY), COUNT or UNTIL. Example: FREQ=WEEKLY;BYDAY=SU"
)


class _RitualFieldsSerializer(Serializer):
    """Fields a client may set on create and on PATCH (services ignore any other key)."""

    title = serializers.CharField(max_length=120, required=False)
    description = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    category = serializers.ChoiceField(choices=Category.choices, required=False)
    rrule = serializers.CharField(max_length=200, required=False, help_text=_RRULE_HELP)
    start_date = serializers.DateField(required=False, help_text="First local date; default today in time_zone.")
    local_time = WallTimeField(required=False, input_formats=_TIME_FORMATS, help_text="Wall time, 19:00.")
    time_zone = serializers.CharField(max_length=64, required=False, help_text="IANA zone; default the creator's.")
    duration_minutes = serializers.IntegerField(min_value=1, max_value=24 * 60, required=False)
    reminder_offset_minutes = serializers.IntegerField(min_value=0, max_value=7 * 24 * 60, required=False)
    is_joint = serializers.BooleanField(required=False)
    requires_both_confirmation = serializers.BooleanField(required=False)
    grace_days = serializers.IntegerField(min_value=0, max_value=7, required=False)

    # The service checks these too (for every caller); here they join the other field errors of
    # the same request, so a client sees all of them at once.
    def validate_rrule(self, value: str) -> str:
        return recurrence.parse_rrule(value)["text"]

    def validate_time_zone(self, value: str) -> str:
        recurrence.zone(value)
        return value


class RitualCreateInputSerializer(_RitualFieldsSerializer):
    id = serializers.UUIDField(required=False, help_text="Client-generated id: a replayed create returns 200.")
    template_id = serializers.UUIDField(required=False, help_text="Copy a published ritual template.")


class RitualUpdateInputSerializer(_RitualFieldsSerializer):
    status = serializers.ChoiceField(choices=Ritual.Status.choices, required=False)


class RitualStreakOutputSerializer(OutputSerializer):
    current = serializers.IntegerField()
    longest = serializers.IntegerField()


class RitualOutputSerializer(OutputSerializer):
    """Reads a selectors.rituals.RitualView."""

    id = serializers.UUIDField(source="ritual.id")
    template_id = serializers.UUIDField(source="ritual.template_id", allow_null=True)
    title = serializers.CharField(source="ritual.title")
    description = serializers.CharField(source="ritual.description")
    category = serializers.CharField(source="ritual.category")
    rrule = serializers.CharField(source="ritual.rrule")
    start_date = serializers.DateField(source="ritual.start_date")
    local_time = WallTimeField(source="ritual.local_time", format="%H:%M")
    time_zone = serializers.CharField(source="ritual.time_zone")
    duration_minutes = serializers.IntegerField(source="ritual.duration_minutes")
    reminder_offset_minutes = serializers.IntegerField(source="ritual.reminder_offset_minutes")
    is_joint = serializers.BooleanField(source="ritual.is_joint")
    requires_both_confirmation = serializers.BooleanField(source="ritual.requires_both_confirmation")
    status = serializers.CharField(source="ritual.status")
    grace_days = serializers.IntegerField(source="ritual.grace_days")
    streak = RitualStreakOutputSerializer()
    next_occurrence_at = serializers.DateTimeField(allow_null=True, help_text="Null when paused or ended.")
    created_at = serializers.DateTimeField(source="ritual.created_at")
    updated_at = serializers.DateTimeField(source="ritual.updated_at")


@extend_schema_field(OpenApiTypes.STR)
class DateOrDateTimeField(serializers.Field):
    """An ISO 8601 date (2026-03-29) or date-time (2026-03-29T19:00:00+02:00, or Z)."""

    default_error_messages = {
        "invalid": _("Give an ISO 8601 date (2026-03-29) or date-time (2026-03-29T19:00:00Z)."),
        "out_of_range": _("Give a date between {min} and {max}."),
    }

    def to_internal_value(self, data: Any) -> date | datetime:
        if not isinstance(data, str) or len(data) > 40:
            self.fail("invalid")
        # A "+02:00" offset sent unencoded in a query string arrives as " 02:00".
        text = re.sub(r" (\d{2}:?\d{2})$", r"+\1", data.strip())
        try:
            value: date | datetime = date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)
        except ValueError:
            self.fail("invalid")
        if not recurrence.MIN_YEAR <= value.year <= recurrence.MAX_YEAR:
            self.fail("out_of_range", min=recurrence.MIN_YEAR, max=recurrence.MAX_YEAR)
        return value

    def to_representation(self, value: Any) -> str:
        return value.isoformat()


class RitualOccurrencesQuerySerializer(Serializer):
    def get_fields(self) -> dict[str, serializers.Field]:
        # "from" is a Python keyword, so the fields are declared here rather than as attributes.
        return {"from": DateOrDateTimeField(required=False), "to": DateOrDateTimeField(required=False)}


class RitualMyStateOutputSerializer(OutputSerializer):
    completed = serializers.BooleanField()
    completion_id = serializers.UUIDField(allow_null=True)
    completed_at = serializers.DateTimeField(allow_null=True)
    note = serializers.CharField(allow_null=True)
    connection_rating = serializers.IntegerField(allow_null=True)


class RitualPartnerStateOutputSerializer(OutputSerializer):
    completed = serializers.BooleanField()
    completion_id = serializers.UUIDField(allow_null=True)
    completed_at = serializers.DateTimeField(allow_null=True)


class RitualOccurrenceOutputSerializer(OutputSerializer):
    occurrence_at = serializers.DateTimeField(help_text="UTC instant; send it back to record a completion.")
    # A string: a DateTimeField would convert it to UTC and lose the local offset.
    local_start = serializers.CharField(help_text="Wall-clock start with its UTC offset, 2026-03-29T19:00:00+02:00.")
    local_date = serializers.DateField()
    done = serializers.BooleanField(help_text="Counts for the streak (both partners when both must confirm).")
    me = RitualMyStateOutputSerializer()
    partner = RitualPartnerStateOutputSerializer()


class RitualOccurrencesOutputSerializer(OutputSerializer):
    def get_fields(self) -> dict[str, serializers.Field]:
        return {
            "ritual_id": serializers.UUIDField(),
            "time_zone": serializers.CharField(),
            # The window as resolved: dates are local days in the ritual's zone; `to` is exclusive here.
            "from": serializers.DateTimeField(),
            "to": serializers.DateTimeField(),
            "results": RitualOccurrenceOutputSerializer(many=True),
        }


class RitualCompletionCreateInputSerializer(Serializer):
    id = serializers.UUIDField(required=False, help_text="Client-generated id: a replay returns 200 and the same row.")
    occurrence_at = serializers.DateTimeField(help_text="An occurrence_at from /occurrences.")
    note = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")
    connection_rating = serializers.IntegerField(min_value=1, max_value=5, required=False, allow_null=True)


class RitualCompletionOutputSerializer(OutputSerializer):
    id = serializers.UUIDField()
    ritual_id = serializers.UUIDField()
    user_id = serializers.UUIDField()
    occurrence_at = serializers.DateTimeField()
    note = serializers.CharField()
    connection_rating = serializers.IntegerField(allow_null=True)
    created_at = serializers.DateTimeField()


class RitualTodaySummaryOutputSerializer(OutputSerializer):
    id = serializers.UUIDField(source="ritual.id")
    title = serializers.CharField(source="ritual.title")
    category = serializers.CharField(source="ritual.category")
    local_time = WallTimeField(source="ritual.local_time", format="%H:%M")
    time_zone = serializers.CharField(source="ritual.time_zone")
    duration_minutes = serializers.IntegerField(source="ritual.duration_minutes")
    is_joint = serializers.BooleanField(source="ritual.is_joint")
    requires_both_confirmation = serializers.BooleanField(source="ritual.requires_both_confirmation")
    streak = RitualStreakOutputSerializer()


class RitualTodayEntryOutputSerializer(OutputSerializer):
    ritual = RitualTodaySummaryOutputSerializer()
    occurrence_at = serializers.DateTimeField(source="occurrence.occurrence_at")
    local_start = serializers.CharField(
        source="occurrence.local_start", help_text="Start in the requester's zone, with its offset."
    )
    done = serializers.BooleanField(source="occurrence.done")
    me = RitualMyStateOutputSerializer(source="occurrence.me")
    partner = RitualPartnerStateOutputSerializer(source="occurrence.partner")


class RitualsTodayOutputSerializer(OutputSerializer):
    date = serializers.DateField(help_text="The requester's local date.")
    time_zone = serializers.CharField(help_text="The requester's zone.")
    results = RitualTodayEntryOutputSerializer(many=True)


# Built once and reused: DRF deep-copies a serializer's declared fields for every instance, which
# cost more than the rest of a hot read. `to_representation` keeps no state between calls.
RITUAL_OUTPUT = RitualOutputSerializer()
RITUALS_OUTPUT = RitualOutputSerializer(many=True)
RITUALS_TODAY_OUTPUT = RitualsTodayOutputSerializer()
RITUAL_OCCURRENCES_OUTPUT = RitualOccurrencesOutputSerializer()
RITUAL_COMPLETION_OUTPUT = RitualCompletionOutputSerializer()
