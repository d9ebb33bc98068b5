"""Sending the pushes of notifications: claim, apply preferences, send, record.

At most once per notification: a row is claimed by moving it to `sending` (under
`SELECT … FOR UPDATE SKIP LOCKED`, so two workers never claim one row) with a lease. Reminders
are written by the dispatcher already `sending`, claimed for the one queue message that carries
them (its `lease_until` is the token): that message's worker sends them without another write.
Only the claimer moves a row on to `sent`, `failed`, `held`, `skipped` or back to `pending` for a
retry. A worker killed mid-send leaves the row `sending`; when the lease ends, `push_pump`'s sweep
hands it back to the queue. Each push carries the notification id as its collapse id, so in the
one case no server can rule out (the provider accepted the message, the worker died before
recording it) the phone still shows it once.

The number of queries per batch is constant in its size.
"""

import logging
import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import Device
from config.db import AnyOf  # noqa: F401  (registers the `__any` lookup: one parameter for a list of ids)
from config.observability.metrics import PUSH_RESULTS
from notifications.models import Notification, NotificationPreference
from notifications.push import Outcome, PushMessage, PushResult, get_provider
from notifications.quiet_hours import quiet_until
from notifications.signals import pushes_sent

logger = logging.getLogger(__name__)

State = Notification.PushState

# What the lock screen shows at each privacy level, for kinds that come from the partner and for
# the others (reminders).
_PARTNER_KINDS = {
    Notification.Kind.NUDGE,
    Notification.Kind.NUDGE_RESPONSE,
    Notification.Kind.PROMPT_ANSWERED,
    Notification.Kind.GOAL_PROPOSED,
    Notification.Kind.GOAL_ACCEPTED,
    Notification.Kind.GOAL_DECLINED,
    Notification.Kind.GOAL_WITHDRAWN,
    Notification.Kind.GOAL_COMPLETED,
    Notification.Kind.GOAL_ABANDONED,
    Notification.Kind.RITUAL_COMPLETED_BY_PARTNER,
    Notification.Kind.INVITE_ACCEPTED,
    Notification.Kind.DATE_PROPOSED,
    Notification.Kind.DATE_COUNTERED,
    Notification.Kind.DATE_ACCEPTED,
    Notification.Kind.DATE_DECLINED,
    Notification.Kind.DATE_CANCELLED,
}
# Reminders of things both partners planned: on the "partner" level, what is coming, not its title.
_UPCOMING_KINDS: dict[str, str] = {
    Notification.Kind.RITUAL_REMINDER: "A ritual is coming up",
    Notification.Kind.DATE_REMINDER: "A date is coming up",
    Notification.Kind.DATE_MEMORY_PROMPT: "How was your date?",
}


def _is_due(row: Notification, now: datetime) -> bool:
    """Whether a push is waiting for a worker: pending or held, and its time (retry backoff, end
    of quiet hours) has come."""
    waiting = row.push_state in (State.PENDING, State.HELD)
    return waiting and (row.push_not_before is None or row.push_not_before <= now)


def claim(notification_ids: list[str], *, lease_until: datetime | None = None) -> list[Notification]:
    """The rows among `notification_ids` this worker may send now, each `sending` under a lease.

    Rows the reminder dispatcher wrote are born `sending`, claimed for the queue message that
    carries their ids and `lease_until` (the claim's token): the message's worker owns them as long
    as enough of that lease is left to finish (PUSH_TASK_TIME_LIMIT), with no write. Otherwise, and
    for every other row, the due ones (`pending`, `held`) are claimed by moving them to `sending`
    under a new lease."""
    now = timezone.now()
    if lease_until is None:
        return _claim_due(notification_ids, now)
    rows = list(Notification.objects.filter(id__any=notification_ids))
    finish_by = now + timedelta(seconds=settings.PUSH_TASK_TIME_LIMIT)
    owned = [
        row
        for row in rows
        if row.push_state == State.SENDING and row.push_lease_until == lease_until and lease_until > finish_by
    ]
    waiting = [str(row.id) for row in rows if _is_due(row, now)]
    return owned + (_claim_due(waiting, now) if waiting else [])


