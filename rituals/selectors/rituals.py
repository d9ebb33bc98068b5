"""Reads on couple rituals: lists with streaks, occurrences with each partner's state, today.

A ritual has at most one occurrence per local date in its zone, so a completion is matched to the
occurrence of its local date (not only its exact instant): moving "date night" from 19:00 to 20:00
keeps the past completions and the streak.

Streaks come from the checkpoint stored on the ritual (rituals.services.streaks keeps it), with no
query and no walk over the history; only a ritual whose checkpoint is invalid, or ahead of its
zone's today, has its history read and walked (one more query for all such rituals).
"""

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import Count, DateField, Func, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from config.api.errors import NotFoundError
from config.api.sql import CompiledQuery
from couples.scoping import active_couple_id
from rituals import recurrence
from rituals.models import Completion, Ritual
from rituals.streaks import Checkpoint, Streak, checkpoint_of, streak_at
from rituals.visibility import completion_details_visible

# Completions are fetched this much beyond a window, then matched by local date in the ritual zone.
_SLACK = timedelta(days=2)


@dataclass(frozen=True)
class PartnerState:
    completed: bool = False
    completion_id: UUID | None = None
    completed_at: datetime | None = None
    # None unless rituals.visibility.completion_details_visible to the requester.
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
    """One partner's completion of an occurrence."""

    id: UUID
    created_at: datetime
    note: str
    connection_rating: int | None


# ritual id -> local date in the ritual's zone -> {user id: completion}
_ByDay = dict[UUID, dict[date, dict[Any, _Done]]]


def rituals_in(couple_id: UUID | None) -> QuerySet[Ritual]:
    """The live rituals of the couple with this id, the active couple of the reader (none for None)."""
    return Ritual.objects.visible_in(couple_id)


# Today and the completions around it are read on every app start, one ritual by every write to it:
# each compiled once (CompiledQuery).
_RITUAL_FIELDS = [field.attname for field in Ritual._meta.concrete_fields]
_RITUAL = CompiledQuery(
    lambda couple_id, ritual_id: Ritual.objects.of_couple(couple_id).filter(pk=ritual_id).values_list(*_RITUAL_FIELDS)
)


def ritual_get(*, user: User, ritual_id: UUID | str) -> Ritual:
    """One live ritual of the user's couple, or a 404 that says nothing about whether it exists."""
    return _ritual_of(_RITUAL, user, ritual_id)


def ritual_locked(*, user: User, ritual_id: UUID | str) -> Ritual:
    """`ritual_get` (the same rule, the same 404), read under the ritual's row lock: what a write
    to the ritual or its completions starts with, inside its transaction. `FOR NO KEY UPDATE`: its
    writers change only columns no foreign key reads, so inserting a completion or linking a goal is
    not blocked."""
    return _ritual_of(_RITUAL_LOCKED, user, ritual_id)


def _ritual_of(query: CompiledQuery, user: User, ritual_id: UUID | str) -> Ritual:
    couple_id = active_couple_id(user)
    try:
        pk = ritual_id if isinstance(ritual_id, UUID) else UUID(str(ritual_id))
    except ValueError:
        raise NotFoundError() from None
    rows = query.rows(couple_id, pk) if couple_id is not None else []
    if not rows:
        raise NotFoundError()
    return Ritual.from_db("default", _RITUAL_FIELDS, rows[0])


_RITUAL_LOCKED = CompiledQuery(
    lambda couple_id, ritual_id: (
        Ritual.objects.of_couple(couple_id)
        .select_for_update(no_key=True)
        .filter(pk=ritual_id)
        .values_list(*_RITUAL_FIELDS)
    )
)


def completions_by_id_or_time(*, ids: list[UUID], ritual_id: UUID, start: datetime, end: datetime) -> list[Completion]:
    """The completions with these ids (of any ritual) and those of `ritual_id` in [start, end): what a
    write of completions must know, in one query (replays, the user's own and the partner's)."""
    rows = _CANDIDATES.rows(ids, ritual_id, start, end)
    return [Completion.from_db("default", _COMPLETION_FIELDS, row) for row in rows]


_COMPLETION_FIELDS = [field.attname for field in Completion._meta.concrete_fields]
_CANDIDATES = CompiledQuery(
    lambda ids, ritual_id, start, end: Completion.objects.filter(
        Q(pk__in=ids) | Q(ritual_id=ritual_id, occurrence_at__gte=start, occurrence_at__lt=end)
    ).values_list(*_COMPLETION_FIELDS)
)
_ACTIVE_RITUALS = CompiledQuery(
    lambda couple_id: (
        Ritual.objects.of_couple(couple_id)
        .filter(status=Ritual.Status.ACTIVE)
        .order_by("created_at")
        .values_list(*_RITUAL_FIELDS)
    )
)
_COMPLETIONS = CompiledQuery(
    lambda ritual_ids, start, end: (
        Completion.objects.filter(ritual_id__in=ritual_ids, occurrence_at__gte=start, occurrence_at__lt=end)
        .order_by("occurrence_at")
        .values_list("ritual_id", "user_id", "occurrence_at", "id", "created_at", "note", "connection_rating")
    )
)


