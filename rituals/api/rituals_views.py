"""Couple rituals: CRUD, occurrences, completions and today. Thin: validate, call, serialize."""

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.etag import IF_MATCH, STALE, etag_of, if_match_check
from config.api.pagination import CompiledPage, CreatedAtCursorPagination
from config.api.requests import AuthedRequest
from config.api.schema import NOT_PAIRED
from couples.scoping import require_active_couple
from rituals.api import rituals_serializers as s
from rituals.models import Ritual
from rituals.recurrence import MAX_RANGE_DAYS
from rituals.selectors import rituals as selectors
from rituals.services import rituals as services

TAGS = ["rituals"]


def _ritual_etag(ritual: Ritual) -> str:
    # Every write of a ritual bumps updated_at (to the microsecond).
    return etag_of(ritual.id, ritual.updated_at)


def _ritual_output(ritual: Ritual, status_code: int = status.HTTP_200_OK) -> Response:
    body = s.RITUAL_OUTPUT.to_representation(selectors.ritual_view(ritual=ritual))
    return Response(body, status=status_code, headers={"ETag": _ritual_etag(ritual)})


def _ritual_response(request: AuthedRequest, ritual_id: str, status_code: int = status.HTTP_200_OK) -> Response:
    return _ritual_output(selectors.ritual_get(user=request.user, ritual_id=ritual_id), status_code)


class RitualListApi(APIView):
    pagination_class = CreatedAtCursorPagination

    @extend_schema(responses={200: s.RitualOutputSerializer(many=True), 404: NOT_PAIRED}, tags=TAGS)
    def get(self, request: AuthedRequest) -> Response:
        couple = require_active_couple(request.user)
        paginator = self.pagination_class()
        rituals = CompiledPage(selectors.rituals_in, couple.pk)
        page: list[Ritual] | None = paginator.paginate_queryset(rituals, request, view=self)  # type: ignore[arg-type]
        views = selectors.ritual_views(rituals=page or [])
        return paginator.get_paginated_response(s.RITUALS_OUTPUT.to_representation(views))

    @extend_schema(
        request=s.RitualCreateInputSerializer,
        responses={
            201: s.RitualOutputSerializer,
            200: OpenApiResponse(s.RitualOutputSerializer, description="A replayed create (same id)."),
            404: NOT_PAIRED,
        },
        tags=TAGS,
    )
    def post(self, request: AuthedRequest) -> Response:
        couple = require_active_couple(request.user)
        data = s.RitualCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ritual, created = services.ritual_create(couple=couple, by=request.user, data=data.validated_data)
        body = s.RITUAL_OUTPUT.to_representation(selectors.ritual_view(ritual=ritual))
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class RitualDetailApi(APIView):
    @extend_schema(responses={200: s.RitualOutputSerializer}, tags=TAGS)
    def get(self, request: AuthedRequest, ritual_id: str) -> Response:
        return _ritual_response(request, ritual_id)

    @extend_schema(
        request=s.RitualUpdateInputSerializer,
        parameters=[IF_MATCH],
        responses={200: s.RitualOutputSerializer, 412: STALE},
        tags=TAGS,
    )
    def patch(self, request: AuthedRequest, ritual_id: str) -> Response:
        data = s.RitualUpdateInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        check = if_match_check(request, etag=_ritual_etag)
        ritual = services.ritual_update(user=request.user, ritual_id=ritual_id, data=data.validated_data, check=check)
        return _ritual_output(ritual)

    @extend_schema(responses={204: None}, tags=TAGS)
    def delete(self, request: AuthedRequest, ritual_id: str) -> Response:
        ritual = selectors.ritual_get(user=request.user, ritual_id=ritual_id)
        services.ritual_delete(ritual=ritual)
        return Response(status=status.HTTP_204_NO_CONTENT)


class RitualOccurrencesApi(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter(
                "from", str, description="ISO date (a local day in the ritual's zone) or date-time; default today."
            ),
            OpenApiParameter(
                "to",
                str,
                description=f"ISO date (inclusive) or date-time (exclusive); default 30 days after from; "
                f"at most {MAX_RANGE_DAYS} days after from.",
            ),
        ],
        responses={200: s.RitualOccurrencesOutputSerializer},
        tags=TAGS,
    )
    def get(self, request: AuthedRequest, ritual_id: str) -> Response:
        ritual = selectors.ritual_get(user=request.user, ritual_id=ritual_id)
        query = s.RitualOccurrencesQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        start, end = selectors.occurrence_window(
            ritual=ritual, start=query.validated_data.get("from"), end=query.validated_data.get("to")
        )
        results = selectors.ritual_occurrences(ritual=ritual, user=request.user, start=start, end=end)
        body = {"ritual_id": ritual.pk, "time_zone": ritual.time_zone, "from": start, "to": end, "results": results}
        return Response(s.RITUAL_OCCURRENCES_OUTPUT.to_representation(body))


class RitualCompletionsApi(APIView):
    @extend_schema(
        request=s.RitualCompletionCreateInputSerializer,
        responses={
            201: s.RitualCompletionOutputSerializer,
            200: OpenApiResponse(s.RitualCompletionOutputSerializer, description="A replay of the same id."),
        },
        tags=TAGS,
    )
    def post(self, request: AuthedRequest, ritual_id: str) -> Response:
        data = s.RitualCompletionCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        completion, created = services.completion_record(user=request.user, ritual_id=ritual_id, **data.validated_data)
        return Response(
            s.RITUAL_COMPLETION_OUTPUT.to_representation(completion),
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class RitualsTodayApi(APIView):
    @extend_schema(responses={200: s.RitualsTodayOutputSerializer, 404: NOT_PAIRED}, tags=TAGS)
    def get(self, request: AuthedRequest) -> Response:
        require_active_couple(request.user)
        return Response(s.RITUALS_TODAY_OUTPUT.to_representation(selectors.rituals_today(user=request.user)))
