"""Reads on check-ins.

A check-in is a personal record, not a `CoupleOwned` one: who may read which is
`rituals.visibility.check_ins_readable_by`.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Avg, BooleanField, Case, Count, QuerySet, Value, When
from django.db.models.functions import TruncWeek
from django.utils import timezone

from accounts.models import User
from couples.scoping import active_couple_id
from rituals.models import CheckIn
from rituals.visibility import check_ins_readable_by

DEFAULT_WEEKS = 4
MAX_WEEKS = 52


def checkins_visible_to(*, user: User) -> QuerySet[CheckIn]:
    """My check-ins and my partner's shared ones of our current couple; order by the paginator."""
    return CheckIn.objects.filter(check_ins_readable_by(user))


@dataclass(frozen=True)
class Scores:
    count: int
    mood_avg: float | None
    connection_avg: float | None


@dataclass(frozen=True)
class SummaryWeek:
    week_start: date
    week_end: date
    me: Scores
    partner: Scores | None


@dataclass(frozen=True)
class WeeklySummary:
    weeks: int
    time_zone: str
    paired: bool
    results: list[SummaryWeek]


_EMPTY = Scores(count=0, mood_avg=None, connection_avg=None)


def _scores(row: Mapping[str, Any] | None) -> Scores:
    if row is None:
        return _EMPTY
    mood, connection = row["mood_avg"], row["connection_avg"]
    return Scores(
        count=row["count"],
        mood_avg=round(mood, 2) if mood is not None else None,
        connection_avg=round(connection, 2) if connection is not None else None,
    )


def weekly_summary(*, user: User, weeks: int = DEFAULT_WEEKS) -> WeeklySummary:
    """Average mood and connection per ISO week (Monday to Sunday) for the last `weeks` weeks, oldest first.

    The weeks are the requester's: the current one is the week of today in the requester's zone.
    Each check-in counts in the week of its `local_date`, the day its author lived it, so both
    partners see the same numbers for the same week. "me" counts all my check-ins; "partner" only
    the partner's shared ones of our current couple (None when unpaired). One aggregate query.
    """
    today = timezone.now().astimezone(ZoneInfo(user.time_zone)).date()
    this_monday = today - timedelta(days=today.weekday())
    first_monday = this_monday - timedelta(weeks=weeks - 1)
    rows = (
        CheckIn.objects.filter(
            check_ins_readable_by(user), local_date__gte=first_monday, local_date__lte=this_monday + timedelta(days=6)
        )
        .annotate(
            week=TruncWeek("local_date"),
            mine=Case(When(user_id=user.pk, then=Value(True)), default=Value(False), output_field=BooleanField()),
        )
        .values("week", "mine")
        .annotate(count=Count("id"), mood_avg=Avg("mood"), connection_avg=Avg("connection"))
        .order_by()
    )
    by_week = {(row["week"], row["mine"]): row for row in rows}
    paired = active_couple_id(user) is not None
    results = []
    for index in range(weeks):
        monday = first_monday + timedelta(weeks=index)
        results.append(
            SummaryWeek(
                week_start=monday,
                week_end=monday + timedelta(days=6),
                me=_scores(by_week.get((monday, True))),
                partner=_scores(by_week.get((monday, False))) if paired else None,
            )
        )
    return WeeklySummary(weeks=weeks, time_zone=user.time_zone, paired=paired, results=results)
