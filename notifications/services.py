"""The interface other apps use to tell a user something happened, and the inbox writes.

`notify` records the notification (the inbox entry) and, once the caller's transaction commits,
hands its push to the push pipeline (notifications.push). Every call site in the project goes
through here, so preferences, quiet hours and lock-screen privacy apply to all of them.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import time
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from config.api.sql import CompiledInsert
from messaging.catalog import notification_key
from messaging.render import Copy
from notifications.models import Notification, NotificationPreference
from notifications.publisher import PUBLISHER
from notifications.selectors import inbox_of
from sync.receivers import touch_ids, touch_notifications

TITLE_MAX_LENGTH = Notification._meta.get_field("title").max_length or 120
BODY_MAX_LENGTH = Notification._meta.get_field("body").max_length or 500

# Inside `pushes_batched()`: the notification ids whose pushes are queued together when the block ends.
_batch: ContextVar[list[str] | None] = ContextVar("notify_batch", default=None)


@contextmanager
def pushes_batched() -> Iterator[None]:
    """Queues the pushes of every `notify` in the block with one enqueue after commit, instead of one
    each (a sync push records hundreds of notifications in one transaction)."""
    ids: list[str] = []
    token = _batch.set(ids)
    try:
        yield
    finally:
        _batch.reset(token)
    if ids:
        transaction.on_commit(lambda: _queue_pushes(ids))


def notify(
    *,
    recipient: User,
    kind: str,
    message: str = "",
    params: dict[str, Any] | None = None,
    data: dict[str, Any] | None = None,
    dedupe_key: str,
) -> None:
    """Records a notification once per `dedupe_key`; calling again with the same key is a no-op.

    Its text is the message `message` (default `notification.<kind>`, messaging/catalog.py) with
    `params` filled in, in the RECIPIENT's language; the push renders it again when it is sent.
    One `INSERT … ON CONFLICT DO NOTHING`, so it is cheap inside the caller's transaction and safe
    when a request or task is retried. The push is queued after commit.
    """
    notify_many(
        [
            {
                "recipient": recipient,
                "kind": kind,
                "message": message,
                "params": params,
                "data": data,
                "dedupe_key": dedupe_key,
            }
        ]
    )


def notify_many(notifications: list[dict[str, Any]]) -> None:
    """`notify` for several notifications (each a dict of its keyword arguments), in one INSERT.

    The admin's message copy is this process's recent snapshot (messaging.render.Copy.recent)."""
    if not notifications:
        return
    keys = [n.get("message") or notification_key(n["kind"]) for n in notifications]
    copy = Copy.recent()
    rows = []
    for n, key in zip(notifications, keys, strict=True):
        params = {name: "" if value is None else str(value) for name, value in (n.get("params") or {}).items()}
        text = copy.render_for(key, locale=n["recipient"].locale, params=params)
        rows.append(
            Notification(
                recipient=n["recipient"],
                kind=n["kind"],
                title=text.title[:TITLE_MAX_LENGTH],
                body=text.body[:BODY_MAX_LENGTH],
                message_key=key,
                message_params=params,
                data=n.get("data") or {},
                dedupe_key=n["dedupe_key"],
            )
        )
    _INSERT.insert(rows)
    # The INSERT sends no signal. A conflicting (already recorded) notification's id exists
    # nowhere: sync then reports an unknown id as deleted, which phones ignore, and the push worker
    # claims no row for it (the recorded one's push was queued by the write that recorded it).
    # Silent kinds are not synced (nor in the inbox): no phone needs to pull them.
    touch_notifications([(row.recipient_id, row.pk) for row in rows if row.kind not in Notification.SILENT_KINDS])
    ids = [str(row.pk) for row in rows]
    batch = _batch.get()
    if batch is not None:
        batch.extend(ids)
    else:
        transaction.on_commit(lambda: _queue_pushes(ids))


# Every write that notifies inserts its notifications: compiled once (ON CONFLICT DO NOTHING: dedupe_key).
_INSERT = CompiledInsert(Notification, ignore_conflicts=True)


def _queue_pushes(notification_ids: list[str]) -> None:
    """Runs after COMMIT: hands the pushes to this process's publisher (notifications.publisher),
    which queues them without failing the write that recorded them."""
    PUBLISHER.publish(notification_ids)


def notification_mark_read(*, notification: Notification) -> Notification:
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


@transaction.atomic
def notifications_mark_all_read(*, user: User) -> int:
    unread = list(inbox_of(user=user).filter(read_at__isnull=True).values_list("id", flat=True))
    Notification.objects.filter(id__in=unread).update(read_at=timezone.now())
    touch_ids(Notification, unread)
    return len(unread)


@transaction.atomic
def preferences_update(
    *,
    user: User,
    push_enabled: bool,
    muted_kinds: list[str],
    quiet_hours_start: time | None,
    quiet_hours_end: time | None,
    lock_screen: str,
) -> NotificationPreference:
    """Replaces the user's preferences (PUT semantics)."""
    if (quiet_hours_start is None) != (quiet_hours_end is None):
        raise ValidationError(
            {"quiet_hours_end": ValidationError(_("Set both ends of the quiet hours, or neither."), code="incomplete")}
        )
    if quiet_hours_start is not None and quiet_hours_start == quiet_hours_end:
        raise ValidationError(
            {"quiet_hours_end": ValidationError(_("Quiet hours cannot start and end at the same time."), code="empty")}
        )
    preferences, _created = NotificationPreference.objects.update_or_create(
        user=user,
        defaults={
            "push_enabled": push_enabled,
            "muted_kinds": sorted(set(muted_kinds)),
            "quiet_hours_start": quiet_hours_start,
            "quiet_hours_end": quiet_hours_end,
            "lock_screen": lock_screen,
            "updated_at": timezone.now(),
        },
    )
    return preferences
