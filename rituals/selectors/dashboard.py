"""Aggregates for the content team's dashboard (admin): a fixed number of grouped queries, whatever
the number of couples, rituals or completions. Weeks start on Monday, in UTC.

Every number is a count over couples or rows; no text a user wrote is read.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import TruncWeek
from django.utils import timezone

from couples.models import Couple
from rituals.models import Completion, DailyPrompt, Nudge, PromptAnswer, Ritual


def week_starts(*, weeks: int, today: date | None = None) -> list[date]:
    """The Mondays of the last `weeks` weeks, oldest first (this week last)."""
    today = today or timezone.now().date()
    this_monday = today - timedelta(days=today.weekday())
    return [this_monday - timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]


def _start(monday: date) -> datetime:
    return datetime(monday.year, monday.month, monday.day, tzinfo=UTC)


def _week(value: datetime | date | None) -> date | None:
    if value is None:
        return None
    return value.date() if isinstance(value, datetime) else value


def active_couples_per_week(*, weeks: list[date]) -> list[int]:
    """Couples that completed a ritual, answered a daily prompt or sent a nudge in each week.

    One query: one conditional count per week over the couples, each an EXISTS per activity.
    """
    counts = {}
    for index, monday in enumerate(weeks):
        start, end = _start(monday), _start(monday + timedelta(weeks=1))
        active = Q()
        for model in (Completion, PromptAnswer, Nudge):
            active |= Q(Exists(model.objects.filter(couple=OuterRef("pk"), created_at__gte=start, created_at__lt=end)))
        counts[f"week_{index}"] = Count("pk", filter=active)
    totals = Couple.objects.aggregate(**counts)
    return [totals[f"week_{index}"] for index in range(len(weeks))]


def completions_per_week(*, weeks: list[date]) -> list[int]:
    """Completions logged in each week (one grouped query)."""
    rows = (
        Completion.objects.filter(created_at__gte=_start(weeks[0]))
        .annotate(week=TruncWeek("created_at"))
        .values("week")
        .annotate(total=Count("pk"))
        .values_list("week", "total")
    )
    by_week = {_week(week): total for week, total in rows}
    return [by_week.get(monday, 0) for monday in weeks]


@dataclass(frozen=True)
class PromptWeek:
    prompts: int
    answers: int

    @property
    def rate(self) -> float | None:
        """Answers given out of answers possible (two per daily prompt)."""
        return round(self.answers / (2 * self.prompts), 3) if self.prompts else None


def prompt_answer_rate_per_week(*, weeks: list[date]) -> list[PromptWeek]:
    """Daily prompts of each week (by couple-day) and the answers they got (one grouped query)."""
    rows = (
        DailyPrompt.objects.filter(day__gte=weeks[0])
        .annotate(week=TruncWeek("day"))
        .values("week")
        .annotate(prompt_total=Count("pk", distinct=True), answer_total=Count("answers"))
        .values_list("week", "prompt_total", "answer_total")
    )
    by_week = {_week(week): PromptWeek(prompts=prompts, answers=answers) for week, prompts, answers in rows}
    return [by_week.get(monday, PromptWeek(prompts=0, answers=0)) for monday in weeks]


@dataclass(frozen=True)
class TemplateAdoption:
    template_id: str
    title: str
    rituals: int
    couples: int


def template_adoption(*, limit: int = 10) -> list[TemplateAdoption]:
    """The templates most couples started a ritual from (live rituals), with their ritual counts (one query)."""
    rows = (
        Ritual.objects.filter(template__isnull=False, deleted_at__isnull=True)
        .values("template_id", "template__title")
        .annotate(rituals=Count("pk"), couples=Count("couple", distinct=True))
        .order_by("-couples", "-rituals", "template__title")[:limit]
    )
    return [
        TemplateAdoption(
            template_id=str(row["template_id"]),
            title=row["template__title"],
            rituals=row["rituals"],
            couples=row["couples"],
        )
        for row in rows
    ]
