"""Insights endpoints (weekly reports, report preferences, milestones, special dates, widget). Thin:
validate, call one service or selector, serialize."""

from datetime import date
from typing import Any
from uuid import UUID

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.etag import etag_of
from config.api.requests import AuthedRequest
from config.api.schema import NOT_PAIRED
from couples.scoping import require_active_couple
from insights import selectors, services
from insights.api import serializers as s
from insights.widget import WidgetView, widget_snapshot

TAGS = ["insights"]

IF_NONE_MATCH = OpenApiParameter(
    "If-None-Match",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description="The ETag you hold: the answer is 304 with no body when nothing changed since.",
)
NOT_MODIFIED = OpenApiResponse(description="Not modified: the ETag you sent is still current.")


def _conditional(request: AuthedRequest, body: dict[str, Any], etag: str) -> Response:
    """200 with the body and its ETag, or 304 when If-None-Match names it already."""
    held = {tag.removeprefix("W/").strip('"') for tag in request.headers.get("If-None-Match", "").split(",")}
    if etag.strip('"') in held:
        return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag})
    return Response(body, headers={"ETag": etag})


class WeekStartCursorPagination(CursorPagination):
    """Newest week first. Page size capped at 100."""

    ordering = "-week_start"
    page_size = 10
    page_size_query_param = "page_size"
    max_page_size = 100


class WeeklyReportListApi(APIView):
    pagination_class = WeekStartCursorPagination

    @extend_schema(responses={200: s.WeeklyReportOutputSerializer(many=True)}, tags=TAGS)
    def get(self, request: AuthedRequest) -> Response:
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(selectors.reports_of(user=request.user), request, view=self)
        views = [selectors.report_view(row=row, user=request.user) for row in page or []]
        return paginator.get_paginated_response(s.WEEKLY_REPORTS_OUTPUT.to_representation(views))


class WeeklyReportDetailApi(APIView):
    @extend_schema(
        parameters=[IF_NONE_MATCH],
        responses={200: s.WeeklyReportOutputSerializer, 304: NOT_MODIFIED},
        tags=TAGS,
        description="A finalised week, or the couple's running week (`status: live`); 404 for any other.",
    )
    def get(self, request: AuthedRequest, week_start: date) -> Response:
        view = selectors.report_for_week(user=request.user, week_start=week_start)
        body = s.WEEKLY_REPORT_OUTPUT.to_representation(view)
        return _conditional(request, body, etag_of(body))


class CurrentReportApi(APIView):
    @extend_schema(responses={200: s.WeeklyReportOutputSerializer, 404: NOT_PAIRED}, tags=TAGS)
    def get(self, request: AuthedRequest) -> Response:
        return Response(s.WEEKLY_REPORT_OUTPUT.to_representation(selectors.report_current(user=request.user)))


class ReflectionApi(APIView):
    @extend_schema(
        request=s.ReflectionInputSerializer,
        responses={201: s.WeeklyReportOutputSerializer, 200: s.WeeklyReportOutputSerializer},
        tags=TAGS,
        description="Writes (or rewrites) your reflection on a finalised week. 201 the first time.",
    )
    def post(self, request: AuthedRequest, report_id: UUID) -> Response:
        report = selectors.report_get(user=request.user, report_id=report_id)
        data = s.ReflectionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        _, created = services.reflection_write(user=request.user, report=report, text=data.validated_data["text"])
        row = selectors.reports_of(user=request.user).get(pk=report.pk)
        body = s.WEEKLY_REPORT_OUTPUT.to_representation(selectors.report_view(row=row, user=request.user))
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class ReportPreferenceApi(APIView):
    @extend_schema(responses={200: s.ReportPreferenceSerializer}, tags=TAGS)
    def get(self, request: AuthedRequest) -> Response:
        return Response(s.ReportPreferenceSerializer(selectors.report_preference_of(user=request.user)).data)

    @extend_schema(request=s.ReportPreferenceSerializer, responses={200: s.ReportPreferenceSerializer}, tags=TAGS)
    def put(self, request: AuthedRequest) -> Response:
        data = s.ReportPreferenceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        preference = services.report_preference_update(user=request.user, **data.validated_data)
        return Response(s.ReportPreferenceSerializer(preference).data)


class MilestonesApi(APIView):
    @extend_schema(responses={200: s.MilestonesOutputSerializer, 404: NOT_PAIRED}, tags=TAGS)
    def get(self, request: AuthedRequest) -> Response:
        return Response(s.MILESTONES_OUTPUT.to_representation(selectors.couple_milestones(user=request.user)))


class SpecialDateListApi(APIView):
    @extend_schema(responses={200: s.SpecialDateOutputSerializer(many=True)}, tags=TAGS)
    def get(self, request: AuthedRequest) -> Response:
        rows = selectors.special_dates_of(user=request.user).order_by("date", "id")
        return Response([s.SPECIAL_DATE_OUTPUT.to_representation(row) for row in rows])

    @extend_schema(
        request=s.SpecialDateCreateInputSerializer,
        responses={
            201: s.SpecialDateOutputSerializer,
            200: OpenApiResponse(s.SpecialDateOutputSerializer, description="A replay of a create with the same `id`."),
            404: NOT_PAIRED,
            409: OpenApiResponse(description="`id_conflict`: the id is used by another record."),
        },
        tags=TAGS,
    )
    def post(self, request: AuthedRequest) -> Response:
        couple = require_active_couple(request.user)
        data = s.SpecialDateCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        special, created = services.special_date_create(couple=couple, by=request.user, **data.validated_data)
        body = s.SPECIAL_DATE_OUTPUT.to_representation(special)
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class SpecialDateDetailApi(APIView):
    @extend_schema(responses={200: s.SpecialDateOutputSerializer}, tags=TAGS)
    def get(self, request: AuthedRequest, special_date_id: UUID) -> Response:
        special = selectors.special_date_get(user=request.user, special_date_id=special_date_id)
        return Response(s.SPECIAL_DATE_OUTPUT.to_representation(special))

    @extend_schema(
        request=s.SpecialDateUpdateInputSerializer, responses={200: s.SpecialDateOutputSerializer}, tags=TAGS
    )
    def patch(self, request: AuthedRequest, special_date_id: UUID) -> Response:
        special = selectors.special_date_get(user=request.user, special_date_id=special_date_id)
        data = s.SpecialDateUpdateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        special = services.special_date_update(special=special, data=data.validated_data)
        return Response(s.SPECIAL_DATE_OUTPUT.to_representation(special))

    @extend_schema(responses={204: None}, tags=TAGS)
    def delete(self, request: AuthedRequest, special_date_id: UUID) -> Response:
        special = selectors.special_date_get(user=request.user, special_date_id=special_date_id)
        services.special_date_delete(special=special)
        return Response(status=status.HTTP_204_NO_CONTENT)


class WidgetApi(APIView):
    @extend_schema(
        parameters=[IF_NONE_MATCH],
        responses={200: s.WidgetOutputSerializer, 304: NOT_MODIFIED, 404: NOT_PAIRED},
        tags=TAGS,
    )
    def get(self, request: AuthedRequest) -> Response:
        body, etag = widget_snapshot(user=request.user, render=_widget_response)
        return _conditional(request, body, etag)


def _widget_response(view: WidgetView) -> tuple[dict[str, Any], str]:
    return s.WIDGET_OUTPUT.to_representation(view), etag_of(*view.etag_parts())
