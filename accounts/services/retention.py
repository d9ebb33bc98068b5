"""Retention: what is deleted after how long (docs/privacy.md, "Retention"), in small batches.

Each batch is its own short transaction found through an index, so a purge never holds locks on a hot
table for long and can be stopped or run twice at any time. The periods are settings (config/settings/
base.py, RETENTION); the beat runs these daily (CELERY_BEAT_SCHEDULE).
"""

import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Model, QuerySet
from django.utils import timezone

from accounts.models import AuthSession, TombstoneWatermark

logger = logging.getLogger(__name__)


def delete_in_batches(queryset: QuerySet[Any], *, batch_size: int | None = None) -> int:
    """Deletes the rows of `queryset` a batch of primary keys at a time; returns how many (cascades
    not counted). Each batch commits on its own."""
    size = batch_size or settings.RETENTION_BATCH_SIZE
    model: type[Model] = queryset.model
    total = 0
    while True:
        ids = list(queryset.order_by().values_list("pk", flat=True)[:size])
        if not ids:
            return total
        with transaction.atomic():
            model._default_manager.filter(pk__in=ids).delete()
        total += len(ids)
        if len(ids) < size:
            return total


def sessions_purge_ended(*, now: datetime) -> int:
    """Sign-in sessions revoked (logout, password change, deactivation) more than
    ENDED_SESSION_RETENTION_DAYS ago, and Django's expired admin sessions."""
    from django.contrib.sessions.models import Session

    cutoff = now - timedelta(days=settings.ENDED_SESSION_RETENTION_DAYS)
    revoked = delete_in_batches(AuthSession.objects.filter(revoked_at__lt=cutoff))
    admin_sessions = delete_in_batches(Session.objects.filter(expire_date__lt=now))
    return revoked + admin_sessions


def staff_logs_purge(*, now: datetime) -> int:
    """django-axes' admin sign-in logs after STAFF_LOGIN_LOG_RETENTION_DAYS, and the admin audit trail
    (LogEntry) after ADMIN_AUDIT_RETENTION_DAYS."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django.contrib.admin.models import LogEntry

    logins = now - timedelta(days=settings.STAFF_LOGIN_LOG_RETENTION_DAYS)
    total = delete_in_batches(AccessLog.objects.filter(attempt_time__lt=logins))
    total += delete_in_batches(AccessFailureLog.objects.filter(attempt_time__lt=logins))
    total += delete_in_batches(AccessAttempt.objects.filter(attempt_time__lt=logins))
    audit = now - timedelta(days=settings.ADMIN_AUDIT_RETENTION_DAYS)
    return total + delete_in_batches(LogEntry.objects.filter(action_time__lt=audit))


def sync_tombstones_purge(*, now: datetime) -> int:
    """Deletes sync tombstones (SyncState rows of deleted records) older than
    SYNC_TOMBSTONE_RETENTION_DAYS, user by user, through TombstoneWatermark; 0 turns it off.

    Never a tombstone younger than the retention: only those at or below a version read at least that
    long ago. Each user's purge moves `purged_through` in the same transaction."""
    from sync.models import SyncCounter, SyncState

    days = settings.SYNC_TOMBSTONE_RETENTION_DAYS
    if days <= 0:
        return 0
    cutoff = now - timedelta(days=days)
    size = settings.RETENTION_BATCH_SIZE
    purged = 0
    while True:
        due = list(
            TombstoneWatermark.objects.filter(recorded_at__lte=cutoff)
            .order_by("recorded_at")
            .values_list("user_id", "version")[:size]
        )
        for user_id, version in due:
            with transaction.atomic():
                watermark = TombstoneWatermark.objects.select_for_update().get(user_id=user_id)
                # The counter now, read before deleting: the next watermark.
                current = SyncCounter.objects.filter(user_id=user_id).values_list("version", flat=True).first()
                purged += delete_in_batches(
                    SyncState.objects.filter(user_id=user_id, deleted=True, version__lte=version)
                )
                watermark.purged_through = max(watermark.purged_through, version)
                watermark.version = current if current is not None else version
                watermark.recorded_at = now
                watermark.save(update_fields=["purged_through", "version", "recorded_at"])
        if len(due) < size:
            break
    # Users seen for the first time: their watermark starts now.
    while True:
        new = list(
            SyncCounter.objects.exclude(user_id__in=TombstoneWatermark.objects.values("user_id")).values_list(
                "user_id", "version"
            )[:size]
        )
        TombstoneWatermark.objects.bulk_create(
            [TombstoneWatermark(user_id=u, version=v, recorded_at=now) for u, v in new], ignore_conflicts=True
        )
        if len(new) < size:
            break
    return purged


def purge_all(*, now: datetime | None = None) -> dict[str, int]:
    """Everything accounts/ keeps for a limited time; one beat task runs it daily."""
    now = now or timezone.now()
    counts = {
        "ended_sessions": sessions_purge_ended(now=now),
        "staff_logs": staff_logs_purge(now=now),
        "sync_tombstones": sync_tombstones_purge(now=now),
    }
    logger.info("retention purge done", extra={"deleted": counts})
    return counts
