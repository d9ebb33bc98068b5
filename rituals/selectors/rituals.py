"""Reads on couple rituals: lists with streaks, occurrences with each partner's state, today.

A ritual has at most one occurrence per local date in its zone, so a completion is matched to the
occurrence of its local date (not only its exact instant): moving "date night" from 19:00 to 20:00
keeps the past completions and the streak.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import (
    Case,
    Count,
    DateField,
    DateTimeField,
    F,
    Field,
    IntegerField,
    Q,
    QuerySet,
    TextField,
    UUIDField,
    Value,
    When,
)
from django.db.models.functions import TruncDate
from django.utils import timezone

from accounts.models import User
from couples.scoping import get_couple_owned_or_404
from rituals import recurrence
from rituals.models import Completion, Ritual
from rituals.streaks import Streak, streaks_by_day

# Completions are fetched this much beyond a window, then matched by local date in the ritual zone.
_SLACK = timedelta(days=2)


@dataclass(frozen=True)
class PartnerState:
    completed: bool = False
    completion_id: UUID | None = None
    completed_at: datetime | None = None
    # Only on the requester's own state: a partner's note and rating stay theirs.
    note: str | None = None
    connection_rating: int | None = None


@dataclass(frozen=True)
class RitualView:
    ritual: Ritual
    streak: Streak
    next_occurrence_at: datetime | None


@dataclass(frozen=True)
class OccurrenceView:
    occurrence_at: datetime
    local_start: str  # ISO 8601 with the offset of the zone it is shown in
    local_date: date
    done: bool  # counts for the couple's streak
    me: PartnerState
    partner: PartnerState


@dataclass(frozen=True)
class TodayEntry:
    ritual: RitualView
    occurrence: OccurrenceView


@dataclass(frozen=True)
class TodayView:
    date: date
    time_zone: str
    results: list[TodayEntry] = field(default_factory=list)


class _Done(NamedTuple):
    """One partner's completion of an occurrence; the details are only loaded inside a window."""

    id: UUID | None
    created_at: datetime | None
    note: str | None
    connection_rating: int | None


# ritual id -> local date in the ritual's zone -> {user id: completion}
_ByDay = dict[UUID, dict[date, dict[Any, _Done]]]
# ritual id -> local date in the ritual's zone -> how many partners completed that date
_DoneBy = dict[UUID, dict[date, int]]


def rituals_of(*, user: User) -> QuerySet[Ritual]:
    """The live rituals of the user's active couple (none for an unpaired user)."""
    return Ritual.objects.visible_to(user)


def ritual_get(*, user: User, ritual_id: UUID | str) -> Ritual:
    """One live ritual of the user's couple, or a 404 that says nothing about whether it exists."""
    return get_couple_owned_or_404(Ritual.objects.all(), user, id=ritual_id)


def ritual_views(*, rituals: Sequence[Ritual], now: datetime | None = None) -> list[RitualView]:
    """Streaks and next occurrence of each ritual; all their completions counted in one query."""
    now = now or timezone.now()
    done_by = _done_by_day(rituals, Completion.objects.filter(occurrence_at__lt=now + _SLACK))
    return [_view(ritual, done_by, now) for ritual in rituals]


def ritual_view(*, ritual: Ritual, now: datetime | None = None) -> RitualView:
    return ritual_views(rituals=[ritual], now=now)[0]


def _completions_by_day(
    rituals: Sequence[Ritual], completions: QuerySet[Completion], *, details: tuple[datetime, datetime] | None
) -> _ByDay:
    """Completions of `rituals` grouped by ritual and local date, in one query. Rows are plain
    tuples (a long daily history is thousands of rows); id, note and rating only come for
    occurrences inside `details` (a CASE in SQL), the rest only need to say who did which day."""
    by_id = {ritual.pk: ritual for ritual in rituals}
    by_day: _ByDay = defaultdict(lambda: defaultdict(dict))
    if not by_id:
        return by_day

    def detail(name: str, output: Field) -> Case | Value:
        if details is None:
            return Value(None, output_field=output)
        inside = Q(occurrence_at__gte=details[0], occurrence_at__lt=details[1])
        return Case(When(inside, then=F(name)), default=Value(None), output_field=output)

    rows = completions.filter(ritual_id__in=list(by_id)).values_list(
        "ritual_id",
        "user_id",
        "occurrence_at",
        detail("id", UUIDField()),
        detail("created_at", DateTimeField()),
        detail("note", TextField()),
        detail("connection_rating", IntegerField()),
    )
    for ritual_id, user_id, occurrence_at, *rest in rows.order_by("occurrence_at"):
        ritual = by_id[ritual_id]
        day = recurrence.local_date(occurrence_at, ritual.time_zone)
        by_day[ritual_id][day].setdefault(user_id, _Done(*rest))
    return by_day


