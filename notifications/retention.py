"""Old notifications are deleted after NOTIFICATION_RETENTION_DAYS (docs/privacy.md, "Retention").

In batches of RETENTION_BATCH_SIZE, each its own short transaction. A deleted notification leaves the
phones too: each batch stamps sync tombstones for its recipients through sync's own `stamp` (one counter
bump per recipient, taken in user-id order as every sync write takes them, so no deadlock with them),
then deletes the rows without per-row signals. Rows still waiting for their push (pending, held,
sending) are left to the push pipeline.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from notifications.models import Notification

_IN_FLIGHT = [Notification.PushState.PENDING, Notification.PushState.HELD, Notification.PushState.SENDING]


def notifications_purge_old(*, now: datetime | None = None) -> int:
    from sync.changes import Change, stamp
    from sync.tables import TABLE_OF_MODEL

    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.NOTIFICATION_RETENTION_DAYS)
    table = TABLE_OF_MODEL[Notification]
    size = settings.RETENTION_BATCH_SIZE
    total = 0
    while True:
        with transaction.atomic():
            rows = list(
                Notification.objects.filter(created_at__lt=cutoff)
                .exclude(push_state__in=_IN_FLIGHT)
                .order_by("created_at")
                .values_list("id", "recipient_id")[:size]
            )
            if not rows:
                return total
            stamp(Change(recipient_id, table, str(pk), True) for pk, recipient_id in rows)
            # No model signals: the tombstones above are the whole of what a delete means here.
            Notification.objects.filter(id__in=[pk for pk, _ in rows])._raw_delete(Notification.objects.db)
        total += len(rows)
        if len(rows) < size:
            return total
