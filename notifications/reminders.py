"""Reminders of every kind: keeping each subject's next reminder scheduled, and the one dispatcher.

A `ReminderSchedule` row is the next reminder of one subject: a ritual (its next occurrence) or an
accepted date (the day before, one hour before, then a memory prompt two hours after its end). One
periodic task (`notifications.dispatch_reminders`, static beat schedule) claims due rows of every
kind in batches with `SELECT … FOR UPDATE SKIP LOCKED` over the indexed `fire_at`, so any number
of dispatchers can run at once without taking the same row. For each row it writes one
notification per partner under a dedupe key naming (kind, subject, occurrence, stage, recipient):
`reminder:<ritual>:<occurrence>:<user>` for rituals, `reminder:date:<date>:<occurrence>:<stage>:<user>`
for dates (a unique index: a duplicated tick or a second dispatcher can never create a second
one), moves the row on to the subject's next reminder, and, after the commit, queues the pushes in
chunks. No per-subject periodic task and no far-future ETA task exists.

After downtime, a reminder whose fire time is less than REMINDER_GRACE_MINUTES old still goes out;
an older one is recorded as missed (in the inbox as read, its push `skipped`) and never pushed late.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Protocol
from uuid import UUID

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from config.db import is_postgresql, json_rows
from config.ids import new_id
from couples.models import Couple, Membership
from messaging.catalog import notification_key
from messaging.render import Copy, Rendered
from notifications import date_reminders
from notifications.models import Notification, ReminderSchedule
from rituals import recurrence
from rituals.models import Ritual
from sync.receivers import touch_notifications

REMINDER_MESSAGE = notification_key(Notification.Kind.RITUAL_REMINDER)

logger = logging.getLogger(__name__)

State = Notification.PushState


class _Schedulable(Protocol):
    """What computing a ritual's reminder needs: a Ritual, or a claimed `_Due` row."""

    pk: Any
    title: str
    rrule: str
    start_date: date
    local_time: time
    time_zone: str
    reminder_offset_minutes: int


Kind = ReminderSchedule.Kind

# The schedule's and its ritual's columns the dispatcher reads, in `_Due`'s field order: plain rows
# instead of ReminderSchedule and Ritual instances (building those cost a fifth of its CPU). The
# columns of a date's row follow them (`date_reminders.COLUMNS`, None on a ritual's row).
_DUE_COLUMNS = (
    "ritual_id",
    "occurrence_at",
    "fire_at",
    "ritual__couple_id",
    "ritual__status",
    "ritual__deleted_at",
    "ritual__title",
    "ritual__rrule",
    "ritual__start_date",
    "ritual__local_time",
    "ritual__time_zone",
    "ritual__reminder_offset_minutes",
    "id",
)


@dataclass(slots=True)
class _Due:
    """A claimed reminder schedule with its ritual's columns; `pk` is the ritual's id."""

    pk: UUID
    occurrence_at: datetime
    fire_at: datetime
    couple_id: UUID
    status: str
    deleted_at: datetime | None
    title: str
    rrule: str
    start_date: date
    local_time: time
    time_zone: str
    reminder_offset_minutes: int
    schedule_id: int


def reminder_reschedule(*, ritual: Ritual, after: datetime | None = None) -> ReminderSchedule | None:
    """Points the ritual's reminder at its next occurrence (after `after`, default now); removes it
    when the ritual is paused, deleted, finished, or its couple has ended."""
    live = ritual.status == Ritual.Status.ACTIVE and ritual.deleted_at is None
    occurrence = _next_occurrence(ritual, after or timezone.now()) if live else None
    if occurrence is None:
        ReminderSchedule.objects.filter(ritual=ritual).delete()
        return None
    schedule, _ = ReminderSchedule.objects.update_or_create(
        ritual=ritual,
        defaults={"kind": Kind.RITUAL, "occurrence_at": occurrence, "fire_at": occurrence - _offset(ritual)},
    )
    return schedule


def reminders_stop_for_couple(*, couple: Couple) -> int:
    """Unpairing: no reminder of this couple's rituals or dates fires any more."""
    deleted, _ = ReminderSchedule.objects.filter(Q(ritual__couple=couple) | Q(date_plan__couple=couple)).delete()
    return deleted


def _offset(ritual: _Schedulable) -> timedelta:
    return timedelta(minutes=ritual.reminder_offset_minutes)


def _next_occurrence(ritual: _Schedulable, after: datetime) -> datetime | None:
    # A reminder is due `offset` before its occurrence, so look for occurrences whose reminder
    # time is still ahead: occurrence > after + offset.
    return recurrence.next_occurrence_after(
        rrule=ritual.rrule,
        start_date=ritual.start_date,
        local_time=ritual.local_time,
        time_zone=ritual.time_zone,
        after=after + _offset(ritual),
    )


