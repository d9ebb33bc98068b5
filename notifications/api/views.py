"""The in-app inbox and the push preferences."""

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.errors import NotFoundError
from config.api.pagination import CompiledPage, CreatedAtCursorPagination
from config.api.requests import AuthedRequest
from notifications import selectors, services
from notifications.api import serializers as s


class NotificationListApi(APIView):
    pagination_class = CreatedAtCursorPagination

    @extend_schema(responses={200: s.NotificationOutputSerializer(many=True)}, tags=["notifications"])
    def get(self, request: AuthedRequest) -> Response:
        paginator = CreatedAtCursorPagination()
        inbox = CompiledPage(selectors.inbox_page_of, request.user.pk)
        page: list[Any] = paginator.paginate_queryset(inbox, request, view=self) or []  # type: ignore[arg-type]
        return paginator.get_paginated_response(s.NOTIFICATIONS_OUTPUT.to_representation(page))


class NotificationUnreadCountApi(APIView):
    @extend_schema(responses={200: s.UnreadCountOutputSerializer}, tags=["notifications"])
    def get(self, request: AuthedRequest) -> Response:
        return Response({"unread_count": selectors.unread_count(user=request.user)})


class NotificationReadApi(APIView):
    @extend_schema(request=None, responses={200: s.NotificationOutputSerializer}, tags=["notifications"])
    def post(self, request: AuthedRequest, notification_id: str) -> Response:
        notification = selectors.inbox_of(user=request.user).filter(id=notification_id).first()
        if notification is None:
            raise NotFoundError()
        return Response(s.NotificationOutputSerializer(services.notification_mark_read(notification=notification)).data)


class NotificationReadAllApi(APIView):
    @extend_schema(request=None, responses={200: s.ReadAllOutputSerializer}, tags=["notifications"])
    def post(self, request: AuthedRequest) -> Response:
        return Response({"marked_read": services.notifications_mark_all_read(user=request.user)})


class NotificationPreferencesApi(APIView):
    @extend_schema(responses={200: s.NotificationPreferencesSerializer}, tags=["notifications"])
    def get(self, request: AuthedRequest) -> Response:
        return Response(s.NotificationPreferencesSerializer(selectors.preferences_of(user=request.user)).data)

    @extend_schema(
        request=s.NotificationPreferencesSerializer,
        responses={200: s.NotificationPreferencesSerializer},
        tags=["notifications"],
    )
    def put(self, request: AuthedRequest) -> Response:
        data = s.NotificationPreferencesSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        preferences = services.preferences_update(user=request.user, **data.validated_data)
        return Response(s.NotificationPreferencesSerializer(preferences).data)
