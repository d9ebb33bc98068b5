"""Helpers to build a couple's week of activity for the insights tests."""

from datetime import UTC, date, datetime, time
from typing import Any

from accounts.models import User
from couples.models import Couple
from insights import report
from insights.models import ReportSchedule
from rituals.models import CheckIn, Completion, Nudge, Ritual


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def schedule_week(couple: Couple, week_start: date) -> ReportSchedule:
    """Points the couple's report schedule at this week (in its zone)."""
    starts_at, ends_at = report.week_bounds(week_start, couple.time_zone)
    schedule, _ = ReportSchedule.objects.update_or_create(
        couple=couple, defaults={"week_start": week_start, "starts_at": starts_at, "due_at": ends_at}
    )
    return schedule


def nudge(couple: Couple, sender: User, recipient: User, when: datetime, **fields: Any) -> Nudge:
    return Nudge.objects.create(
        couple=couple,
        sender=sender,
        recipient=recipient,
        kind=fields.pop("kind", Nudge.Kind.HUG),
        created_at=when,
        **fields,
    )


def daily_ritual(
    couple: Couple,
    *,
    title: str = "Hug",
    category: str = "affection",
    time_zone: str = "UTC",
    start_date: date = date(2025, 1, 1),
    local_time: time = time(8, 0),
    **fields: Any,
) -> Ritual:
    return Ritual.objects.create(
        couple=couple,
        title=title,
        category=category,
        rrule="FREQ=DAILY",
        start_date=start_date,
        local_time=local_time,
        time_zone=time_zone,
        **fields,
    )


def complete(ritual: Ritual, user: User, occurrence_at: datetime, **fields: Any) -> Completion:
    return Completion.objects.create(
        couple=ritual.couple, ritual=ritual, user=user, occurrence_at=occurrence_at, **fields
    )


def check_in(
    user: User, couple: Couple, day: date, *, shared: bool, mood: int = 3, connection: int = 4, note: str = ""
) -> CheckIn:
    return CheckIn.objects.create(
        user=user, couple=couple, mood=mood, connection=connection, is_shared=shared, local_date=day, note=note
    )
