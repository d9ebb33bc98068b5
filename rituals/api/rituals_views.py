"""Couple rituals: CRUD, occurrences, completions and today. Thin: validate, call, serialize."""

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.etag import IF_MATCH, STALE, etag_of, if_match_lock
from config.api.pagination import CreatedAtCursorPagination
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
    body = s.ritual_output(selectors.ritual_view(ritual=ritual))
    return Response(body, status=status_code, headers={"ETag": _ritual_etag(ritual)})


def _ritual_response(request: AuthedRequest, ritual_id: str, status_code: int = status.HTTP_200_OK) -> Response:
    return _ritual_output(selectors.ritual_get(user=request.user, ritual_id=ritual_id), status_code)


class RitualCursorPagination(CreatedAtCursorPagination):
    """CreatedAtCursorPagination whose first page (no cursor: what the app asks for on every start)
    is read by `first_page(limit)`, plain SQL over the same rows, and the queryset not even built;
    later pages go through the queryset as usual. The page and links are what
    CursorPagination.paginate_queryset gives for a first page (tests/rituals/test_list_pages.py)."""

    def paginate(
        self,
        request: Any,
        view: Any,
        *,
        queryset: Callable[[], QuerySet[Ritual]],
        first_page: Callable[[int], list[Ritual]],
    ) -> list[Ritual] | None:
        # Only an OrderingFilter among the view's filter backends reads the queryset; this view has none.
        ordering = self.get_ordering(request, None, view)  # type: ignore[arg-type]
        page_size = self.get_page_size(request)
        if request.query_params.get(self.cursor_query_param) is not None or tuple(ordering) != ("-created_at",):
            return self.paginate_queryset(queryset(), request, view)
        if not page_size:
            return None
        # CursorPagination.paginate_queryset without a cursor: offset 0, forward, no position.
        self.request = request
        self.page_size = page_size
        self.base_url = request.build_absolute_uri()
        self.ordering = ordering  # type: ignore[assignment] # a tuple, as DRF stores it (the stubs say str)
        self.cursor = None
        results = first_page(page_size + 1)
        self.page = results[:page_size]
        self.has_next, self.has_previous = len(results) > len(self.page), False
        if self.has_next:
            self.next_position = self._get_position_from_instance(results[-1], ordering)
            if self.template is not None:
                self.display_page_controls = True
        return self.page


class RitualListApi(APIView):
    pagination_class = RitualCursorPagination

    @extend_schema(responses={200: s.RitualOutputSerializer(many=True), 404: NOT_PAIRED}, tags=TAGS)
    def get(self, request: AuthedRequest) -> Response:
        require_active_couple(request.user)
        paginator = self.pagination_class()
        page = paginator.paginate(
            request,
            self,
            queryset=lambda: selectors.rituals_of(user=request.user),
            first_page=lambda limit: selectors.newest_rituals_of(user=request.user, limit=limit),
        )
        views = selectors.ritual_views(rituals=page or [])
        return paginator.get_paginated_response(s.rituals_output(views))

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
        body = s.ritual_output(selectors.ritual_view(ritual=ritual))
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
        ritual = selectors.ritual_get(user=request.user, ritual_id=ritual_id)
        data = s.RitualUpdateInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        with if_match_lock(request, Ritual.objects.filter(pk=ritual.pk), etag=_ritual_etag) as locked:
            ritual = services.ritual_update(ritual=locked or ritual, data=data.validated_data)
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
        return Response(s.RitualOccurrencesOutputSerializer(body).data)


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
        ritual = selectors.ritual_get(user=request.user, ritual_id=ritual_id)
        data = s.RitualCompletionCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        completion, created = services.completion_record(ritual=ritual, user=request.user, **data.validated_data)
        return Response(
            s.completion_output(completion),
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class RitualsTodayApi(APIView):
    @extend_schema(responses={200: s.RitualsTodayOutputSerializer, 404: NOT_PAIRED}, tags=TAGS)
    def get(self, request: AuthedRequest) -> Response:
        require_active_couple(request.user)
        return Response(s.today_output(selectors.rituals_today(user=request.user)))
