"""Input and output of the date endpoints. Inputs list only what a client may set."""

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from config.api.fields import WallTimeField
from config.api.output import OutputSerializer
from config.api.serializers import Serializer
from dates import photos
from dates.models import DateIdea, DateIdeaVote, DateMemory, DatePlan
from dates.services.plans import ACTIONS, allowed_actions
from rituals.api.content_serializers import LocalizedOutputMixin
from rituals.recurrence import zone


class DateIdeaOutputSerializer(LocalizedOutputMixin):
    """A date idea, its texts in the reader's language (`locale` and `translated` say which)."""

    id = serializers.UUIDField()
    title = serializers.CharField(source="title_localized")
    description = serializers.CharField(source="description_localized")
    why_it_helps = serializers.CharField(source="why_it_helps_localized")
    setting = serializers.ChoiceField(choices=DateIdea.Setting.choices)
    budget = serializers.ChoiceField(choices=DateIdea.Budget.choices)
    duration_minutes = serializers.IntegerField()
    love_languages = serializers.ListField(child=serializers.CharField())
    long_distance_friendly = serializers.BooleanField()
    season = serializers.ChoiceField(choices=DateIdea.Season.choices)
    tags = serializers.ListField(child=serializers.CharField())
    my_vote = serializers.ChoiceField(
        choices=DateIdeaVote.Vote.choices, allow_null=True, help_text="Your own vote; your partner's is never shown."
    )


DATE_IDEAS_OUTPUT = DateIdeaOutputSerializer(many=True)


class DateIdeaVoteInputSerializer(Serializer):
    vote = serializers.ChoiceField(choices=DateIdeaVote.Vote.choices)


class DateIdeaVoteOutputSerializer(OutputSerializer):
    idea_id = serializers.UUIDField()
    vote = serializers.ChoiceField(choices=DateIdeaVote.Vote.choices)
    updated_at = serializers.DateTimeField()


class TimeZoneField(serializers.CharField):
    def to_internal_value(self, data: Any) -> str:
        name = super().to_internal_value(data)
        zone(name)  # ValidationError (invalid_time_zone) for anything but an IANA name
        return name


class DateOfferInputSerializer(Serializer):
    local_date = serializers.DateField()
    local_time = WallTimeField(
        input_formats=["%H:%M", "%H:%M:%S"], help_text="Wall-clock time in `time_zone`, e.g. 19:30."
    )
    time_zone = TimeZoneField(max_length=64, help_text="IANA name, e.g. Europe/Berlin.")
    duration_minutes = serializers.IntegerField(min_value=15, max_value=24 * 60, default=120)
    place = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    message = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class DatePlanCreateInputSerializer(DateOfferInputSerializer):
    id = serializers.UUIDField(
        required=False, help_text="Your own id: sending the same create again returns the first."
    )
    title = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    idea_id = serializers.UUIDField(required=False, allow_null=True, default=None)
    ritual_id = serializers.UUIDField(required=False, allow_null=True, default=None)
    ritual_occurrence_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class DatePlanUpdateInputSerializer(Serializer):
    title = serializers.CharField(max_length=120, required=False)
    ritual_id = serializers.UUIDField(required=False, allow_null=True)
    ritual_occurrence_at = serializers.DateTimeField(required=False, allow_null=True)


class DatePlanListQuerySerializer(Serializer):
    status = serializers.MultipleChoiceField(choices=DatePlan.Status.choices, required=False)


class DateOfferOutputSerializer(OutputSerializer):
    id = serializers.UUIDField()
    by = serializers.UUIDField(source="by_id", allow_null=True)
    place = serializers.CharField()
    local_date = serializers.DateField()
    local_time = WallTimeField(format="%H:%M")
    time_zone = serializers.CharField()
    duration_minutes = serializers.IntegerField()
    message = serializers.CharField()
    created_at = serializers.DateTimeField()


class DateMemoryOutputSerializer(OutputSerializer):
    id = serializers.UUIDField()
    date_id = serializers.UUIDField(source="plan_id")
    author = serializers.UUIDField(source="author_id")
    rating = serializers.IntegerField(allow_null=True)
    note = serializers.CharField()
    photo_url = serializers.SerializerMethodField(help_text="Signed, valid a few minutes; null without a photo.")
    thumbnail_url = serializers.SerializerMethodField(help_text="Signed, valid a few minutes; null without a photo.")
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_photo_url(self, memory: DateMemory) -> str | None:
        return photos.signed_url(
            memory_id=memory.pk, variant="photo", name=memory.photo.name or "", request=self.context["request"]
        )

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_thumbnail_url(self, memory: DateMemory) -> str | None:
        return photos.signed_url(
            memory_id=memory.pk, variant="thumbnail", name=memory.thumbnail.name or "", request=self.context["request"]
        )


class DateMemoryInputSerializer(Serializer):
    rating = serializers.IntegerField(min_value=1, max_value=5, required=False)
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    photo = serializers.FileField(required=False, help_text="JPEG, PNG or WebP; re-encoded, metadata removed.")


class DatePlanOutputSerializer(OutputSerializer):
    """A date as the requester sees it; `allowed_actions` is what they may do now."""

    id = serializers.UUIDField()
    idea_id = serializers.UUIDField(allow_null=True)
    title = serializers.CharField()
    status = serializers.ChoiceField(choices=DatePlan.Status.choices)
    proposed_by = serializers.UUIDField(source="proposed_by_id", allow_null=True)
    offered_by = serializers.UUIDField(source="offered_by_id", allow_null=True, help_text="Who made the current offer.")
    my_turn = serializers.SerializerMethodField(help_text="True when the offer on the table waits for your answer.")
    place = serializers.CharField()
    local_date = serializers.DateField()
    local_time = WallTimeField(format="%H:%M")
    time_zone = serializers.CharField()
    duration_minutes = serializers.IntegerField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    ritual_id = serializers.UUIDField(allow_null=True)
    ritual_occurrence_at = serializers.DateTimeField(allow_null=True)
    offers = DateOfferOutputSerializer(many=True, help_text="Every offer in order: the proposal, then each counter.")
    memories = DateMemoryOutputSerializer(many=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    version = serializers.IntegerField(help_text="Send it back in If-Match to act on exactly what you saw.")
    allowed_actions = serializers.SerializerMethodField()

    def get_my_turn(self, plan: DatePlan) -> bool:
        return plan.status == DatePlan.Status.PROPOSED and plan.offered_by_id != self.context["request"].user.pk

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=ACTIONS)))
    def get_allowed_actions(self, plan: DatePlan) -> list[str]:
        return allowed_actions(plan=plan, user=self.context["request"].user)


class DatePlanConflictOutputSerializer(OutputSerializer):
    code = serializers.CharField()
    message = serializers.CharField()
    current_status = serializers.ChoiceField(choices=DatePlan.Status.choices)
    version = serializers.IntegerField()
    allowed_actions = serializers.ListField(child=serializers.ChoiceField(choices=ACTIONS))


class DatePlanErrorOutputSerializer(OutputSerializer):
    error = DatePlanConflictOutputSerializer()


class CalendarFeedInputSerializer(Serializer):
    discreet = serializers.BooleanField(default=False, help_text='Show "Time together" instead of titles and places.')


class CalendarFeedOutputSerializer(OutputSerializer):
    url = serializers.URLField(help_text="Shown once: keep it secret. A new POST replaces it.")
    discreet = serializers.BooleanField()