def _next_occurrence_shared(
    ritual: _Schedulable, after: datetime, memo: dict[tuple[object, ...], datetime | None]
) -> datetime | None:
    """`_next_occurrence`, computed once per `recurrence.next_occurrence_key` in `memo`."""
    key = recurrence.next_occurrence_key(
        rrule=ritual.rrule,
        start_date=ritual.start_date,
        local_time=ritual.local_time,
        time_zone=ritual.time_zone,
        after=after + _offset(ritual),
    )
    if key not in memo:
        memo[key] = _next_occurrence(ritual, after)
    return memo[key]


def dispatch_due_reminders(
    *, batch_size: int | None = None, now: datetime | None = None, on_backlog: Callable[[], object] | None = None
) -> int:
    """Sends every due reminder, batch after batch; returns how many notifications were written.

    `on_backlog` is called once, right after the first batch, when that batch was full (more is
    due than one batch holds): the task uses it to start more dispatchers on the burst."""
    size = batch_size or settings.REMINDER_BATCH_SIZE
    written, first = 0, True
    while True:
        count, claimed = _dispatch_batch(size, now or timezone.now())
        written += count
        if claimed < size:
            return written
        if first and on_backlog is not None:
            on_backlog()
        first = False


def _dispatch_batch(batch_size: int, now: datetime) -> tuple[int, int]:
    """One transaction: claim, write notifications, advance. Queries are constant in batch size."""
    grace = timedelta(minutes=settings.REMINDER_GRACE_MINUTES)
    with transaction.atomic():
        rows = list(
            ReminderSchedule.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(fire_at__lte=now)
            .order_by("fire_at")
            .values_list(*_DUE_COLUMNS, *date_reminders.COLUMNS)[:batch_size]
        )
        if not rows:
            return 0, 0
        width = len(_DUE_COLUMNS)
        schedules = [_Due(*row[:width]) for row in rows if row[width] == Kind.RITUAL]
        dates = [
            date_reminders.Due.of(row[width:], occurrence_at=row[1], fire_at=row[2])
            for row in rows
            if row[width] == Kind.DATE
        ]
        partners = _partners_by_couple({s.couple_id for s in schedules} | {d.couple_id for d in dates})
        # The admin's copy of every reminder message, once per batch.
        copy = Copy.load(keys=[REMINDER_MESSAGE, *date_reminders.MESSAGES])
        # The pushes are claimed at birth for the queue messages sent after commit (no claim write
        # per row in the push worker: notifications.delivery.claim).
        lease_until = timezone.now() + timedelta(seconds=settings.PUSH_QUEUE_LEASE_SECONDS)
        notifications: list[dict[str, Any]] = []
        # Rituals due together in one zone share wall time and instant: many share the answer too.
        memo: dict[tuple[object, ...], datetime | None] = {}
        to_push: list[UUID] = []
        stale: list[UUID] = []
        for due in schedules:  # each row carries its ritual's columns
            live = due.status == Ritual.Status.ACTIVE and due.deleted_at is None
            recipients = partners.get(due.couple_id, []) if live else []
            missed = now - due.fire_at > grace
            params = {"ritual_title": due.title, "minutes": str(due.reminder_offset_minutes)}
            for user_id, locale, _zone in recipients:
                claim = None if missed else lease_until
                # In the recipient's language; the push is rendered again when sent (delivery).
                text = copy.render_for(REMINDER_MESSAGE, locale=locale, params=params)
                note = _reminder(due, due.occurrence_at, user_id, text=text, params=params, now=now, lease_until=claim)
                notifications.append(note)
                if not missed:
                    to_push.append(note["id"])
            following = _next_occurrence_shared(due, max(now, due.occurrence_at), memo) if recipients else None
            if following is None:
                stale.append(due.pk)
            else:
                due.occurrence_at, due.fire_at = following, following - _offset(due)
        date_stale = date_reminders.dispatch(
            dates, partners, notifications, to_push, copy=copy, now=now, grace=grace, lease_until=lease_until
        )
        written = _insert_new(notifications)
        # Raw SQL sends no signal: sync learns of the new rows from their recipient and id.
        touch_notifications((note["recipient_id"], note["id"]) for note in notifications if note["id"] in written)
        stale_ids = set(stale)
        _advance([s for s in schedules if s.pk not in stale_ids])
        if stale:
            ReminderSchedule.objects.filter(ritual_id__any=stale).delete()
        date_reminders.advance([d for d in dates if d.id not in date_stale])
        if date_stale:
            ReminderSchedule.objects.filter(id__in=date_stale).delete()
        queued = [str(pk) for pk in to_push if pk in written]
        if queued:
            transaction.on_commit(lambda: _enqueue(queued, lease_until))
    return len(written), len(rows)


