"""Celery tasks of the push pipeline: thin, idempotent wrappers around notifications.delivery."""

from datetime import datetime
from typing import Any

from celery import shared_task
from celery.signals import worker_init
from django.conf import settings

from notifications import delivery, reminders
from notifications.outbox import outbox_relay
from notifications.push import import_provider

# Pushes enqueued per task: small enough that one slow batch does not hold many others.
CHUNK = 250


@shared_task(name="notifications.send_pushes", queue="push", time_limit=settings.PUSH_TASK_TIME_LIMIT)
def send_pushes(notification_ids: list[str], lease_until: str | None = None) -> dict[str, int]:
    """Safe to run twice: only rows still due, or still under this message's claim, are sent."""
    claim = datetime.fromisoformat(lease_until) if lease_until else None
    return delivery.deliver(notification_ids, lease_until=claim)


def enqueue_pushes(notification_ids: list[str], *, lease_until: datetime | None = None) -> None:
    """Queues the pushes in chunks. `lease_until`: the rows were written `sending` under that claim
    for these messages (the reminder dispatcher); without it the worker claims them."""
    claim = lease_until.isoformat() if lease_until is not None else None
    for start in range(0, len(notification_ids), CHUNK):
        send_pushes.delay(notification_ids[start : start + CHUNK], claim)


@shared_task(name="notifications.push_pump")
def push_pump() -> int:
    """Re-queues retries whose backoff is over, held pushes whose quiet hours ended, and rows a
    dead worker left `sending` past their lease."""
    delivery.sweep_expired_leases()
    due = delivery.due_notification_ids(limit=5000)
    enqueue_pushes(due)
    return len(due)


@shared_task(name="notifications.relay_outbox")
def relay_outbox() -> int:
    """Publishes again the outbox messages (e-mails a request started) that never ran; safe to run twice."""
    return outbox_relay()


@shared_task(name="notifications.dispatch_reminders")
def dispatch_reminders(fan_out: bool = True) -> int:
    """Safe to run twice at once: rows are claimed with SKIP LOCKED and notifications are unique.

    On a burst (its first batch was full) the beat's run starts REMINDER_DISPATCHERS - 1 more runs
    that work through the same backlog side by side, then stop when it is empty; they never start
    others, so one burst has at most REMINDER_DISPATCHERS dispatchers per beat tick."""
    return reminders.dispatch_due_reminders(on_backlog=_start_helpers if fan_out else None)


def _start_helpers() -> None:
    for _ in range(settings.REMINDER_DISPATCHERS - 1):
        # A helper that waited longer than a minute in the queue would find the burst over.
        dispatch_reminders.apply_async(kwargs={"fan_out": False}, expires=60)


@worker_init.connect(weak=False, dispatch_uid="notifications.import_provider")
def _import_provider_before_fork(**_: Any) -> None:
    import_provider()


@shared_task(name="notifications.purge_old_notifications")
def purge_old_notifications() -> int:
    """Deletes notifications older than NOTIFICATION_RETENTION_DAYS; safe to run twice."""
    from notifications.retention import notifications_purge_old

    return notifications_purge_old()