def active_rituals_of(*, user: User) -> list[Ritual]:
    """The live rituals of the user's active couple that are active, oldest first."""
    couple_id = active_couple_id(user)
    if couple_id is None:
        return []
    return [Ritual.from_db("default", _RITUAL_FIELDS, row) for row in _ACTIVE_RITUALS.rows(couple_id)]


def ritual_views(*, rituals: Sequence[Ritual], now: datetime | None = None) -> list[RitualView]:
    """Streaks and next occurrence of each ritual: no query while their checkpoints are valid."""
    now = now or timezone.now()
    counted = _counted_for_history_walks(rituals, now)
    return [_view(ritual, counted, now) for ritual in rituals]


def ritual_view(*, ritual: Ritual, now: datetime | None = None) -> RitualView:
    return ritual_views(rituals=[ritual], now=now)[0]


def _completions_by_day(rituals: Sequence[Ritual], *, start: datetime, end: datetime) -> _ByDay:
    """Completions of `rituals` for occurrences in [start, end) grouped by ritual and local date,
    in one query."""
    by_id = {ritual.pk: ritual for ritual in rituals}
    by_day: _ByDay = defaultdict(lambda: defaultdict(dict))
    if not by_id:
        return by_day
    for ritual_id, user_id, occurrence_at, completion_id, created_at, note, rating in _COMPLETIONS.rows(
        list(by_id), start, end
    ):
        day = recurrence.local_date(occurrence_at, by_id[ritual_id].time_zone)
        by_day[ritual_id][day].setdefault(user_id, _Done(completion_id, created_at, note, rating))
    return by_day


class _LocalDate(Func):
    """The date of a datetime column in the IANA zone named by another column: what TruncDate(tzinfo=)
    computes, with the zone read per row (each ritual has its own)."""

    output_field = DateField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, template="(%(expressions)s)::date", arg_joiner=" AT TIME ZONE ")

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # Django's own SQLite function behind TruncDate(tzinfo=): (value, zone, connection zone).
        sql, params = self.as_sql(compiler, connection, function="django_datetime_cast_date")
        return f"{sql[:-1]}, %s)", (*params, connection.timezone_name)


def _counted_rows(
    ritual_ids: list[UUID], before: datetime | None, since: datetime | None = None
) -> QuerySet[Any, tuple[Any, ...]]:
    """(ritual id, local date, partners who completed it) for the completions of these rituals."""
    completions = Completion.objects.filter(ritual_id__in=ritual_ids)
    if before is not None:
        completions = completions.filter(occurrence_at__lt=before)
    if since is not None:
        completions = completions.filter(occurrence_at__gte=since)
    return (
        completions.annotate(day=_LocalDate("occurrence_at", "ritual__time_zone"))
        .values("ritual_id", "day")
        .annotate(partners=Count("user_id", distinct=True))
        .values_list("ritual_id", "day", "partners")
        .order_by()
    )


_COUNTED = CompiledQuery(lambda ritual_ids: _counted_rows(ritual_ids, None))
_COUNTED_BEFORE = CompiledQuery(_counted_rows)
_COUNTED_SINCE = CompiledQuery(lambda ritual_ids, since: _counted_rows(ritual_ids, None, since))


def counted_days(
    *, rituals: Sequence[Ritual], before: datetime | None = None, since: datetime | None = None
) -> dict[UUID, set[date]]:
    """The local dates (in each ritual's zone) on which its occurrence counts (Ritual.counts) for
    completions of occurrences before `before` (all by default) or from `since` on (not both), in one
    query."""
    if before is not None and since is not None:
        raise ValueError("counted_days: `before` or `since`, not both")
    counted: dict[UUID, set[date]] = {ritual.pk: set() for ritual in rituals}
    if not rituals:
        return counted
    ids = list(counted)
    # A streak's history walk (an earlier day completed, a ritual read whose checkpoint is invalid)
    # asks for one ritual or a page of them: compiled once per count; a backfill's batch is built.
    if since is not None:
        rows = _COUNTED_SINCE.rows(ids, since)
    else:
        rows = _COUNTED.rows(ids) if before is None else _COUNTED_BEFORE.rows(ids, before)
    # Keyed by the ids' integers: a UUID hashes and compares in Python, once per row of a history.
    rule_and_days = {ritual.pk.int: (ritual.counts, counted[ritual.pk]) for ritual in rituals}
    for ritual_id, day, partners in rows:
        counts, days = rule_and_days[ritual_id.int]
        if counts(partners):
            days.add(day)
    return counted