def _done_by_day(rituals: Sequence[Ritual], completions: QuerySet[Completion]) -> _DoneBy:
    """How many partners completed each local date of each ritual, in one query.

    The database computes the local date in the ritual's zone and counts per date, so a year of
    daily history is a few hundred small rows instead of a row (and a zone conversion in Python)
    per completion. Streaks need nothing more."""
    done_by: _DoneBy = defaultdict(dict)
    ids_by_zone: dict[str, list[UUID]] = defaultdict(list)
    for ritual in rituals:
        ids_by_zone[ritual.time_zone].append(ritual.pk)
    if not ids_by_zone:
        return done_by
    local_day = Case(
        *(
            When(ritual_id__in=ids, then=TruncDate("occurrence_at", tzinfo=recurrence.zone(name)))
            for name, ids in ids_by_zone.items()
        ),
        output_field=DateField(),
    )
    rows = (
        completions.filter(ritual_id__in=[ritual.pk for ritual in rituals])
        .annotate(local_day=local_day)
        .values_list("ritual_id", "local_day")
        .annotate(partners=Count("user_id", distinct=True))
        .order_by()
    )
    for ritual_id, day, partners in rows:
        done_by[ritual_id][day] = partners
    return done_by


def _counts(ritual: Ritual, users: Iterable[Any]) -> bool:
    return _counted(ritual, len(set(users)))


def _counted(ritual: Ritual, partners: int) -> bool:
    return partners >= 2 if ritual.requires_both_confirmation else partners >= 1


def _streak(ritual: Ritual, done_by: _DoneBy, now: datetime) -> Streak:
    counted = sorted(day for day, partners in done_by.get(ritual.pk, {}).items() if _counted(ritual, partners))
    if not counted:
        return Streak()
    # Misses before the first completed occurrence cannot change any streak: start there.
    start, _ = recurrence.local_day_bounds(counted[0], ritual.time_zone)
    today = recurrence.local_date(now, ritual.time_zone)
    _, end_of_today = recurrence.local_day_bounds(today, ritual.time_zone)
    tz = recurrence.zone(ritual.time_zone)  # resolved once: a year of history is hundreds of dates
    days = []
    for instant in recurrence.iter_occurrences(
        rrule=ritual.rrule,
        start_date=ritual.start_date,
        local_time=ritual.local_time,
        time_zone=ritual.time_zone,
        start=start,
    ):
        if instant >= end_of_today:
            break
        days.append(instant.astimezone(tz).date())
    return streaks_by_day(occurrences=days, completed=set(counted), grace_days=ritual.grace_days, today=today)


def _view(ritual: Ritual, done_by: _DoneBy, now: datetime) -> RitualView:
    next_at = None
    if ritual.status == Ritual.Status.ACTIVE:
        next_at = recurrence.next_occurrence_after(
            rrule=ritual.rrule,
            start_date=ritual.start_date,
            local_time=ritual.local_time,
            time_zone=ritual.time_zone,
            after=now,
        )
    return RitualView(ritual=ritual, streak=_streak(ritual, done_by, now), next_occurrence_at=next_at)


def _state(completion: _Done | None, *, mine: bool) -> PartnerState:
    if completion is None:
        return PartnerState()
    return PartnerState(
        completed=True,
        completion_id=completion.id,
        completed_at=completion.created_at,
        note=completion.note if mine else None,
        connection_rating=completion.connection_rating if mine else None,
    )


def _occurrence(ritual: Ritual, instant: datetime, by_day: _ByDay, user: User, shown_in: str) -> OccurrenceView:
    day = recurrence.local_date(instant, ritual.time_zone)
    done_by = by_day.get(ritual.pk, {}).get(day, {})
    theirs = next((c for user_id, c in done_by.items() if user_id != user.pk), None)
    return OccurrenceView(
        occurrence_at=instant,
        local_start=instant.astimezone(recurrence.zone(shown_in)).isoformat(),
        local_date=instant.astimezone(recurrence.zone(shown_in)).date(),
        done=_counts(ritual, done_by),
        me=_state(done_by.get(user.pk), mine=True),
        partner=_state(theirs, mine=False),
    )