def _claim_due(notification_ids: list[str], now: datetime) -> list[Notification]:
    lease_until = now + timedelta(seconds=settings.PUSH_LEASE_SECONDS)
    with transaction.atomic():
        # Locked by primary key only; whether each row is due is decided here, in Python. With the
        # state in the WHERE clause the planner may AND in the partial index of rows with push work
        # (`notification_push_due`), which during a reminder burst holds every queued row: each
        # claim would then scan all of them (measured: 14x the PostgreSQL CPU for 5x the pushes).
        locked = Notification.objects.select_for_update(skip_locked=True, of=("self",)).filter(id__any=notification_ids)
        rows = [row for row in locked if _is_due(row, now)]
        if rows:
            Notification.objects.filter(id__any=[row.id for row in rows]).update(
                push_state=State.SENDING, push_lease_until=lease_until, push_attempts=F("push_attempts") + 1
            )
    for row in rows:
        row.push_attempts += 1
        row.push_state, row.push_lease_until = State.SENDING, lease_until
    return rows


@dataclass
class _Decision:
    state: str
    error: str = ""
    not_before: datetime | None = None


def deliver(notification_ids: list[str], *, lease_until: datetime | None = None) -> dict[str, int]:
    """Sends the pushes of these notifications (those this worker owns or could claim); returns a
    count per final state. `lease_until`: the claim the dispatcher gave these rows (see claim)."""
    rows = claim(notification_ids, lease_until=lease_until)
    if not rows:
        return {}
    recipients = {row.recipient_id for row in rows}
    # The recipient's zone matters only for quiet hours, which only a saved preference can set: it
    # comes with the preferences (a join per preference, not per notification).
    preferences = {
        p.user_id: p
        for p in NotificationPreference.objects.filter(user_id__any=recipients).annotate(time_zone=F("user__time_zone"))
    }
    devices: dict[UUID, list[Device]] = defaultdict(list)
    for device in Device.objects.filter(user_id__any=recipients, is_active=True).order_by("created_at"):
        devices[device.user_id].append(device)

    now = timezone.now()
    defaults = NotificationPreference()  # for recipients who never changed theirs; only read
    decisions: dict[UUID, _Decision] = {}
    to_send: list[tuple[Notification, Device, PushMessage]] = []
    for row in rows:
        prefs = preferences.get(row.recipient_id) or defaults
        skip = _skip_reason(row, prefs, devices[row.recipient_id])
        if skip:
            decisions[row.id] = _Decision(State.SKIPPED, skip)
            continue
        held_until = quiet_until(
            now=now,
            time_zone=getattr(prefs, "time_zone", "UTC"),  # annotated above; defaults have no quiet hours
            start=prefs.quiet_hours_start,
            end=prefs.quiet_hours_end,
        )
        if held_until is not None:
            decisions[row.id] = _Decision(State.HELD, not_before=held_until)
            continue
        title, body = _lock_screen_text(row, prefs.lock_screen)
        data = {"notification_id": str(row.id), "kind": row.kind, **{k: str(v) for k, v in row.data.items()}}
        for device in devices[row.recipient_id]:
            message = PushMessage(token=device.push_token, title=title, body=body, data=data, collapse_id=str(row.id))
            to_send.append((row, device, message))

    results = get_provider().send([message for _, _, message in to_send]) if to_send else []
    outcomes: dict[UUID, list[PushResult]] = defaultdict(list)
    invalid_devices: list[UUID] = []
    for (row, device, _), result in zip(to_send, results, strict=True):
        PUSH_RESULTS.labels(result.outcome.value).inc()
        outcomes[row.id].append(result)
        if result.outcome is Outcome.TOKEN_INVALID:
            invalid_devices.append(device.id)
    for row in rows:
        if row.id not in decisions:
            decisions[row.id] = _after_send(row, outcomes[row.id], now)

    _record(decisions, {row.id: row.push_lease_until for row in rows}, now)
    sent = [row for row in rows if decisions[row.id].state == State.SENT]
    if sent:
        pushes_sent.send(sender=Notification, notifications=sent)
    if invalid_devices:
        Device.objects.filter(id__in=invalid_devices).update(is_active=False, updated_at=now)
        logger.info("deactivated %d devices with invalid push tokens", len(invalid_devices))
    counts: dict[str, int] = defaultdict(int)
    for decision in decisions.values():
        counts[decision.state] += 1
    return dict(counts)


