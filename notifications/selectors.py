"""Reads on notifications."""

from django.db.models import QuerySet

from accounts.models import User
from notifications.models import Notification, NotificationPreference


def inbox_of(*, user: User) -> QuerySet[Notification]:
    """The user's inbox: every notification but the silent ones (data-only pushes the app acts on)."""
    return Notification.objects.filter(recipient=user).exclude(kind__in=Notification.SILENT_KINDS)


# The columns NotificationOutputSerializer reads: the inbox list loads only these.
INBOX_COLUMNS = ("id", "kind", "title", "body", "data", "created_at", "read_at")


def inbox_page_of(*, user: User) -> QuerySet[Notification]:
    """`inbox_of(user)` with only the columns of the inbox list, for the paginator."""
    return inbox_of(user=user).only(*INBOX_COLUMNS)


def unread_count(*, user: User) -> int:
    return inbox_of(user=user).filter(read_at__isnull=True).count()


def preferences_of(*, user: User) -> NotificationPreference:
    """The user's preferences; the defaults (unsaved) until they change something."""
    return NotificationPreference.objects.filter(user=user).first() or NotificationPreference(user=user)
