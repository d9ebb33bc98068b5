"""Reads on notifications."""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncWeek

from accounts.models import User
from notifications.models import Notification, NotificationPreference


def inbox_of(*, user: User) -> QuerySet[Notification]:
    """The user's inbox: every notification but the silent ones (data-only pushes the app acts on)."""
    return inbox_of_id(user.pk)


def inbox_of_id(user_id: Any) -> QuerySet[Notification]:
    """`inbox_of` the user with this id (for a query compiled once with ids as its arguments)."""
    return Notification.objects.filter(recipient_id=user_id).exclude(kind__in=Notification.SILENT_KINDS)


# The columns of an inbox entry (NotificationOutputSerializer, the sync table's record): the inbox
# list and a pull load only these, not the push's bookkeeping or the message's parameters.
INBOX_COLUMNS = ("id", "kind", "title", "body", "data", "created_at", "read_at")


def inbox_page_of(user_id: Any) -> QuerySet[Notification]:
    """The inbox of the user with this id, with only the columns of an entry (the paginator's list,
    the sync table's records)."""
    return inbox_of_id(user_id).only(*INBOX_COLUMNS)


def unread_of(user_id: Any) -> QuerySet[Notification]:
    """The unread notifications of the inbox of the user with this id (`unread_count`, the widget)."""
    return inbox_of_id(user_id).filter(read_at__isnull=True)


def unread_count(*, user: User) -> int:
    return unread_of(user.pk).count()


def preferences_of(*, user: User) -> NotificationPreference:
    """The user's preferences; the defaults (unsaved) until they change something."""
    return NotificationPreference.objects.filter(user=user).first() or NotificationPreference(user=user)


@dataclass(frozen=True)
class PushWeek:
    """Pushes of one week by outcome (a push still pending, held or sending counts in none)."""

    sent: int
    failed: int
    skipped: int

    @property
    def delivery_rate(self) -> float | None:
        """Sent out of those a provider was asked to deliver (sent or failed)."""
        attempted = self.sent + self.failed
        return round(self.sent / attempted, 3) if attempted else None

    @property
    def failure_rate(self) -> float | None:
        attempted = self.sent + self.failed
        return round(self.failed / attempted, 3) if attempted else None


def push_outcomes_per_week(*, weeks: list[date]) -> list[PushWeek]:
    """Push outcomes of the notifications created in each week (Mondays, UTC): one grouped query."""
    start = datetime(weeks[0].year, weeks[0].month, weeks[0].day, tzinfo=UTC)
    states = Notification.PushState
    rows = (
        Notification.objects.filter(created_at__gte=start)
        .annotate(week=TruncWeek("created_at"))
        .values("week")
        .annotate(
            sent=Count("pk", filter=Q(push_state=states.SENT)),
            failed=Count("pk", filter=Q(push_state=states.FAILED)),
            skipped=Count("pk", filter=Q(push_state=states.SKIPPED)),
        )
        .values_list("week", "sent", "failed", "skipped")
    )
    by_week = {week.date(): PushWeek(sent=sent, failed=failed, skipped=skipped) for week, sent, failed, skipped in rows}
    return [by_week.get(monday, PushWeek(sent=0, failed=0, skipped=0)) for monday in weeks]
