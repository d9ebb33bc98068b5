"""What a couple's week holds: the rules of the weekly connection report, computed for many couples
at once with a fixed number of queries (one per kind of record), whatever the batch size.

A week is the couple's: Monday 00:00 to the next Monday 00:00 in `couple.time_zone`, as the
instants [starts_at, ends_at). Timestamped events (bids, completions) count in the week holding
their instant; check-ins in the week holding their `local_date` (the day their author lived it,
the rule of `check-ins/summary`); daily questions in the week holding their couple day. Consecutive
weeks share their boundary (a week starts where the previous report ended), so every event counts
in exactly one week, even when the couple moves to another zone mid-week.

Bump ALGORITHM_VERSION whenever a rule here changes: `insights.recompute_reports` then recomputes
the stored weeks in the background.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from statistics import mean
from typing import Any
from uuid import UUID

from django.db.models import Count

from rituals import recurrence
from rituals.models import CheckIn, Completion, DailyPrompt, Nudge, Ritual, RitualTemplate
from rituals.models.choices import Category
from rituals.selectors.rituals import ritual_views

ALGORITHM_VERSION = 1
TREND_WEEKS = 4


@dataclass(frozen=True)
class Window:
    """One couple-week to compute."""

    couple_id: UUID
    week_start: date
    starts_at: datetime
    ends_at: datetime
    time_zone: str
    members: tuple[UUID, ...]


@dataclass
class WeekResult:
    window: Window
    shared: dict[str, Any]
    personal: dict[UUID, dict[str, Any]] = field(default_factory=dict)


def week_start_of(instant: datetime, time_zone: str) -> date:
    """The Monday of the couple's week holding this instant."""
    day = recurrence.local_date(instant, time_zone)
    return day - timedelta(days=day.weekday())


def week_bounds(week_start: date, time_zone: str) -> tuple[datetime, datetime]:
    """[Monday 00:00, next Monday 00:00) of a week in a zone, as UTC instants (DST weeks included)."""
    starts_at, _ = recurrence.local_day_bounds(week_start, time_zone)
    ends_at, _ = recurrence.local_day_bounds(week_start + timedelta(days=7), time_zone)
    return starts_at, ends_at


def _avg(values: Sequence[float]) -> float | None:
    return round(mean(values), 2) if values else None


def compute_weeks(
    windows: Sequence[Window], *, history: dict[UUID, list[tuple[date, dict[str, Any]]]], now: datetime
) -> list[WeekResult]:
    """The reports of these couple-weeks. `history` maps a couple to its stored weeks (week_start,
    shared part), newest first (the trend and streak changes compare against them). 7 queries in all."""
    if not windows:
        return []
    couple_ids = [w.couple_id for w in windows]
    first = min(w.starts_at for w in windows)
    last = max(w.ends_at for w in windows)
    first_day = min(w.week_start for w in windows)
    last_day = max(w.week_start for w in windows) + timedelta(days=6)

    row: Any
    nudges: defaultdict[UUID, list[Any]] = defaultdict(list)
    for row in Nudge.objects.filter(couple_id__in=couple_ids, created_at__gte=first, created_at__lt=last).values(
        "couple_id", "sender_id", "recipient_id", "kind", "created_at", "seen_at", "responded_at"
    ):
        nudges[row["couple_id"]].append(row)
    completions: defaultdict[UUID, list[Any]] = defaultdict(list)
    for row in Completion.objects.filter(
        couple_id__in=couple_ids, occurrence_at__gte=first, occurrence_at__lt=last
    ).values("couple_id", "ritual_id", "user_id", "occurrence_at", "connection_rating"):
        completions[row["couple_id"]].append(row)
    rituals: defaultdict[UUID, list[Ritual]] = defaultdict(list)
    all_rituals = list(Ritual.objects.filter(couple_id__in=couple_ids, deleted_at__isnull=True))
    # Streaks as of `now` (the finalise runs minutes after the week's end): no query while the
    # rituals' checkpoints are valid, one for all of them otherwise.
    streaks = {view.ritual.id: view.streak.current for view in ritual_views(rituals=all_rituals, now=now)}
    for ritual in all_rituals:
        rituals[ritual.couple_id].append(ritual)
    check_ins: defaultdict[UUID, list[Any]] = defaultdict(list)
    for row in CheckIn.objects.filter(
        couple_id__in=couple_ids, local_date__gte=first_day, local_date__lte=last_day
    ).values("couple_id", "user_id", "is_shared", "mood", "connection", "local_date"):
        check_ins[row["couple_id"]].append(row)
    prompts: defaultdict[UUID, list[Any]] = defaultdict(list)
    for row in (
        DailyPrompt.objects.filter(couple_id__in=couple_ids, day__gte=first_day, day__lte=last_day)
        .annotate(answers_given=Count("answers"))
        .values("couple_id", "day", "answers_given")
    ):
        prompts[row["couple_id"]].append(row)
    templates: list[Any] = list(
        RitualTemplate.objects.filter(is_published=True).order_by("ordering", "title").values("id", "title")
    )
    return [
        _week(
            w,
            nudges=nudges[w.couple_id],
            completions=completions[w.couple_id],
            rituals=rituals[w.couple_id],
            check_ins=check_ins[w.couple_id],
            prompts=prompts[w.couple_id],
            templates=templates,
            # The stored weeks before this one, newest first (a recompute may hold later ones too).
            history=[shared for week, shared in history.get(w.couple_id, []) if week < w.week_start],
            streaks=streaks,
        )
        for w in windows
    ]