def _skip_reason(row: Notification, prefs: NotificationPreference, devices: list[Device]) -> str:
    if not prefs.push_enabled:
        return "push turned off"
    if row.kind in prefs.muted_kinds:
        return "kind muted"
    if not devices:
        return "no active device"
    return ""


def _lock_screen_text(row: Notification, level: str) -> tuple[str, str]:
    if level == NotificationPreference.LockScreen.FULL:
        return row.title, row.body
    if level == NotificationPreference.LockScreen.PARTNER and row.kind in _PARTNER_KINDS:
        return "Your partner sent you something", ""
    if level == NotificationPreference.LockScreen.PARTNER and row.kind in _UPCOMING_KINDS:
        return _UPCOMING_KINDS[row.kind], ""
    return "You have a new notification", ""


def _after_send(row: Notification, results: list[PushResult], now: datetime) -> _Decision:
    kinds = {result.outcome for result in results}
    errors = "; ".join(result.error for result in results if result.error)[:300]
    if Outcome.DELIVERED in kinds:
        return _Decision(State.SENT)
    if Outcome.RETRY in kinds and row.push_attempts < settings.PUSH_MAX_ATTEMPTS:
        # Never sooner than the provider asked (Retry-After), never later than the cap.
        asked = max((r.retry_after or 0.0 for r in results if r.outcome is Outcome.RETRY), default=0.0)
        delay = max(retry_delay(row.push_attempts), timedelta(seconds=min(asked, settings.PUSH_RETRY_CAP_SECONDS)))
        return _Decision(State.PENDING, errors, now + delay)
    if kinds == {Outcome.TOKEN_INVALID}:
        return _Decision(State.SKIPPED, "every device token was invalid")
    return _Decision(State.FAILED, errors or "gave up")


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff with full jitter, capped: base·2^(n-1), drawn uniformly in [0, that]."""
    ceiling = min(settings.PUSH_RETRY_CAP_SECONDS, settings.PUSH_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0))
    return timedelta(seconds=max(1.0, random.uniform(0, ceiling)))  # noqa: S311  (jitter, not security)


def _record(decisions: dict[UUID, _Decision], leases: dict[UUID, datetime | None], now: datetime) -> None:
    """One UPDATE per distinct outcome and lease, only on rows this worker still holds: each row
    still under the lease it was sent under (a lease is set only while a row is `sending`, and a
    row swept and claimed anew has another).

    Rows are matched by primary key and lease only: a condition on `push_state` lets the planner
    AND in the partial index of rows with push work, which during a reminder burst holds every
    row claimed for the queue (measured: 48 ms per task of 250)."""
    groups: dict[tuple[str, str, datetime | None, datetime | None], list[UUID]] = defaultdict(list)
    for notification_id, decision in decisions.items():
        key = (decision.state, decision.error, decision.not_before, leases[notification_id])
        groups[key].append(notification_id)
    for (state, error, not_before, lease), ids in groups.items():
        if lease is None:  # never for a claimed row; and `= NULL` would match rows nobody holds
            continue
        Notification.objects.filter(id__any=ids, push_lease_until=lease).update(
            push_state=state,
            push_last_error=error,
            push_not_before=not_before,
            push_lease_until=None,
            push_sent_at=now if state == State.SENT else None,
        )


def due_notification_ids(*, limit: int) -> list[str]:
    """What the pump queues again: retries and held pushes whose time has come, and rows queued
    on commit that no worker claimed within a lease (the message was lost, e.g. the broker was
    down at commit). Fresh rows are left alone: they are on the queue already, and during a
    reminder burst there are hundreds of thousands of them."""
    now = timezone.now()
    unclaimed = Q(push_state=State.PENDING, push_not_before__isnull=True) & Q(
        created_at__lt=now - timedelta(seconds=settings.PUSH_LEASE_SECONDS)
    )
    timed = Q(push_state__in=[State.PENDING, State.HELD], push_not_before__lte=now)
    rows = Notification.objects.filter(unclaimed | timed).order_by("created_at").values_list("id", flat=True)
    return [str(pk) for pk in rows[:limit]]


def sweep_expired_leases() -> int:
    """Rows left `sending` by a dead worker go back to `pending`, due at once, when their lease is over."""
    now = timezone.now()
    return Notification.objects.filter(push_state=State.SENDING, push_lease_until__lt=now).update(
        push_state=State.PENDING, push_lease_until=None, push_not_before=now
    )
