"""Reads on shared goals, always scoped to the requester's active couple."""

from collections.abc import Sequence
from uuid import UUID

from django.db.models import Prefetch, QuerySet

from accounts.models import User
from config.api.errors import NotFoundError
from config.api.sql import CompiledQuery
from rituals.models import Goal, Ritual

# The linked rituals a goal shows: a soft-deleted ritual is gone for every API read, links included.
_LIVE = Ritual.objects.filter(deleted_at__isnull=True).only("id")
_LIVE_RITUALS = Prefetch("rituals", queryset=_LIVE, to_attr="live_rituals")
# The same for goals loaded without the list's queryset (the goal a write answers, a sync pull's changed
# goals), compiled once (`CompiledQuery`): (goal id, live ritual id) pairs.
_LIVE_LINKS = CompiledQuery(lambda goal_ids: _LIVE.filter(goals__in=goal_ids).values_list("goals", "id"))


def goals_visible_to(*, user: User, statuses: Sequence[str] = ()) -> QuerySet[Goal]:
    """The couple's goals (newest first once paginated), with their live rituals in one more query."""
    goals = Goal.objects.visible_to(user).prefetch_related(_LIVE_RITUALS)
    if statuses:
        goals = goals.filter(status__in=statuses)
    return goals


def goal_detail(*, user: User, goal_id: UUID) -> Goal:
    """One goal of the couple, or 404 (also for another couple's goal)."""
    goal = goals_visible_to(user=user).filter(id=goal_id).first()
    if goal is None:
        raise NotFoundError()
    return goal


def goal_with_rituals(goal: Goal) -> Goal:
    """Loads the live linked rituals of a goal a service returned, as the list's prefetch does."""
    goals_with_rituals([goal])
    return goal


def goals_with_rituals(goals: Sequence[Goal]) -> None:
    """Loads the live linked rituals of these goals, as the list's prefetch does (one query)."""
    linked: dict[UUID, list[Ritual]] = {goal.pk: [] for goal in goals}
    if linked:
        for goal_id, ritual_id in _LIVE_LINKS.rows(sorted(linked, key=str)):
            linked[goal_id].append(Ritual(id=ritual_id))
    for goal in goals:
        goal.live_rituals = linked[goal.pk]  # type: ignore[attr-defined]


def live_ritual_ids(goal: Goal) -> list[UUID]:
    if not hasattr(goal, "live_rituals"):
        goal_with_rituals(goal)
    rituals: list[Ritual] = goal.live_rituals  # type: ignore[attr-defined]
    return sorted((ritual.pk for ritual in rituals), key=str)