def _week(
    w: Window,
    *,
    nudges: Iterable[dict[str, Any]],
    completions: Iterable[dict[str, Any]],
    rituals: Sequence[Ritual],
    check_ins: Iterable[dict[str, Any]],
    prompts: Iterable[dict[str, Any]],
    templates: Sequence[dict[str, Any]],
    history: Sequence[dict[str, Any]],
    streaks: dict[UUID, int],
) -> WeekResult:
    week_end = w.week_start + timedelta(days=6)
    bids = [n for n in nudges if w.starts_at <= n["created_at"] < w.ends_at]
    done = [c for c in completions if w.starts_at <= c["occurrence_at"] < w.ends_at]
    days = [c for c in check_ins if w.week_start <= c["local_date"] <= week_end]
    both_answered = sum(1 for p in prompts if w.week_start <= p["day"] <= week_end and p["answers_given"] >= 2)

    kept = _rituals_kept(w, rituals, done, history, streaks)
    by_category: dict[str, int] = defaultdict(int)
    categories = {r.id: r.category for r in rituals}
    for entry in kept:
        by_category[categories[UUID(entry["ritual_id"])]] += entry["done"]
    appreciations = sum(1 for n in bids if n["kind"] == Nudge.Kind.APPRECIATION)
    answered = sum(1 for n in bids if n["responded_at"] is not None)
    moments = {
        "appreciations": appreciations,
        "answered_bids": answered,
        "affection_rituals": by_category[Category.AFFECTION],
        "date_nights": by_category[Category.DATE_NIGHT],
        "questions_both_answered": both_answered,
    }
    total = sum(moments.values())
    earlier = [h["positive_moments"]["total"] for h in history[:TREND_WEEKS]]
    average = round(mean(earlier), 2) if earlier else None
    trend = None if average is None else ("up" if total > average else "down" if total < average else "steady")

    shared_check_ins = [
        {
            "user_id": str(member),
            "count": len(rows := [c for c in days if c["user_id"] == member and c["is_shared"]]),
            "mood_avg": _avg([c["mood"] for c in rows]),
            "connection_avg": _avg([c["connection"] for c in rows]),
        }
        for member in w.members
    ]
    shared = {
        "week_start": w.week_start.isoformat(),
        "week_end": week_end.isoformat(),
        "time_zone": w.time_zone,
        "bids": {
            "sent": len(bids),
            "seen": sum(1 for n in bids if n["seen_at"] is not None or n["responded_at"] is not None),
            "turned_toward": answered,
        },
        "positive_moments": {**moments, "total": total, "previous_weeks_average": average, "trend": trend},
        "rituals": kept,
        "shared_check_ins": shared_check_ins,
        "suggestion": _suggestion(kept, rituals, templates),
    }
    personal = {member: _personal(member, bids, done, days) for member in w.members}
    return WeekResult(window=w, shared=shared, personal=personal)


