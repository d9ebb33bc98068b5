"""Reads of the insights app: a user's view of weekly reports, the live week, milestones, the widget."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from config.api.errors import NotFoundError
from couples.models import Couple, Membership
from couples.scoping import get_couple_owned_or_404, require_active_couple
from couples.selectors import partner_of
from insights import report
from insights.models import ReportPreference, ReportSchedule, SpecialDate, WeeklyReflection, WeeklyReport
from rituals import recurrence
from rituals.visibility import prompt_answer_revealed


@dataclass(frozen=True)
class ReflectionView:
    written: bool
    text: str | None
    updated_at: datetime | None


@dataclass(frozen=True)
class ReportView:
    """A week as one partner may see it: the shared part, their own personal part, and the
    reflections (the partner's text only once both wrote one)."""

    id: UUID | None
    week_start: date
    status: str  # "final" or "live"
    algorithm_version: int
    finalised_at: datetime | None
    shared: dict[str, Any]
    personal: dict[str, Any] | None
    my_reflection: ReflectionView
    partner_reflection: ReflectionView


_NO_REFLECTION = ReflectionView(written=False, text=None, updated_at=None)


def members_of(couple_ids: list[UUID]) -> dict[UUID, tuple[UUID, ...]]:
    """The active members of each couple, in the order they joined (one query)."""
    members: dict[UUID, list[UUID]] = defaultdict(list)
    for couple_id, user_id in (
        Membership.objects.filter(couple_id__in=couple_ids, is_active=True)
        .order_by("joined_at", "user_id")
        .values_list("couple_id", "user_id")
    ):
        members[couple_id].append(user_id)
    return {couple_id: tuple(users) for couple_id, users in members.items()}


def history_of(couple_ids: list[UUID], *, weeks: list[date]) -> dict[UUID, list[tuple[date, dict[str, Any]]]]:
    """The stored weeks of these couples that can be the TREND_WEEKS before any of `weeks`, newest
    first, as (week_start, shared part). One query; `insights.report` keeps the ones before each week."""
    since = min(weeks) - timedelta(weeks=report.TREND_WEEKS)
    history: dict[UUID, list[tuple[date, dict[str, Any]]]] = defaultdict(list)
    rows = WeeklyReport.objects.filter(couple_id__in=couple_ids, week_start__gte=since, week_start__lt=max(weeks))
    for couple_id, week_start, shared in rows.order_by("-week_start").values_list("couple_id", "week_start", "shared"):
        history[couple_id].append((week_start, shared))
    return history


def reports_of(*, user: User) -> QuerySet[WeeklyReport]:
    """The finalised weeks of the user's active couple, with the user's personal part and the
    reflections prefetched (three queries for a page, whatever its size)."""
    from django.db.models import Prefetch

    from insights.models import WeeklyReportPersonal

    return WeeklyReport.objects.visible_to(user).prefetch_related(
        Prefetch("personal_parts", queryset=WeeklyReportPersonal.objects.filter(user=user), to_attr="mine"),
        Prefetch("reflections", queryset=WeeklyReflection.objects.all(), to_attr="all_reflections"),
    )


def report_view(*, row: WeeklyReport, user: User) -> ReportView:
    """The user's view of a finalised report whose `mine` and `all_reflections` are prefetched."""
    parts = getattr(row, "mine", None)
    mine = parts[0].data if parts else None
    reflections = list(getattr(row, "all_reflections", []))
    given = len(reflections)
    mine_reflection, partner_reflection = _NO_REFLECTION, _NO_REFLECTION
    for reflection in reflections:
        revealed = prompt_answer_revealed(author_id=reflection.user_id, viewer_id=user.pk, answers_given=given)
        view = ReflectionView(
            written=True, text=reflection.text if revealed else None, updated_at=reflection.updated_at
        )
        if reflection.user_id == user.pk:
            mine_reflection = view
        else:
            partner_reflection = view
    return ReportView(
        id=row.id,
        week_start=row.week_start,
        status="final",
        algorithm_version=row.algorithm_version,
        finalised_at=row.finalised_at,
        shared=row.shared,
        personal=mine,
        my_reflection=mine_reflection,
        partner_reflection=partner_reflection,
    )


def report_for_week(*, user: User, week_start: date) -> ReportView:
    """A finalised week, or the live one when `week_start` is the couple's running week; 404 otherwise."""
    row = reports_of(user=user).filter(week_start=week_start).first()
    if row is not None:
        return report_view(row=row, user=user)
    current = report_current(user=user)
    if current.week_start != week_start:
        raise NotFoundError()
    return current


def report_current(*, user: User, now: datetime | None = None) -> ReportView:
    """The running week, computed on read with the rules of the stored ones (never stored)."""
    couple = require_active_couple(user)
    now = now or timezone.now()
    schedule = ReportSchedule.objects.filter(couple=couple).first()
    if schedule is not None and schedule.starts_at <= now:
        week_start, starts_at = schedule.week_start, schedule.starts_at
    else:
        week_start = report.week_start_of(now, couple.time_zone)
        starts_at = report.week_bounds(week_start, couple.time_zone)[0]
    ends_at = report.week_bounds(week_start, couple.time_zone)[1]
    window = report.Window(
        couple.id, week_start, starts_at, ends_at, couple.time_zone, members_of([couple.id]).get(couple.id, ())
    )
    (result,) = report.compute_weeks([window], history=history_of([couple.id], weeks=[week_start]), now=now)
    return ReportView(
        id=None,
        week_start=week_start,
        status="live",
        algorithm_version=report.ALGORITHM_VERSION,
        finalised_at=None,
        shared=result.shared,
        personal=result.personal.get(user.pk),
        my_reflection=_NO_REFLECTION,
        partner_reflection=_NO_REFLECTION,
    )


def report_preference_of(*, user: User) -> ReportPreference:
    """The user's report preferences, or the defaults (unsaved) when they never set any."""
    return ReportPreference.objects.filter(user=user).first() or ReportPreference(user=user)


# MILESTONES --------------------------------------------------------------------------------------

UPCOMING_DAYS = 366


@dataclass(frozen=True)
class Milestone:
    kind: str  # days_100, half_year, anniversary, special_date
    date: date
    title: str
    days_together: int | None
    special_date_id: UUID | None


@dataclass(frozen=True)
class MilestonesView:
    today: date
    time_zone: str
    together_since: date | None
    days_together: int | None
    upcoming: list[Milestone]


def _add_months(day: date, months: int) -> date | None:
    """The same day `months` later, or None when that month has no such day (29 Feb, the 31st)."""
    month_index = day.month - 1 + months
    try:
        return day.replace(year=day.year + month_index // 12, month=month_index % 12 + 1)
    except ValueError:
        return None


def milestones_between(
    *, together_since: date | None, specials: list[SpecialDate], start: date, end: date
) -> list[Milestone]:
    """The couple's milestones on days in [start, end]: every 100 days together, every half-year
    (the 6th month is a half-year, the 12th an anniversary), and each special date's yearly return.
    Pure: the morning push and `GET couple/milestones` both use it."""
    found: list[Milestone] = []
    if together_since is not None:
        first_hundred = max(1, -(-((start - together_since).days) // 100))
        day_count = first_hundred * 100
        while (day := together_since + timedelta(days=day_count)) <= end:
            found.append(Milestone("days_100", day, _("%(days)d days together") % {"days": day_count}, day_count, None))
            day_count += 100
        months = 6
        while True:
            candidate = _add_months(together_since, months)
            if candidate is not None and candidate > end:
                break
            if candidate is not None and candidate >= start:
                years, rest = divmod(months, 12)
                if rest:
                    kind, title = "half_year", _("%(years)s½ years together") % {"years": years or ""}
                else:
                    kind, title = (
                        "anniversary",
                        ngettext("%(years)d year together", "%(years)d years together", years) % {"years": years},
                    )
                found.append(Milestone(kind, candidate, title, (candidate - together_since).days, None))
            months += 6
    for special in specials:
        for year in (start.year, start.year + 1):
            try:
                day = special.date.replace(year=year)
            except ValueError:  # 29 February in a common year: the 28th
                day = special.date.replace(year=year, day=28)
            if start <= day <= end and day >= special.date:
                found.append(Milestone("special_date", day, special.title, None, special.id))
    found.sort(key=lambda m: (m.date, m.kind, m.title))
    return found


def couple_milestones(*, user: User, today: date | None = None) -> MilestonesView:
    """Days together and the milestones of the coming year, in the couple's zone. One query."""
    couple = require_active_couple(user)
    if today is None:
        today = recurrence.local_date(timezone.now(), couple.time_zone)
    specials = list(SpecialDate.objects.visible_to(user).order_by("date", "id"))
    return MilestonesView(
        today=today,
        time_zone=couple.time_zone,
        together_since=couple.together_since,
        days_together=days_together(couple, today),
        upcoming=milestones_between(
            together_since=couple.together_since,
            specials=specials,
            start=today,
            end=today + timedelta(days=UPCOMING_DAYS),
        ),
    )


def days_together(couple: Couple, today: date) -> int | None:
    if couple.together_since is None:
        return None
    return max(0, (today - couple.together_since).days)


def special_dates_of(*, user: User) -> QuerySet[SpecialDate]:
    return SpecialDate.objects.visible_to(user)


def partner_id_of(user: User) -> UUID | None:
    partner = partner_of(user=user)  # loaded with the requester at sign-in: no query
    return partner.pk if partner else None


def report_get(*, user: User, report_id: UUID) -> WeeklyReport:
    """A finalised report of the user's active couple, or 404."""
    return get_couple_owned_or_404(WeeklyReport.objects.all(), user, pk=report_id)


def special_date_get(*, user: User, special_date_id: UUID) -> SpecialDate:
    return get_couple_owned_or_404(SpecialDate.objects.all(), user, pk=special_date_id)
