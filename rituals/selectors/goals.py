"""Reads on shared goals, always scoped to the requester's active couple."""

from collections.abc import Sequence
from uuid import UUID

from django.db.models import Prefetch, QuerySet, prefetch_related_objects

from accounts.models import User
from config.api.errors import NotFoundError
from rituals.models import Goal, Ritual

# The linked rituals a goal shows: a soft-deleted ritual is gone for every API read, links included.
_LIVE_RITUALS = Prefetch(
    "rituals", queryset=Ritual.objects.filter(deleted_at__isnull=True).only("id"), to_attr="live_rituals"
)


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
    """Loads the live linked rituals of a goal a service returned, the way the list does."""
    if hasattr(goal, "live_rituals"):
        del goal.live_rituals
    prefetch_related_objects([goal], _LIVE_RITUALS)
    return goal


def live_ritual_ids(goal: Goal) -> list[UUID]:
    if not hasattr(goal, "live_rituals"):
        goal_with_rituals(goal)
    rituals: list[Ritual] = goal.live_rituals  # type: ignore[attr-defined]
    return sorted((ritual.pk for ritual in rituals), key=str)
