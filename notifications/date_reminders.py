"""The date kind of reminder: what `notifications.reminders` does with a date's schedule row.

An accepted date has one `ReminderSchedule` row (kind `date`) that walks through its stages:

    day_before (start - 24 h) → hour_before (start - 1 h) → memory_prompt (end + 2 h) → gone

Each stage writes one notification per partner, in the same transaction and under the same
exactly-once rules as a ritual's reminder (claimed with SKIP LOCKED, a dedupe key per
(date, occurrence, stage, recipient), missed past the grace window, pushes claimed at birth). The
time in the text is the recipient's own zone. Moving a date (a new accepted time) moves the row,
cancelling or declining it deletes it: both happen under the date's row lock (dates.services.plans).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from config.ids import new_id
from dates.models import DatePlan
from messaging.catalog import notification_key
from messaging.render import Copy
from notifications.models import Notification, ReminderSchedule
from rituals import recurrence

Kind = ReminderSchedule.Kind
State = Notification.PushState

# The stages in order, with when each fires relative to the date.
DAY_BEFORE, HOUR_BEFORE, MEMORY_PROMPT = "day_before", "hour_before", "memory_prompt"
MEMORY_PROMPT_DELAY = timedelta(hours=2)
# The message of each stage (messaging.catalog), rendered in the recipient's language.
STAGE_MESSAGES = {
    DAY_BEFORE: notification_key(Notification.Kind.DATE_REMINDER, "day_before"),
    HOUR_BEFORE: notification_key(Notification.Kind.DATE_REMINDER, "hour_before"),
    MEMORY_PROMPT: notification_key(Notification.Kind.DATE_MEMORY_PROMPT),
}
MESSAGES = tuple(STAGE_MESSAGES.values())

# The columns of a claimed row the dispatcher reads for a date, after the ritual's (`Due.of`).
COLUMNS = (
    "kind",
    "id",
    "stage",
    "date_plan_id",
    "date_plan__couple_id",
    "date_plan__status",
    "date_plan__title",
    "date_plan__starts_at",
    "date_plan__ends_at",
)


def stages(*, starts_at: datetime, ends_at: datetime) -> list[tuple[str, datetime]]:
    return [
        (DAY_BEFORE, starts_at - timedelta(days=1)),
        (HOUR_BEFORE, starts_at - timedelta(hours=1)),
        (MEMORY_PROMPT, ends_at + MEMORY_PROMPT_DELAY),
    ]


def next_stage(*, starts_at: datetime, ends_at: datetime, after: datetime) -> tuple[str, datetime] | None:
    """The first stage that fires strictly after `after`, or None once the memory prompt is past."""
    return next(((name, at) for name, at in stages(starts_at=starts_at, ends_at=ends_at) if at > after), None)


def _live(status: str, stage: str) -> bool:
    """Reminders are for an accepted date; the memory prompt also once it was marked done."""
    if stage == MEMORY_PROMPT:
        return status in {DatePlan.Status.ACCEPTED, DatePlan.Status.DONE}
    return status == DatePlan.Status.ACCEPTED


def date_reminders_reschedule(*, plan: DatePlan, now: datetime) -> None:
    """Points the date's reminder row at its next stage after `now`, or removes it. Called in the
    transaction that changed the plan, under its row lock."""
    following = next_stage(starts_at=plan.starts_at, ends_at=plan.ends_at, after=now)
    if following is not None and plan.status == DatePlan.Status.DONE and following[0] != MEMORY_PROMPT:
        following = (MEMORY_PROMPT, plan.ends_at + MEMORY_PROMPT_DELAY)
    if following is None or not _live(plan.status, following[0]):
        ReminderSchedule.objects.filter(date_plan=plan).delete()
        return
    stage, fire_at = following
    ReminderSchedule.objects.update_or_create(
        date_plan=plan,
        defaults={"kind": Kind.DATE, "stage": stage, "occurrence_at": plan.starts_at, "fire_at": fire_at},
    )


@dataclass(slots=True)
class Due:
    """A claimed date reminder with its date's columns."""

    id: int
    stage: str
    plan_id: UUID
    couple_id: UUID
    status: str
    title: str
    starts_at: datetime
    ends_at: datetime
    occurrence_at: datetime
    fire_at: datetime

    @classmethod
    def of(cls, row: tuple[Any, ...], *, occurrence_at: datetime, fire_at: datetime) -> "Due":
        _kind, schedule_id, stage, plan_id, couple_id, status, title, starts_at, ends_at = row
        return cls(schedule_id, stage, plan_id, couple_id, status, title, starts_at, ends_at, occurrence_at, fire_at)