def checkpoint_from_history(*, ritual: Ritual, counted: Collection[date]) -> Checkpoint:
    """The checkpoint walked from the ritual's first counted date over its occurrences."""
    if not counted:
        return Checkpoint()
    days = recurrence.occurrence_dates(
        rrule=ritual.rrule,
        start_date=ritual.start_date,
        local_time=ritual.local_time,
        time_zone=ritual.time_zone,
        from_day=min(counted),  # misses before the first counted date cannot change any streak
    )
    return checkpoint_of(occurrences=days, completed=counted, grace_days=ritual.grace_days)


def _walks_history(ritual: Ritual, now: datetime) -> bool:
    checkpoint = ritual.streak_checkpoint
    if checkpoint is None:
        return True
    # A completion logged for the ritual's tomorrow (from a zone ahead) is not counted until then.
    return checkpoint.last_done is not None and checkpoint.last_done > recurrence.local_date(now, ritual.time_zone)


def _counted_for_history_walks(rituals: Sequence[Ritual], now: datetime) -> dict[UUID, set[date]]:
    walking = [ritual for ritual in rituals if _walks_history(ritual, now)]
    return counted_days(rituals=walking, before=now + _SLACK) if walking else {}


def _streak(ritual: Ritual, counted: dict[UUID, set[date]], now: datetime) -> Streak:
    today = recurrence.local_date(now, ritual.time_zone)
    checkpoint = ritual.streak_checkpoint
    if checkpoint is None or (checkpoint.last_done is not None and checkpoint.last_done > today):
        until_today = {day for day in counted.get(ritual.pk, ()) if day <= today}
        checkpoint = checkpoint_from_history(ritual=ritual, counted=until_today)
    return streak_at(checkpoint, today=today, grace_days=ritual.grace_days)


def _view(ritual: Ritual, counted: dict[UUID, set[date]], now: datetime) -> RitualView:
    next_at = None
    if ritual.status == Ritual.Status.ACTIVE:
        next_at = recurrence.next_occurrence_after(
            rrule=ritual.rrule,
            start_date=ritual.start_date,
            local_time=ritual.local_time,
            time_zone=ritual.time_zone,
            after=now,
        )
    return RitualView(ritual=ritual, streak=_streak(ritual, counted, now), next_occurrence_at=next_at)


def _state(completion: _Done | None, *, author_id: Any, viewer_id: Any) -> PartnerState:
    if completion is None:
        return PartnerState()
    if not completion_details_visible(author_id=author_id, viewer_id=viewer_id):
        return PartnerState(completed=True, completion_id=completion.id, completed_at=completion.created_at)
    return PartnerState(
        completed=True,
        completion_id=completion.id,
        completed_at=completion.created_at,
        note=completion.note,
        connection_rating=completion.connection_rating,
    )


def _occurrence(ritual: Ritual, instant: datetime, by_day: _ByDay, user: User, shown_in: str) -> OccurrenceView:
    day = recurrence.local_date(instant, ritual.time_zone)
    done_by = by_day.get(ritual.pk, {}).get(day, {})
    partner_id, theirs = next(((user_id, c) for user_id, c in done_by.items() if user_id != user.pk), (None, None))
    return OccurrenceView(
        occurrence_at=instant,
        local_start=instant.astimezone(recurrence.zone(shown_in)).isoformat(),
        local_date=instant.astimezone(recurrence.zone(shown_in)).date(),
        done=ritual.counts(len(done_by)),
        me=_state(done_by.get(user.pk), author_id=user.pk, viewer_id=user.pk),
        partner=_state(theirs, author_id=partner_id, viewer_id=user.pk),
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
    by_day = _completions_by_day([ritual], start=start - _SLACK, end=end + _SLACK)
    return [_occurrence(ritual, instant, by_day, user, ritual.time_zone) for instant in instants]


def rituals_today(*, user: User, now: datetime | None = None) -> TodayView:
    """The requester's active rituals with an occurrence on the REQUESTER's local date (their own
    zone), each with both partners' state and the ritual's streak. Two queries, whatever the count
    (one more while some checkpoint is invalid)."""
    now = now or timezone.now()
    today = recurrence.local_date(now, user.time_zone)
    start, end = recurrence.local_day_bounds(today, user.time_zone)
    rituals = active_rituals_of(user=user)
    counted = _counted_for_history_walks(rituals, now)
    # Today's state needs the completions themselves, and only around today (every completion of a
    # date is within _SLACK of it).
    by_day = _completions_by_day(rituals, start=start - _SLACK, end=end + _SLACK)
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
        view = _view(ritual, counted, now)
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
        raise ValidationError({"to": ValidationError(_("`to` must be after `from`."), code="invalid_range")})
    if finish - begin > timedelta(days=recurrence.MAX_RANGE_DAYS):
        raise ValidationError(
            {
                "to": ValidationError(
                    gettext("Ask for at most %(days)s days at a time.") % {"days": recurrence.MAX_RANGE_DAYS},
                    code="range_too_long",
                )
            }
        )
    return begin, finish
