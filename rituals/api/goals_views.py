"""Shared goal endpoints. Thin: validate, call one service or selector, serialize."""

from typing import Any, ClassVar
from uuid import UUID

from django.utils.translation import gettext
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.pagination import CreatedAtCursorPagination
from config.api.requests import AuthedRequest
from config.api.schema import NOT_PAIRED
from couples.scoping import require_active_couple
from rituals.api import goals_serializers as s
from rituals.models import Goal
from rituals.selectors import goals as selectors
from rituals.services import goals as services

TAGS = ["goals"]
IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description='The goal\'s version as its ETag (`"3"`): the write fails with 412 if the goal changed since.',
)
CONFLICT = OpenApiResponse(
    s.GoalErrorOutputSerializer,
    description="`invalid_transition` (the goal is not in a state that allows this, e.g. the other device "
    "accepted first) or `not_your_turn` (the step is the partner's), with the goal's current state.",
)
STALE = OpenApiResponse(s.GoalErrorOutputSerializer, description="`version_mismatch`: If-Match is stale.")


def _expected_version(request: AuthedRequest) -> int | None:
    """The version an If-Match header names (`"3"`, `W/"3"` or `3`); None without one or with `*`."""
    raw = request.headers.get("If-Match", "").strip()
    if raw in {"", "*"}:
        return None
    value = raw.removeprefix("W/").strip('"')
    if not value.isdigit():
        raise serializers.ValidationError({"If-Match": [gettext('Send the goal\'s ETag, e.g. "3".')]}, code="invalid")
    return int(value)


def _goal_response(request: AuthedRequest, goal: Goal, status_code: int = status.HTTP_200_OK) -> Response:
    body: Any = s.GOAL_OUTPUT.render(goal, user=request.user)
    return Response(body, status=status_code, headers={"ETag": f'"{goal.version}"'})


class GoalListApi(APIView):
    pagination_class = CreatedAtCursorPagination

    @extend_schema(
        parameters=[s.GoalListQuerySerializer], responses={200: s.GoalOutputSerializer(many=True)}, tags=TAGS
    )
    def get(self, request: AuthedRequest) -> Response:
        query = s.GoalListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        goals = selectors.goals_visible_to(user=request.user, statuses=query.validated_data.get("status", []))
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(goals, request, view=self)
        data = s.GoalOutputSerializer(page, many=True, context={"user": request.user}).data
        return paginator.get_paginated_response(data)

    @extend_schema(
        request=s.GoalCreateInputSerializer,
        responses={
            201: s.GoalOutputSerializer,
            200: OpenApiResponse(s.GoalOutputSerializer, description="A replay of a create with the same `id`."),
            404: NOT_PAIRED,
            409: OpenApiResponse(description="`id_conflict`: the id is used by another record."),
        },
        tags=TAGS,
    )
    def post(self, request: AuthedRequest) -> Response:
        data = s.GoalCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        couple = require_active_couple(request.user)
        goal, created = services.goal_propose(couple=couple, by=request.user, **data.validated_data)
        selectors.goal_with_rituals(goal)
        return _goal_response(request, goal, status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class GoalDetailApi(APIView):
    @extend_schema(responses={200: s.GoalOutputSerializer}, tags=TAGS)
    def get(self, request: AuthedRequest, goal_id: UUID) -> Response:
        return _goal_response(request, selectors.goal_detail(user=request.user, goal_id=goal_id))

    @extend_schema(
        request=s.GoalUpdateInputSerializer,
        parameters=[IF_MATCH],
        responses={
            200: s.GoalOutputSerializer,
            409: OpenApiResponse(
                s.GoalErrorOutputSerializer,
                description="`goal_not_editable` (closed goal) or `not_your_turn` (a proposal is the proposer's "
                "to edit), with the goal's current state.",
            ),
            412: STALE,
        },
        tags=TAGS,
    )
    def patch(self, request: AuthedRequest, goal_id: UUID) -> Response:
        expected_version = _expected_version(request)
        data = s.GoalUpdateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        goal = services.goal_update(
            user=request.user, goal_id=goal_id, data=data.validated_data, expected_version=expected_version
        )
        return _goal_response(request, selectors.goal_with_rituals(goal))


class _GoalTransitionApi(APIView):
    action: ClassVar[str]

    def _transition(self, request: AuthedRequest, goal_id: UUID) -> Response:
        goal = services.goal_transition(
            user=request.user, goal_id=goal_id, action=self.action, expected_version=_expected_version(request)
        )
        return _goal_response(request, selectors.goal_with_rituals(goal))


def _transition_schema(summary: str) -> Any:
    return extend_schema(
        summary=summary,
        request=None,
        parameters=[IF_MATCH],
        responses={200: s.GoalOutputSerializer, 409: CONFLICT, 412: STALE},
        tags=TAGS,
    )


class GoalAcceptApi(_GoalTransitionApi):
    action = "accept"

    @_transition_schema("Accept a proposed goal (only the partner who did not propose it).")
    def post(self, request: AuthedRequest, goal_id: UUID) -> Response:
        return self._transition(request, goal_id)


class GoalDeclineApi(_GoalTransitionApi):
    action = "decline"

    @_transition_schema("Decline a proposed goal (only the partner who did not propose it).")
    def post(self, request: AuthedRequest, goal_id: UUID) -> Response:
        return self._transition(request, goal_id)


class GoalWithdrawApi(_GoalTransitionApi):
    action = "withdraw"

    @_transition_schema("Withdraw your own proposal before your partner answers it.")
    def post(self, request: AuthedRequest, goal_id: UUID) -> Response:
        return self._transition(request, goal_id)


class GoalCompleteApi(_GoalTransitionApi):
    action = "complete"

    @_transition_schema("Mark an accepted goal as reached (either partner).")
    def post(self, request: AuthedRequest, goal_id: UUID) -> Response:
        return self._transition(request, goal_id)


class GoalAbandonApi(_GoalTransitionApi):
    action = "abandon"

    @_transition_schema("Set an accepted goal aside (either partner).")
    def post(self, request: AuthedRequest, goal_id: UUID) -> Response:
        return self._transition(request, goal_id)