def dispatch(
    dates: list[Due],
    partners: dict[UUID, list[tuple[UUID, str, str]]],
    notifications: list[dict[str, Any]],
    to_push: list[UUID],
    *,
    copy: Copy,
    now: datetime,
    grace: timedelta,
    lease_until: datetime,
) -> set[int]:
    """Adds each due date reminder's notifications (and pushes) to the batch's; moves each row to
    its next stage. Returns the ids of the rows to delete (no stage left, or the date is off)."""
    stale: set[int] = set()
    for due in dates:
        live = _live(due.status, due.stage) and due.occurrence_at == due.starts_at
        missed = now - due.fire_at > grace
        for user_id, locale, time_zone in partners.get(due.couple_id, []) if live else []:
            claim = None if missed else lease_until
            note = _notification(due, user_id, locale, time_zone, copy=copy, now=now, lease_until=claim)
            notifications.append(note)
            if not missed:
                to_push.append(note["id"])
        following = next_stage(starts_at=due.starts_at, ends_at=due.ends_at, after=due.fire_at) if live else None
        if following is None:
            stale.add(due.id)
        else:
            due.stage, due.fire_at = following
    return stale


def advance(dates: list[Due]) -> None:
    """Moves the rows to their next stage in one statement (dates are few next to rituals)."""
    if dates:
        moved = [ReminderSchedule(id=d.id, stage=d.stage, fire_at=d.fire_at) for d in dates]
        ReminderSchedule.objects.bulk_update(moved, ["stage", "fire_at"])


def _notification(
    due: Due, user_id: UUID, locale: str, time_zone: str, *, copy: Copy, now: datetime, lease_until: datetime | None
) -> dict[str, Any]:
    """The notification's columns (as notifications.reminders._reminder writes them for rituals): the
    stage's message in the recipient's language, with the date's time in the recipient's own zone."""
    local = due.starts_at.astimezone(recurrence.zone(time_zone))
    kind = Notification.Kind.DATE_MEMORY_PROMPT if due.stage == MEMORY_PROMPT else Notification.Kind.DATE_REMINDER
    key = STAGE_MESSAGES[due.stage]
    params = {"date_title": due.title, "time": f"{local:%H:%M}"}
    text = copy.render_for(key, locale=locale, params=params)
    missed = lease_until is None
    occurrence = due.occurrence_at.isoformat()
    return {
        "id": new_id(),
        "recipient_id": user_id,
        "kind": kind.value,
        "title": text.title[:120],
        "body": text.body[:500],
        "message_key": key,
        "message_params": params,
        "data": {"screen": "date", "date_id": str(due.plan_id), "occurrence_at": occurrence, "stage": due.stage},
        "dedupe_key": f"reminder:date:{due.plan_id}:{occurrence}:{due.stage}:{user_id}",
        "created_at": now,
        "read_at": now if missed else None,
        "push_state": (State.SKIPPED if missed else State.SENDING).value,
        "push_attempts": 0 if missed else 1,
        "push_last_error": "missed: the dispatcher was down past the grace window" if missed else "",
        "push_not_before": None,
        "push_lease_until": lease_until,
        "push_sent_at": None,
    }
