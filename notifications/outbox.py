"""Transactional outbox: Celery tasks a request starts survive a broker outage and run once.

A request that starts background work (the password-reset e-mail) calls `outbox_add` inside its
transaction: the row commits with the data or not at all. After COMMIT the task is published at
once (the fast path); a publish that fails is logged, never raised into the response, and the row
waits for `outbox_relay` (the `notifications.relay_outbox` beat entry) to publish it again once its
`next_attempt_at` passes, with backoff. A message can therefore be published more than once (the
relay ran while the first copy still sat in the queue): the task runs its work inside
`outbox_claim`, which lets one copy through and marks the row done after it.

Pushes do not go through here: a notification row is already their outbox, and `push_pump` their
relay (notifications.delivery).
"""

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from celery import Task, current_app
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from notifications.models import OutboxMessage

logger = logging.getLogger(__name__)


def _retry_delay(attempts: int) -> timedelta:
    """Wait before the relay publishes again: OUTBOX_RETRY_SECONDS, doubling per attempt, capped at an hour."""
    return timedelta(seconds=min(settings.OUTBOX_RETRY_SECONDS * 2 ** min(attempts, 12), 3600))


def outbox_add(*, task: Task, kwargs: dict[str, Any]) -> OutboxMessage:
    """Records `task(**kwargs)` in the caller's transaction and publishes it after COMMIT.

    The task must accept an `outbox_id` keyword argument and do its work inside `outbox_claim`.
    """
    message = OutboxMessage.objects.create(
        task=task.name, kwargs=kwargs, next_attempt_at=timezone.now() + _retry_delay(0)
    )
    message_id, fields = message.pk, dict(kwargs)
    transaction.on_commit(lambda: _publish(message_id, task.name, fields, task=task))
    return message


def _publish(message_id: UUID, name: str, kwargs: dict[str, Any], *, task: Task | None = None) -> bool:
    """Hands one message to the broker; False (logged) when it cannot, for the relay to retry.

    The relay runs in a worker, where every task is registered and looked up by `name`."""
    try:
        (task or current_app.tasks[name]).apply_async(kwargs={**kwargs, "outbox_id": str(message_id)})
    except Exception as exc:
        # After COMMIT: the write succeeded and its answer must say so. The row stays to do.
        logger.warning(
            "outbox: could not publish %s %s (%s: %s); the relay will retry",
            name,
            message_id,
            type(exc).__name__,
            str(exc).strip()[:200],
        )
        return False
    return True


def outbox_relay(*, now: datetime | None = None, limit: int = 500) -> int:
    """Publishes again the messages still to do whose `next_attempt_at` passed; returns how many.

    Rows are claimed with SKIP LOCKED and pushed back before publishing, so two relays never
    publish one row at once, and a message no worker can run yet waits longer each time.
    Messages older than OUTBOX_GIVE_UP_HOURS are left alone (and logged by their count).
    """
    now = now or timezone.now()
    oldest = now - timedelta(hours=settings.OUTBOX_GIVE_UP_HOURS)
    with transaction.atomic():
        due = list(
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(done_at__isnull=True, next_attempt_at__lte=now, created_at__gte=oldest)
            # A message a live worker is running needs no second copy.
            .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
            .order_by("next_attempt_at")[:limit]
        )
        for message in due:
            message.attempts += 1
            message.next_attempt_at = now + _retry_delay(message.attempts)
        OutboxMessage.objects.bulk_update(due, ["attempts", "next_attempt_at"])
    published = sum(_publish(message.pk, message.task, message.kwargs) for message in due)
    if due:
        logger.info("outbox relay: %s of %s due messages published", published, len(due))
    return published


@contextmanager
def outbox_claim(outbox_id: str | None, *, forget: bool = False) -> Iterator[bool]:
    """Runs a task's work at most once per outbox row: yields False when another copy ran it or runs it.

    Without an id (a message from before the outbox) the work just runs. The claim is a lease of
    OUTBOX_CLAIM_SECONDS: a worker killed mid-task leaves it to expire, and the relay publishes the
    row again. The work raising releases the claim at once. `forget` empties the row's kwargs when the
    work is done, for a message whose arguments are personal data nothing else keeps (the address of
    a deleted account).
    """
    if outbox_id is None:
        yield True
        return
    now = timezone.now()
    claimed = (
        OutboxMessage.objects.filter(pk=outbox_id, done_at__isnull=True)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .update(claimed_until=now + timedelta(seconds=settings.OUTBOX_CLAIM_SECONDS))
    )
    if not claimed:
        yield False
        return
    try:
        yield True
    except BaseException:
        OutboxMessage.objects.filter(pk=outbox_id).update(claimed_until=None)
        raise
    done: dict[str, Any] = {"kwargs": {}} if forget else {}
    OutboxMessage.objects.filter(pk=outbox_id).update(done_at=timezone.now(), claimed_until=None, **done)
