"""Input and output serializers of the insights endpoints. Explicit fields; names unique project-wide."""

from rest_framework import serializers

from config.api.fields import WallTimeField
from config.api.output import OutputSerializer
from config.api.serializers import Serializer
from insights.models import SpecialDate

MILESTONE_KINDS = ["days_100", "half_year", "anniversary", "special_date"]
SUGGESTION_KINDS = ["reschedule", "try_template"]


class ReportBidsOutputSerializer(OutputSerializer):
    sent = serializers.IntegerField(help_text="The couple's bids (nudges, appreciations) this week, both directions.")
    seen = serializers.IntegerField(help_text="Of those, seen by their recipient.")
    turned_toward = serializers.IntegerField(help_text="Of those, answered (turned toward).")


class ReportPositiveMomentsOutputSerializer(OutputSerializer):
    appreciations = serializers.IntegerField()
    answered_bids = serializers.IntegerField()
    affection_rituals = serializers.IntegerField()
    date_nights = serializers.IntegerField()
    questions_both_answered = serializers.IntegerField()
    total = serializers.IntegerField()
    previous_weeks_average = serializers.FloatField(allow_null=True, help_text="Over up to the 4 weeks before.")
    trend = serializers.ChoiceField(choices=["up", "down", "steady"], allow_null=True)


class ReportRitualOutputSerializer(OutputSerializer):
    ritual_id = serializers.UUIDField()
    title = serializers.CharField()
    due = serializers.IntegerField()
    done = serializers.IntegerField()
    streak = serializers.IntegerField(allow_null=True)
    streak_change = serializers.IntegerField(allow_null=True)


class ReportSharedCheckInsOutputSerializer(OutputSerializer):
    user_id = serializers.UUIDField()
    count = serializers.IntegerField()
    mood_avg = serializers.FloatField(allow_null=True)
    connection_avg = serializers.FloatField(allow_null=True)


class ReportSuggestionOutputSerializer(OutputSerializer):
    kind = serializers.ChoiceField(choices=SUGGESTION_KINDS)
    ritual_id = serializers.UUIDField(allow_null=True)
    template_id = serializers.UUIDField(allow_null=True)
    title = serializers.CharField()


class ReportSharedOutputSerializer(OutputSerializer):
    week_start = serializers.DateField()
    week_end = serializers.DateField()
    time_zone = serializers.CharField()
    bids = ReportBidsOutputSerializer()
    positive_moments = ReportPositiveMomentsOutputSerializer()
    rituals = ReportRitualOutputSerializer(many=True)
    shared_check_ins = ReportSharedCheckInsOutputSerializer(many=True)
    suggestion = ReportSuggestionOutputSerializer(allow_null=True)


class ReportPersonalOutputSerializer(OutputSerializer):
    bids_sent = serializers.IntegerField()
    bids_received = serializers.IntegerField()
    bids_seen = serializers.IntegerField(help_text="Your partner's bids you saw; unseen ones never count against you.")
    turned_toward = serializers.IntegerField()
    check_ins = serializers.IntegerField(help_text="All your check-ins, private ones included (only you see this).")
    mood_avg = serializers.FloatField(allow_null=True)
    connection_avg = serializers.FloatField(allow_null=True)
    completion_rating_avg = serializers.FloatField(allow_null=True)


class ReportReflectionOutputSerializer(OutputSerializer):
    written = serializers.BooleanField()
    text = serializers.CharField(allow_null=True, help_text="The partner's text only once both wrote one.")
    updated_at = serializers.DateTimeField(allow_null=True)


class WeeklyReportOutputSerializer(OutputSerializer):
    id = serializers.UUIDField(allow_null=True, help_text="Null for the live (running) week.")
    week_start = serializers.DateField()
    status = serializers.ChoiceField(choices=["final", "live"])
    algorithm_version = serializers.IntegerField()
    finalised_at = serializers.DateTimeField(allow_null=True)
    shared = ReportSharedOutputSerializer()
    personal = ReportPersonalOutputSerializer(allow_null=True, help_text="Null when you have no part in this week.")
    my_reflection = ReportReflectionOutputSerializer()
    partner_reflection = ReportReflectionOutputSerializer()


WEEKLY_REPORT_OUTPUT = WeeklyReportOutputSerializer()
WEEKLY_REPORTS_OUTPUT = WeeklyReportOutputSerializer(many=True)


class ReflectionInputSerializer(Serializer):
    text = serializers.CharField(max_length=1000, help_text="One thing I loved about us this week.")


class ReportPreferenceSerializer(Serializer):
    """GET and PUT me/report-preferences (the same shape both ways)."""

    enabled = serializers.BooleanField()
    delivery_weekday = serializers.IntegerField(min_value=0, max_value=6, help_text="0 = Monday … 6 = Sunday.")
    delivery_time = WallTimeField(
        format="%H:%M", input_formats=["%H:%M", "%H:%M:%S"], help_text="Local time in your own zone, e.g. 19:00."
    )


class MilestoneOutputSerializer(OutputSerializer):
    kind = serializers.ChoiceField(choices=MILESTONE_KINDS)
    date = serializers.DateField()
    title = serializers.CharField()
    days_together = serializers.IntegerField(allow_null=True)
    special_date_id = serializers.UUIDField(allow_null=True)


class SpecialDateOutputSerializer(OutputSerializer):
    id = serializers.UUIDField()
    title = serializers.CharField()
    kind = serializers.ChoiceField(choices=SpecialDate.Kind.choices)
    date = serializers.DateField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class MilestonesOutputSerializer(OutputSerializer):
    today = serializers.DateField()
    time_zone = serializers.CharField()
    together_since = serializers.DateField(allow_null=True)
    days_together = serializers.IntegerField(allow_null=True)
    upcoming = MilestoneOutputSerializer(many=True)


MILESTONES_OUTPUT = MilestonesOutputSerializer()
SPECIAL_DATE_OUTPUT = SpecialDateOutputSerializer()


class SpecialDateCreateInputSerializer(Serializer):
    id = serializers.UUIDField(required=False, help_text="Client-generated; a replay with the same id is a no-op.")
    title = serializers.CharField(max_length=120)
    kind = serializers.ChoiceField(choices=SpecialDate.Kind.choices, default=SpecialDate.Kind.OTHER)
    date = serializers.DateField()


class SpecialDateUpdateInputSerializer(Serializer):
    title = serializers.CharField(max_length=120, required=False)
    kind = serializers.ChoiceField(choices=SpecialDate.Kind.choices, required=False)
    date = serializers.DateField(required=False)


class WidgetRitualOutputSerializer(OutputSerializer):
    ritual_id = serializers.UUIDField()
    title = serializers.CharField()
    occurrence_at = serializers.DateTimeField()
    local_start = serializers.CharField()
    me_done = serializers.BooleanField()
    partner_done = serializers.BooleanField()


class WidgetCheckInOutputSerializer(OutputSerializer):
    mood = serializers.IntegerField()
    connection = serializers.IntegerField()
    local_date = serializers.DateField()
    created_at = serializers.DateTimeField()


class WidgetOutputSerializer(OutputSerializer):
    today = serializers.DateField(help_text="The couple's day (its zone).")
    days_together = serializers.IntegerField(allow_null=True)
    next_ritual = WidgetRitualOutputSerializer(allow_null=True)
    daily_question = serializers.ChoiceField(choices=["your_turn", "waiting_for_partner", "revealed"])
    partner_check_in = WidgetCheckInOutputSerializer(allow_null=True, help_text="The partner's latest shared one.")
    unread_notifications = serializers.IntegerField()


WIDGET_OUTPUT = WidgetOutputSerializer()
