"""The interface other apps use to tell a user something happened, and the inbox writes.

`notify` records the notification (the inbox entry) and, once the caller's transaction commits,
hands its push to the push pipeline (notifications.push). Every call site in the project goes
through here, so preferences, quiet hours and lock-screen privacy apply to all of them.
"""

import logging
from datetime import time
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from notifications.models import Notification, NotificationPreference
from sync.receivers import touch_ids

logger = logging.getLogger(__name__)


def notify(
    *, recipient: User, kind: str, title: str, body: str = "", data: dict[str, Any] | None = None, dedupe_key: str
) -> None:
    """Records a notification once per `dedupe_key`; calling again with the same key is a no-op.

    One `INSERT … ON CONFLICT DO NOTHING`, so it is cheap inside the caller's transaction and safe
    when a request or task is retried. The push is queued after commit.
    """
    notification = Notification(
        recipient=recipient, kind=kind, title=title, body=body, data=data or {}, dedupe_key=dedupe_key
    )
    Notification.objects.bulk_create([notification], ignore_conflicts=True)
    # bulk_create sends no signal. A conflicting (already recorded) notification's id exists
    # nowhere: sync then reports an unknown id as deleted, which phones ignore.
    touch_ids(Notification, [notification.pk])
    transaction.on_commit(lambda: _queue_push(dedupe_key))


def _queue_push(dedupe_key: str) -> None:
    """Runs after COMMIT: the write succeeded, so a failure here must not turn its answer into an error.

    The notification row is the push's outbox: a push that could not be queued (broker or database
    down) stays `pending`, and `push_pump` queues it within a tick of the broker's return.
    """
    from notifications.tasks import enqueue_pushes

    try:
        notification_id = Notification.objects.filter(dedupe_key=dedupe_key).values_list("id", flat=True).first()
        if notification_id is not None:
            enqueue_pushes([str(notification_id)])
    except Exception as exc:
        logger.warning(
            "push for %s not queued (%s: %s); push_pump will queue it",
            dedupe_key,
            type(exc).__name__,
            str(exc).strip()[:200],
        )


def notification_mark_read(*, notification: Notification) -> Notification:
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


@transaction.atomic
def notifications_mark_all_read(*, user: User) -> int:
    unread = list(Notification.objects.filter(recipient=user, read_at__isnull=True).values_list("id", flat=True))
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
            {"quiet_hours_end": ValidationError("Set both ends of the quiet hours, or neither.", code="incomplete")}
        )
    if quiet_hours_start is not None and quiet_hours_start == quiet_hours_end:
        raise ValidationError(
            {"quiet_hours_end": ValidationError("Quiet hours cannot start and end at the same time.", code="empty")}
        )
    preferences, _ = NotificationPreference.objects.update_or_create(
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
