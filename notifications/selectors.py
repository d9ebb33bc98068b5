"""Reads on notifications."""

from typing import Any, ClassVar
from uuid import UUID

from django.db import connection
from django.db.models import QuerySet

from accounts.models import User
from config.api import sql
from notifications.models import Notification, NotificationPreference


def inbox_of(*, user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user)


# The columns of NotificationOutputSerializer: the inbox list reads these only (no model instances).
INBOX_COLUMNS = ("id", "kind", "title", "body", "data", "created_at", "read_at")


class InboxRows:
    """The user's inbox as dicts of `INBOX_COLUMNS`, read the way `CreatedAtCursorPagination` reads a
    queryset (`order_by` created_at either way, `filter` by a cursor position, a slice), in plain
    prepared SQL (config/api/sql.py).

    The inbox list runs on every app start; the ORM spent more CPU building this one query than the
    rest of the request, and PostgreSQL more planning it than running it. Same rows as
    `inbox_of(user=user).values(*INBOX_COLUMNS)` under the same ordering, position and slice
    (tests/notifications/test_inbox_api.py pages through both ways).
    """

    _columns = sql.Columns(Notification, INBOX_COLUMNS)
    _created_at = Notification._meta.get_field("created_at")
    _lookups: ClassVar[dict[str, str]] = {"created_at__lt": "<", "created_at__gt": ">"}

    def __init__(self, recipient_id: UUID, *, descending: bool = True, bound: tuple[str, Any] | None = None) -> None:
        self.recipient_id, self.descending, self.bound = recipient_id, descending, bound

    def order_by(self, *ordering: str) -> "InboxRows":
        if ordering not in {("-created_at",), ("created_at",)}:
            raise ValueError(f"The inbox is ordered by created_at only, not {ordering}.")
        return InboxRows(self.recipient_id, descending=ordering[0].startswith("-"), bound=self.bound)

    def filter(self, **lookup: Any) -> "InboxRows":
        ((name, position),) = lookup.items()
        # The ORM's own conversion of the position: a malformed one fails as it would in a queryset.
        value = self._created_at.get_db_prep_value(position, connection, prepared=False)
        return InboxRows(self.recipient_id, descending=self.descending, bound=(self._lookups[name], value))

    def __getitem__(self, window: slice) -> list[dict[str, Any]]:
        start, stop = window.start or 0, window.stop
        params: list[Any] = [self.recipient_id]
        where = "recipient_id = %s"
        if self.bound is not None:
            where += f" AND created_at {self.bound[0]} %s"
            params.append(self.bound[1])
        statement = (
            f"SELECT {self._columns.select} FROM {Notification._meta.db_table} WHERE {where} "  # noqa: S608 (names from model meta)
            f"ORDER BY created_at {'DESC' if self.descending else 'ASC'} LIMIT %s OFFSET %s"
        )
        return self._columns.dicts(sql.fetch(statement, [*params, stop - start, start]))


def inbox_rows_of(*, user: User) -> InboxRows:
    """The user's inbox as dicts of `INBOX_COLUMNS` (for `notifications_output`), for the paginator."""
    return InboxRows(user.pk)


def unread_count(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def preferences_of(*, user: User) -> NotificationPreference:
    """The user's preferences; the defaults (unsaved) until they change something."""
    return NotificationPreference.objects.filter(user=user).first() or NotificationPreference(user=user)
