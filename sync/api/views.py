"""WatermelonDB sync endpoints. See docs/sync.md for the tables, columns and guarantees."""

import time
from typing import Any

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.deadline import remaining
from config.api.output import OutputSerializer
from config.api.requests import AuthedRequest
from config.api.serializers import Serializer
from sync.pull import pull
from sync.push import push, response_body
from sync.tables import TABLES


class SyncPullQuerySerializer(Serializer):
    last_pulled_at = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    schema_version = serializers.IntegerField(required=False, min_value=1)


@extend_schema_field(OpenApiTypes.OBJECT)
class SyncRecordField(serializers.Field):
    """A record as the phone sent it, a JSON object: its table's writer validates its columns with
    the REST endpoint's serializer (sync.writers). A `DictField` would run a no-op field over every
    column of every record first (6 % of a 10-record push's CPU)."""

    default_error_messages = serializers.DictField.default_error_messages

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        if not isinstance(data, dict):
            self.fail("not_a_dict", input_type=type(data).__name__)
        return data


class SyncTableChangesSerializer(Serializer):
    # No length cap here: the push counts every record and answers 413 `too_many_records` past
    # SYNC_PUSH_MAX_RECORDS, which the app handles by pushing in parts.
    created = serializers.ListField(child=SyncRecordField(), required=False, default=list)
    updated = serializers.ListField(child=SyncRecordField(), required=False, default=list)
    deleted = serializers.ListField(child=serializers.CharField(max_length=200), required=False, default=list)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        for raw in [*attrs["created"], *attrs["updated"]]:
            if not isinstance(raw.get("id"), str) or len(raw["id"]) > 200:
                raise serializers.ValidationError({"id": "Every record needs its string id."}, code="missing_id")
        return attrs


class SyncPushInputSerializer(Serializer):
    changes = serializers.DictField(child=SyncTableChangesSerializer())

    def validate_changes(self, changes: dict[str, Any]) -> dict[str, Any]:
        unknown = sorted(set(changes) - set(TABLES))
        if unknown:
            raise serializers.ValidationError(f"Unknown tables: {', '.join(unknown)}.", code="unknown_table")
        return changes


class SyncPushQuerySerializer(Serializer):
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


class SyncRejectionSerializer(Serializer):
    table = serializers.CharField()
    id = serializers.CharField()
    code = serializers.CharField(help_text="Machine-readable reason: the error codes of the REST endpoints.")
    message = serializers.CharField()
    retry = serializers.BooleanField(
        help_text="true: keep the local change and push it again after the next pull (`sync_conflict`, "
        "`deadline`, `server_error`); false: the server refused it, adopt the server's version from the next pull."
    )


class SyncPushOutputSerializer(OutputSerializer):
    rejected_ids = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Per table, the ids not applied: return them to WatermelonDB as `experimentalRejectedIds`.",
    )
    rejections = SyncRejectionSerializer(many=True)


class SyncPushApi(APIView):
    # A replayed push is a no-op record by record (docs/sync.md), so the Idempotency-Key machinery
    # is not needed, and its one transaction around the view would hold the rows of the whole push
    # (and the partner's writes) instead of one chunk's: the header is ignored here.
    idempotent_by_design = True

    @extend_schema(
        parameters=[_LAST_PULLED_AT],
        request=SyncPushInputSerializer,
        responses={
            200: SyncPushOutputSerializer,
            400: OpenApiResponse(description="`validation_error`: the body is not a WatermelonDB change set."),
            413: OpenApiResponse(description="`too_many_records`: push in parts of `max_records` records."),
        },
        tags=["sync"],
    )
    def post(self, request: AuthedRequest) -> Response:
        # Stop applying records in time to answer within the request's own deadline (config.api.deadline).
        deadline = time.monotonic() + min(settings.SYNC_PUSH_TIME_BUDGET_SECONDS, remaining() - 2)
        query = SyncPushQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        body = SyncPushInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        rejections = push(
            user=request.user,
            changes_by_table=body.validated_data["changes"],
            last_pulled_at=query.validated_data["last_pulled_at"],
            deadline=deadline,
        )
        return Response(response_body(rejections))
