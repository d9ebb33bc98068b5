"""Check-in endpoints. Thin: validate, call one service or selector, serialize."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.pagination import CreatedAtCursorPagination
from config.api.requests import AuthedRequest
from rituals.api import checkins_serializers as s
from rituals.selectors import checkins as selectors
from rituals.services import checkins as services

TAGS = ["check-ins"]


class CheckInListApi(APIView):
    pagination_class = CreatedAtCursorPagination

    @extend_schema(responses={200: s.CheckInOutputSerializer(many=True)}, tags=TAGS)
    def get(self, request: AuthedRequest) -> Response:
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(selectors.checkins_visible_to(user=request.user), request, view=self)
        data = s.CheckInOutputSerializer(page, many=True, context={"user": request.user}).data
        return paginator.get_paginated_response(data)

    @extend_schema(
        request=s.CheckInCreateInputSerializer,
        responses={
            201: s.CheckInOutputSerializer,
            200: OpenApiResponse(s.CheckInOutputSerializer, description="A replay of a create with the same `id`."),
            409: OpenApiResponse(description="`id_conflict`: the id is used by another record."),
        },
        tags=TAGS,
    )
    def post(self, request: AuthedRequest) -> Response:
        data = s.CheckInCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        check_in, created = services.checkin_create(user=request.user, **data.validated_data)
        body = s.CHECK_IN_OUTPUT.render(check_in, user=request.user)
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class CheckInSummaryApi(APIView):
    @extend_schema(
        parameters=[s.CheckInSummaryQuerySerializer], responses={200: s.CheckInSummaryOutputSerializer}, tags=TAGS
    )
    def get(self, request: AuthedRequest) -> Response:
        query = s.CheckInSummaryQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        summary = selectors.weekly_summary(user=request.user, weeks=query.validated_data["weeks"])
        return Response(s.CheckInSummaryOutputSerializer(summary).data)
