"""Reads of date ideas, plans and memories, scoped to the requester (couples.scoping)."""

from datetime import datetime, timedelta
from typing import cast
from uuid import UUID

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from accounts.models import User
from config.api.sql import CompiledQuery
from couples.scoping import CoupleOwnedQuerySet, active_couple_id, get_couple_owned_or_404
from couples.selectors import partner_of
from dates.models import CalendarFeed, DateIdea, DateIdeaVote, DateMemory, DateOffer, DatePlan
from rituals.localization import localized
from rituals.models import Ritual

IDEA_TEXT = ("title", "description", "why_it_helps")


def ideas_published(*, language: str | None = None) -> QuerySet[DateIdea]:
    """The published ideas, in curated order, in `language`: the same for every reader of a language
    (votes are `my_votes`). Each carries `title_localized`, `description_localized`,
    `why_it_helps_localized`, `content_locale` and `content_translated` (rituals.localization: the
    approved translation of the locale chain, joined in the same query; English when there is none).
    """
    ideas = DateIdea.objects.filter(is_published=True).order_by("ordering", "title")
    return localized(ideas, relation="translations", fields=IDEA_TEXT, language=language)


def my_votes(*, user: User, idea_ids: list[UUID]) -> dict[UUID, str]:
    """The user's own votes on these ideas (absent: not voted). A partner's vote is never read here:
    the one rule of `my_vote`, for the idea list and the matches (one query, compiled once)."""
    if not idea_ids:
        return {}
    return dict(_MY_VOTES.rows(user.pk, idea_ids))


_MY_VOTES = CompiledQuery(
    lambda user_id, idea_ids: DateIdeaVote.objects.filter(user_id=user_id, idea_id__in=idea_ids).values_list(
        "idea_id", "vote"
    )
)


def idea_matches(*, user: User, language: str | None = None) -> QuerySet[DateIdea]:
    """Ideas both partners liked (the "someday" list), in `language` as `ideas_published`. Empty when
    unpaired. A pass is never shown."""
    partner = partner_of(user=user)
    if partner is None:
        return DateIdea.objects.none()
    like = DateIdeaVote.Vote.LIKE
    mine = DateIdeaVote.objects.filter(user=user, vote=like).values("idea_id")
    theirs = DateIdeaVote.objects.filter(user=partner, vote=like).values("idea_id")
    return ideas_published(language=language).filter(pk__in=mine).filter(pk__in=theirs)


def _with_details(plans: QuerySet[DatePlan]) -> QuerySet[DatePlan]:
    return plans.prefetch_related(
        Prefetch("offers", queryset=DateOffer.objects.order_by("created_at", "id")),
        Prefetch("memories", queryset=DateMemory.objects.order_by("created_at", "id")),
    )


def plans_visible_to(*, user: User, statuses: list[str] | None = None) -> QuerySet[DatePlan]:
    plans = DatePlan.objects.visible_to(user)
    if statuses:
        plans = plans.filter(status__in=statuses)
    return _with_details(plans.order_by("-created_at", "-id"))


def plan_detail(*, user: User, plan_id: UUID) -> DatePlan:
    return get_couple_owned_or_404(
        cast(CoupleOwnedQuerySet[DatePlan], _with_details(DatePlan.objects.all())), user, id=plan_id
    )


def plan_with_details(plan: DatePlan) -> DatePlan:
    """The plan just written, re-read with its offers and memories."""
    return _with_details(DatePlan.objects.filter(pk=plan.pk)).get()


def memory_by_id(memory_id: str) -> DateMemory | None:
    """For the signed photo URL: the token already proved who it was issued to; the memory must
    still exist and its couple still be active (an ended couple's photos stop being served)."""
    try:
        UUID(memory_id)
    except ValueError:
        return None
    return DateMemory.objects.filter(pk=memory_id, plan__couple__status="active").only("photo", "thumbnail").first()


def feed_by_token_hash(token_hash: str) -> CalendarFeed | None:
    return CalendarFeed.objects.select_related("user").filter(token_hash=token_hash).first()


def calendar_window(now: datetime | None = None) -> tuple[datetime, datetime]:
    start = now or timezone.now()
    return start - timedelta(days=1), start + timedelta(days=settings.CALENDAR_FEED_DAYS)


def feed_plans(*, user: User, start: datetime, end: datetime) -> QuerySet[DatePlan]:
    """Accepted, done and cancelled dates of the user's couple starting in the window (cancelled
    ones stay so subscribed calendars learn of the cancellation)."""
    couple_id = active_couple_id(user)
    if couple_id is None:
        return DatePlan.objects.none()
    statuses = [DatePlan.Status.ACCEPTED, DatePlan.Status.DONE, DatePlan.Status.CANCELLED]
    return (
        DatePlan.objects.of_couple(couple_id)
        .filter(status__in=statuses, starts_at__gte=start, starts_at__lt=end)
        .order_by("starts_at")
    )


def feed_rituals(*, user: User) -> QuerySet[Ritual]:
    couple_id = active_couple_id(user)
    if couple_id is None:
        return Ritual.objects.none()
    return Ritual.objects.of_couple(couple_id).filter(status=Ritual.Status.ACTIVE).order_by("created_at")
