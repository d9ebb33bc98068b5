from rest_framework import serializers

from config.api.fields import WallTimeField
from config.api.output import OutputModelSerializer, OutputSerializer
from config.api.serializers import ModelSerializer
from notifications.models import Notification, NotificationPreference


class NotificationOutputSerializer(OutputModelSerializer):
    is_read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "data", "created_at", "read_at", "is_read"]
        read_only_fields = fields

    def get_is_read(self, notification: Notification) -> bool:
        return notification.read_at is not None


# Built once and reused (the inbox is read on every app start): DRF deep-copies fields per instance.
NOTIFICATIONS_OUTPUT = NotificationOutputSerializer(many=True)


class UnreadCountOutputSerializer(OutputSerializer):
    unread_count = serializers.IntegerField()


class ReadAllOutputSerializer(OutputSerializer):
    marked_read = serializers.IntegerField()


class NotificationPreferencesSerializer(ModelSerializer):
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
