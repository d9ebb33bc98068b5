"""WatermelonDB sync endpoints. See docs/sync.md for the tables, columns and guarantees."""

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.requests import AuthedRequest
from sync.pull import pull
from sync.push import push
from sync.tables import TABLES


class SyncPullQuerySerializer(serializers.Serializer):
    last_pulled_at = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    schema_version = serializers.IntegerField(required=False, min_value=1)


class SyncTableChangesSerializer(serializers.Serializer):
    created = serializers.ListField(child=serializers.DictField(), required=False, default=list, max_length=1000)
    updated = serializers.ListField(child=serializers.DictField(), required=False, default=list, max_length=1000)
    deleted = serializers.ListField(child=serializers.CharField(max_length=64), required=False, default=list)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        for raw in [*attrs["created"], *attrs["updated"]]:
            if not isinstance(raw.get("id"), str):
                raise serializers.ValidationError({"id": "Every record needs its string id."}, code="missing_id")
        return attrs


class SyncPushInputSerializer(serializers.Serializer):
    changes = serializers.DictField(child=SyncTableChangesSerializer())

    def validate_changes(self, changes: dict[str, Any]) -> dict[str, Any]:
        unknown = sorted(set(changes) - set(TABLES))
        if unknown:
            raise serializers.ValidationError(f"Unknown tables: {', '.join(unknown)}.", code="unknown_table")
        return changes


class SyncPushQuerySerializer(serializers.Serializer):
    last_pulled_at = serializers.IntegerField(min_value=0)


def _plain_cursor(value: str) -> bool:
    """ASCII digits that `IntegerField(min_value=0)` accepts as they are (within its 1,000 characters)."""
    return value.isascii() and value.isdigit() and len(value) <= serializers.IntegerField.MAX_STRING_LENGTH


PULL_SHAPE = "{changes: {table: {created: [raw], updated: [raw], deleted: [id]}}, timestamp: cursor}"
_LAST_PULLED_AT = OpenApiParameter(
    "last_pulled_at", OpenApiTypes.INT, description="The `timestamp` of your last pull (omit on the first sync)."
)


class SyncPullApi(APIView):
    @extend_schema(
        parameters=[_LAST_PULLED_AT, OpenApiParameter("schema_version", OpenApiTypes.INT)],
        responses={
            200: OpenApiResponse(
                OpenApiTypes.OBJECT, description="{changes: {table: {created, updated, deleted}}, timestamp}"
            )
        },
        tags=["sync"],
    )
    def get(self, request: AuthedRequest) -> Response:
        params = request.query_params.dict()
        if params.get("last_pulled_at") in {"", "null", "undefined"}:  # WatermelonDB's first sync
            params.pop("last_pulled_at")
        cursor = params.get("last_pulled_at")
        if "schema_version" not in params and cursor is not None and _plain_cursor(cursor):
            # What the serializer makes of it, without building one (every incremental pull).
            return Response(pull(user=request.user, last_pulled_at=int(cursor)))
        query = SyncPullQuerySerializer(data=params)
        query.is_valid(raise_exception=True)
        return Response(pull(user=request.user, **query.validated_data))


class SyncPushApi(APIView):
    @extend_schema(
        parameters=[_LAST_PULLED_AT],
        request=SyncPushInputSerializer,
        responses={
            204: None,
            400: OpenApiResponse(description="`validation_error`, or `read_only`: the table or field is not writable."),
            404: OpenApiResponse(description="`not_found` (a record you may not change) or `not_paired`."),
            409: OpenApiResponse(description="`sync_conflict`: a record changed since `last_pulled_at`; pull first."),
        },
        tags=["sync"],
    )
    def post(self, request: AuthedRequest) -> Response:
        query = SyncPushQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        body = SyncPushInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        push(
            user=request.user,
            changes=body.validated_data["changes"],
            last_pulled_at=query.validated_data["last_pulled_at"],
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