def _insert_new(notifications: list[dict[str, Any]]) -> set[UUID]:
    """Inserts the notifications whose dedupe key is new; returns the ids actually written, so that
    only new rows get sync changes and pushes (a row another run already wrote is skipped).

    On PostgreSQL: one `INSERT … SELECT FROM json_to_recordset(…) ON CONFLICT DO NOTHING RETURNING
    id` with the whole batch as one parameter (config.db). Elsewhere (SQLite, one writer at a
    time): the dedupe keys already present, then `bulk_create(ignore_conflicts=True)`."""
    if not notifications:
        return set()
    if not is_postgresql():
        keys = [note["dedupe_key"] for note in notifications]
        present = set(Notification.objects.filter(dedupe_key__in=keys).values_list("dedupe_key", flat=True))
        Notification.objects.bulk_create([Notification(**note) for note in notifications], ignore_conflicts=True)
        return {note["id"] for note in notifications if note["dedupe_key"] not in present}
    fields = [(str(f.column), f.attname, f.db_type(connection)) for f in Notification._meta.concrete_fields]
    names = ", ".join(connection.ops.quote_name(column) for column, _, _ in fields)
    types = ", ".join(f"{connection.ops.quote_name(column)} {db_type}" for column, _, db_type in fields)
    # Columns _reminder leaves out get their model default (none today; a future column would).
    for field in Notification._meta.concrete_fields:
        if field.attname not in notifications[0]:
            for note in notifications:
                note[field.attname] = field.get_default()
    rows = json_rows([{column: note[attname] for column, attname, _ in fields} for note in notifications])
    sql = (
        f"INSERT INTO {Notification._meta.db_table} ({names}) "  # noqa: S608 (names and types from model meta)
        f"SELECT {names} FROM json_to_recordset(%s::json) AS v({types}) ON CONFLICT DO NOTHING RETURNING id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [rows])
        return {_as_uuid(pk) for (pk,) in cursor.fetchall()}


def _advance(schedules: list["_Due"]) -> None:
    """Moves the schedules to their next occurrence. On PostgreSQL in one `UPDATE … FROM
    json_to_recordset(…)` (bulk_update writes a CASE WHEN per row and field: ~15x slower for 500)."""
    if not schedules:
        return
    if not is_postgresql():
        moved = [
            ReminderSchedule(id=s.schedule_id, ritual_id=s.pk, occurrence_at=s.occurrence_at, fire_at=s.fire_at)
            for s in schedules
        ]
        ReminderSchedule.objects.bulk_update(moved, ["occurrence_at", "fire_at"])
        return
    rows = json_rows([{"r": s.pk, "o": s.occurrence_at, "f": s.fire_at} for s in schedules])
    sql = (
        f"UPDATE {ReminderSchedule._meta.db_table} AS s SET occurrence_at = v.o, fire_at = v.f "  # noqa: S608
        "FROM json_to_recordset(%s::json) AS v(r uuid, o timestamptz, f timestamptz) WHERE s.ritual_id = v.r"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [rows])


def _as_uuid(value: object) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))


def _enqueue(notification_ids: list[str], lease_until: datetime) -> None:
    from notifications.tasks import enqueue_pushes

    enqueue_pushes(notification_ids, lease_until=lease_until)


def _partners_by_couple(couple_ids: set[UUID]) -> dict[UUID, list[tuple[UUID, str, str]]]:
    """Active members of the still-active couples with their locale and zone, in one query."""
    partners: dict[UUID, list[tuple[UUID, str, str]]] = {}
    rows = Membership.objects.filter(
        couple_id__any=couple_ids, is_active=True, couple__status=Couple.Status.ACTIVE
    ).values_list("couple_id", "user_id", "user__locale", "user__time_zone")
    for couple_id, user_id, locale, time_zone in rows:
        partners.setdefault(couple_id, []).append((user_id, locale, time_zone))
    return partners


def _reminder(
    ritual: _Schedulable,
    occurrence_at: datetime,
    user_id: UUID,
    *,
    text: Rendered,
    params: dict[str, str],
    now: datetime,
    lease_until: datetime | None,
) -> dict[str, Any]:
    """The notification's columns (by attribute name): a dict rather than a model instance, which
    costs more than the rest of a reminder to build and is only ever written in bulk.

    `lease_until`: the push is claimed (`sending`) until then for the message that will carry it;
    None for a missed reminder, which is kept for the record but never pushed and not unread."""
    missed = lease_until is None
    return {
        "id": new_id(),
        "recipient_id": user_id,
        "kind": Notification.Kind.RITUAL_REMINDER.value,
        "title": text.title[:120],
        "body": text.body[:500],
        "message_key": REMINDER_MESSAGE,
        "message_params": params,
        "data": {"screen": "ritual", "ritual_id": str(ritual.pk), "occurrence_at": occurrence_at.isoformat()},
        "dedupe_key": f"reminder:{ritual.pk}:{occurrence_at.isoformat()}:{user_id}",
        "created_at": now,
        "read_at": now if missed else None,
        "push_state": (State.SKIPPED if missed else State.SENDING).value,
        "push_attempts": 0 if missed else 1,
        "push_last_error": "missed: the dispatcher was down past the grace window" if missed else "",
        "push_not_before": None,
        "push_lease_until": lease_until,
        "push_sent_at": None,
    }
