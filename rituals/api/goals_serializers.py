"""Input and output of the goal endpoints. Inputs list only what a client may set: status, couple,
proposer and version in a body are ignored (they change only through the transitions)."""

from typing import Any
from uuid import UUID

from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from config.api.output import OutputSerializer
from config.api.serializers import Serializer
from rituals.models import Goal
from rituals.selectors.goals import live_ritual_ids
from rituals.services.goals import EDIT_ACTION, MAX_LINKED_RITUALS, TRANSITIONS, allowed_actions

ACTIONS = [*TRANSITIONS, EDIT_ACTION]


class GoalCreateInputSerializer(Serializer):
    id = serializers.UUIDField(
        required=False, help_text="Your own id for the goal: sending the same create again returns the first one."
    )
    title = serializers.CharField(max_length=120)
    description = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    target_date = serializers.DateField(required=False, allow_null=True, default=None)
    ritual_ids = serializers.ListField(
        child=serializers.UUIDField(), required=False, default=list, max_length=MAX_LINKED_RITUALS
    )


class GoalUpdateInputSerializer(Serializer):
    title = serializers.CharField(max_length=120, required=False)
    description = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    target_date = serializers.DateField(required=False, allow_null=True)
    ritual_ids = serializers.ListField(child=serializers.UUIDField(), required=False, max_length=MAX_LINKED_RITUALS)


class GoalListQuerySerializer(Serializer):
    status = serializers.CharField(
        required=False, help_text="One status or several separated by commas: `proposed,accepted`."
    )

    def validate_status(self, value: str) -> list[str]:
        statuses = [part.strip() for part in value.split(",") if part.strip()]
        unknown = sorted(set(statuses) - set(Goal.Status.values))
        if unknown:
            raise serializers.ValidationError(
                gettext("Unknown status %(unknown)s; use %(known)s.")
                % {"unknown": ", ".join(unknown), "known": ", ".join(Goal.Status.values)},
                code="invalid_choice",
            )
        return statuses


class GoalOutputSerializer(OutputSerializer):
    """A goal as the requester sees it; `allowed_actions` is what they may do now."""

    id = serializers.UUIDField()
    title = serializers.CharField()
    description = serializers.CharField()
    status = serializers.ChoiceField(choices=Goal.Status.choices)
    proposed_by = serializers.UUIDField(source="proposed_by_id", allow_null=True)
    proposed_by_me = serializers.SerializerMethodField()
    target_date = serializers.DateField(allow_null=True)
    ritual_ids = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    version = serializers.IntegerField(help_text="Send it back in If-Match to edit or move exactly what you saw.")
    allowed_actions = serializers.SerializerMethodField()

    def _user_id(self) -> Any:
        return self.context["user"].pk

    def get_proposed_by_me(self, goal: Goal) -> bool:
        return goal.proposed_by_id is not None and goal.proposed_by_id == self._user_id()

    @extend_schema_field(serializers.ListField(child=serializers.UUIDField()))
    def get_ritual_ids(self, goal: Goal) -> list[UUID]:
        return live_ritual_ids(goal)

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=ACTIONS)))
    def get_allowed_actions(self, goal: Goal) -> list[str]:
        return allowed_actions(goal=goal, user=self.context["user"])


GOAL_OUTPUT = GoalOutputSerializer()  # render(goal, user=...): fields and plan built once


class GoalConflictOutputSerializer(OutputSerializer):
    """The error envelope of a 409/412 on a goal: where the goal is now."""

    code = serializers.CharField()
    message = serializers.CharField()
    current_status = serializers.ChoiceField(choices=Goal.Status.choices)
    version = serializers.IntegerField()
    allowed_actions = serializers.ListField(child=serializers.ChoiceField(choices=ACTIONS))


class GoalErrorOutputSerializer(OutputSerializer):
    error = GoalConflictOutputSerializer()