def ritual_occurrences(*, ritual: Ritual, user: User, start: datetime, end: datetime) -> list[OccurrenceView]:
    """The ritual's occurrences in [start, end) (at most MAX_RANGE_DAYS), in its own zone, each
    with the requester's and the partner's completion; one query."""
    instants = recurrence.occurrences(
        rrule=ritual.rrule,
        start_date=ritual.start_date,
        local_time=ritual.local_time,
        time_zone=ritual.time_zone,
        start=start,
        end=end,
    )
    window = Completion.objects.filter(occurrence_at__gte=start - _SLACK, occurrence_at__lt=end + _SLACK)
    by_day = _completions_by_day([ritual], window, details=(start - _SLACK, end + _SLACK))
    return [_occurrence(ritual, instant, by_day, user, ritual.time_zone) for instant in instants]


def rituals_today(*, user: User, now: datetime | None = None) -> TodayView:
    """The requester's active rituals with an occurrence on the REQUESTER's local date (their own
    zone), each with both partners' state and the ritual's streak. Three queries, whatever the count."""
    now = now or timezone.now()
    today = recurrence.local_date(now, user.time_zone)
    start, end = recurrence.local_day_bounds(today, user.time_zone)
    rituals = list(rituals_of(user=user).filter(status=Ritual.Status.ACTIVE).order_by("created_at"))
    # Streaks only need how many partners did each date; today's state needs the completions
    # themselves, and only around today (every completion of a date is within _SLACK of it).
    done_by = _done_by_day(rituals, Completion.objects.filter(occurrence_at__lt=max(now, end) + _SLACK))
    window = (start - _SLACK, end + _SLACK)
    around_today = Completion.objects.filter(occurrence_at__gte=window[0], occurrence_at__lt=window[1])
    by_day = _completions_by_day(rituals, around_today, details=window)
    entries: list[TodayEntry] = []
    for ritual in rituals:
        instants = recurrence.occurrences(
            rrule=ritual.rrule,
            start_date=ritual.start_date,
            local_time=ritual.local_time,
            time_zone=ritual.time_zone,
            start=start,
            end=end,
        )
        if not instants:
            continue
        view = _view(ritual, done_by, now)
        entries.extend(
            TodayEntry(ritual=view, occurrence=_occurrence(ritual, instant, by_day, user, user.time_zone))
            for instant in instants
        )
    entries.sort(key=lambda entry: (entry.occurrence.occurrence_at, entry.ritual.ritual.title))
    return TodayView(date=today, time_zone=user.time_zone, results=entries)


DEFAULT_WINDOW_DAYS = 30


def occurrence_window(
    *, ritual: Ritual, start: date | datetime | None, end: date | datetime | None, now: datetime | None = None
) -> tuple[datetime, datetime]:
    """Resolves `from`/`to` of /occurrences into [start, end) instants.

    Dates are local days in the ritual's zone and `to` as a date is inclusive (the whole day); a
    date-time without offset is wall time there. Defaults: from the start of today, DEFAULT_WINDOW_DAYS
    local days on. At most MAX_RANGE_DAYS (a ValidationError on `to` otherwise).
    """
    tz_name = ritual.time_zone
    tz = recurrence.zone(tz_name)

    def instant(value: date | datetime, *, day_end: bool) -> datetime:
        if isinstance(value, datetime):
            return value if value.tzinfo is not None else recurrence.localize(value, tz)
        return recurrence.local_day_bounds(value, tz_name)[1 if day_end else 0]

    now = now or timezone.now()
    begin = (
        instant(start, day_end=False)
        if start is not None
        else instant(recurrence.local_date(now, tz_name), day_end=False)
    )
    if end is not None:
        finish = instant(end, day_end=True)
    else:
        finish = instant(recurrence.local_date(begin, tz_name) + timedelta(days=DEFAULT_WINDOW_DAYS), day_end=False)
    if finish <= begin:
        raise ValidationError({"to": ValidationError("`to` must be after `from`.", code="invalid_range")})
    if finish - begin > timedelta(days=recurrence.MAX_RANGE_DAYS):
        raise ValidationError(
            {
                "to": ValidationError(
                    f"Ask for at most {recurrence.MAX_RANGE_DAYS} days at a time.", code="range_too_long"
                )
            }
        )
    return begin, finish