def _personal(
    member: UUID, bids: Sequence[dict[str, Any]], done: Sequence[dict[str, Any]], days: Sequence[dict[str, Any]]
) -> dict[str, Any]:
    """What only `member` sees: their own responsiveness, all their check-ins and their ratings."""
    received = [n for n in bids if n["recipient_id"] == member]
    # A bid never seen (push not delivered, never opened) was not turned away from: only seen ones count.
    seen = [n for n in received if n["seen_at"] is not None or n["responded_at"] is not None]
    mine = [c for c in days if c["user_id"] == member]
    ratings = [c["connection_rating"] for c in done if c["user_id"] == member and c["connection_rating"]]
    return {
        "bids_sent": sum(1 for n in bids if n["sender_id"] == member),
        "bids_received": len(received),
        "bids_seen": len(seen),
        "turned_toward": sum(1 for n in seen if n["responded_at"] is not None),
        "check_ins": len(mine),
        "mood_avg": _avg([c["mood"] for c in mine]),
        "connection_avg": _avg([c["connection"] for c in mine]),
        "completion_rating_avg": _avg(ratings),
    }


def _rituals_kept(
    w: Window,
    rituals: Sequence[Ritual],
    done: Sequence[dict[str, Any]],
    history: Sequence[dict[str, Any]],
    streaks: dict[UUID, int],
) -> list[dict[str, Any]]:
    """Per ritual: occurrences due this week, how many were done, and the streak's change."""
    partners: dict[tuple[UUID, datetime], set[UUID]] = defaultdict(set)
    for c in done:
        partners[(c["ritual_id"], c["occurrence_at"])].add(c["user_id"])
    previous = {entry["ritual_id"]: entry["streak"] for entry in (history[0]["rituals"] if history else [])}
    kept = []
    for ritual in sorted(rituals, key=lambda r: (r.created_at, str(r.id))):
        due = recurrence.occurrences(
            rrule=ritual.rrule,
            start_date=ritual.start_date,
            local_time=ritual.local_time,
            time_zone=ritual.time_zone,
            start=w.starts_at,
            end=w.ends_at,
        )
        if ritual.status != Ritual.Status.ACTIVE:
            due = []
        counted = sum(1 for instant in due if ritual.counts(len(partners.get((ritual.id, instant), ()))))
        if not due and not counted:
            continue
        streak = streaks.get(ritual.id)
        before = previous.get(str(ritual.id))
        kept.append(
            {
                "ritual_id": str(ritual.id),
                "title": ritual.title,
                "due": len(due),
                "done": counted,
                "streak": streak,
                "streak_change": None if streak is None or before is None else streak - before,
            }
        )
    return kept


def _suggestion(
    kept: Sequence[dict[str, Any]], rituals: Sequence[Ritual], templates: Sequence[dict[str, Any]]
) -> dict[str, Any] | None:
    """One rule-based idea for next week: reschedule the ritual missed most, else try a template the
    couple does not keep yet."""
    missed = [entry for entry in kept if entry["due"] > entry["done"]]
    if missed:
        worst = max(missed, key=lambda entry: (entry["due"] - entry["done"], entry["due"]))
        return {"kind": "reschedule", "ritual_id": worst["ritual_id"], "template_id": None, "title": worst["title"]}
    used = {r.template_id for r in rituals}
    for template in templates:
        if template["id"] not in used:
            return {
                "kind": "try_template",
                "ritual_id": None,
                "template_id": str(template["id"]),
                "title": template["title"],
            }
    return None
