"""Reads on notifications."""

from typing import Any

from django.db.models import QuerySet

from accounts.models import User
from notifications.models import Notification, NotificationPreference


def inbox_of(*, user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user)


# The columns of NotificationOutputSerializer: the inbox list reads these only (no model instances).
INBOX_COLUMNS = ("id", "kind", "title", "body", "data", "created_at", "read_at")


def inbox_rows_of(*, user: User) -> QuerySet[Notification, dict[str, Any]]:
    """The user's inbox as dicts of `INBOX_COLUMNS` (for `notification_output`)."""
    return inbox_of(user=user).values(*INBOX_COLUMNS)


def unread_count(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def preferences_of(*, user: User) -> NotificationPreference:
    """The user's preferences; the defaults (unsaved) until they change something."""
    return NotificationPreference.objects.filter(user=user).first() or NotificationPreference(user=user)
