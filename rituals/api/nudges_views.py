"""Nudge endpoints: the couple's feed, sending, and the recipient's seen and respond actions."""

from uuid import UUID

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.pagination import CreatedAtCursorPagination
from config.api.requests import AuthedRequest
from config.api.schema import NOT_PAIRED
from rituals.api import nudges_serializers as s
from rituals.models import Nudge
from rituals.selectors import nudges as selectors
from rituals.services import nudges as services

NOT_RECIPIENT = OpenApiResponse(description="`not_recipient`: only the recipient can do this.")
NOT_RECIPIENT_OR_ANSWERED = OpenApiResponse(
    description="`not_recipient` (only the recipient responds) or `already_responded`."
)


def _nudge_response(request: AuthedRequest, nudge: Nudge, status_code: int = status.HTTP_200_OK) -> Response:
    return Response(s.NUDGE_OUTPUT.render(nudge, user=request.user), status=status_code)


class NudgeListApi(APIView):
    pagination_class = CreatedAtCursorPagination

    @extend_schema(responses={200: s.NudgeOutputSerializer(many=True), 404: NOT_PAIRED}, tags=["nudges"])
    def get(self, request: AuthedRequest) -> Response:
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(selectors.nudges_of_couple(user=request.user), request, view=self)
        data = s.NudgeOutputSerializer(page, many=True, context={"user": request.user}).data
        return paginator.get_paginated_response(data)

    @extend_schema(
        request=s.NudgeSendInputSerializer,
        responses={
            201: s.NudgeOutputSerializer,
            200: OpenApiResponse(s.NudgeOutputSerializer, description="A replay of a send with the same `id`."),
            404: NOT_PAIRED,
            409: OpenApiResponse(description="`nudge_id_taken`: the id is used by another nudge."),
            429: OpenApiResponse(description="`nudge_quota_exceeded`: today's nudges are used up."),
        },
        tags=["nudges"],
    )
    def post(self, request: AuthedRequest) -> Response:
        data = s.NudgeSendInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        sent = services.nudge_send(sender=request.user, **data.validated_data)
        # 200 for a replayed id: the nudge was sent before, nothing new happened.
        return _nudge_response(request, sent.nudge, status.HTTP_201_CREATED if sent.created else status.HTTP_200_OK)


class NudgeRespondApi(APIView):
    @extend_schema(
        request=s.NudgeRespondInputSerializer,
        responses={200: s.NudgeOutputSerializer, 409: NOT_RECIPIENT_OR_ANSWERED},
        tags=["nudges"],
    )
    def post(self, request: AuthedRequest, nudge_id: UUID) -> Response:
        nudge = selectors.nudge_of_couple(user=request.user, nudge_id=nudge_id)
        data = s.NudgeRespondInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        nudge = services.nudge_respond(nudge=nudge, user=request.user, **data.validated_data)
        return _nudge_response(request, nudge)


class NudgeSeenApi(APIView):
    @extend_schema(request=None, responses={200: s.NudgeOutputSerializer, 409: NOT_RECIPIENT}, tags=["nudges"])
    def post(self, request: AuthedRequest, nudge_id: UUID) -> Response:
        nudge = selectors.nudge_of_couple(user=request.user, nudge_id=nudge_id)
        nudge = services.nudge_mark_seen(nudge=nudge, user=request.user)
        return _nudge_response(request, nudge)
