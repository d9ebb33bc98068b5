from collections.abc import Iterable
from typing import Any

from rest_framework import serializers

from config.api.fields import WallTimeField, datetime_output
from notifications.models import Notification, NotificationPreference


class NotificationOutputSerializer(serializers.ModelSerializer):
    is_read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "data", "created_at", "read_at", "is_read"]
        read_only_fields = fields

    def get_is_read(self, notification: Notification) -> bool:
        return notification.read_at is not None


def notifications_output(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """What `NotificationOutputSerializer(many=True)` renders, from rows of `selectors.inbox_rows_of`:
    the inbox list is read on every app start, and building the serializer's fields per request cost
    more than its query (tests/notifications/test_inbox_api.py checks the two agree)."""
    instant = datetime_output()
    return [
        {
            "id": str(row["id"]),
            "kind": row["kind"],
            "title": row["title"],
            "body": row["body"],
            "data": row["data"],
            "created_at": instant(row["created_at"]),
            "read_at": instant(row["read_at"]),
            "is_read": row["read_at"] is not None,
        }
        for row in rows
    ]


class UnreadCountOutputSerializer(serializers.Serializer):
    unread_count = serializers.IntegerField()


class ReadAllOutputSerializer(serializers.Serializer):
    marked_read = serializers.IntegerField()


class NotificationPreferencesSerializer(serializers.ModelSerializer):
    """Input and output of `me/notification-preferences` (PUT replaces all fields)."""

    muted_kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=Notification.Kind.choices), max_length=50, allow_empty=True
    )
    quiet_hours_start = WallTimeField(allow_null=True, help_text="Local time in your zone, e.g. 22:00.")
    quiet_hours_end = WallTimeField(allow_null=True, help_text="Local time in your zone, e.g. 07:00.")

    class Meta:
        model = NotificationPreference
        fields = ["push_enabled", "muted_kinds", "quiet_hours_start", "quiet_hours_end", "lock_screen"]
        # PUT replaces every field, so each is required (the model's defaults would make these optional).
        extra_kwargs = {"push_enabled": {"required": True}, "lock_screen": {"required": True}}
