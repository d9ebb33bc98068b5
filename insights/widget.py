"""`GET widget`: the small home-screen snapshot, cheap enough to poll.

`widget_view` computes it (a fixed number of queries). `widget_snapshot` keeps the rendered snapshot
per user in the shared cache (Redis; process memory on the embedded default) and serves it again
while nothing it shows can have changed, which costs one query (the sync counter) instead of six;
a cache that fails is left alone for CACHE_RETRY_SECONDS and the widget computed meanwhile:

- every record the widget shows is one the user's phone syncs (rituals, both partners' completions,
  prompt answers, shared check-ins, notifications and their read marks), and every change of one
  bumps the user's sync counter (`sync.changes`, the invariant the offline client relies on). The
  counter is read before the snapshot is computed, as a pull reads it, so a change committing
  meanwhile moves it past the stored value;
- what is not synced is in the key: the couple (id, zone, `together_since`) and the user's zone, all
  loaded with the session;
- time: a snapshot is kept until the next instant that changes it by itself (the picked ritual's start,
  the end of the user's day and of the couple's day), and never before the moment it was built.
"""

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar
from uuid import UUID

from django.core.cache import cache
from django.db.models import Count
from django.utils import timezone

from accounts.models import User
from config.api.sql import CompiledQuery
from couples.scoping import require_active_couple
from insights.selectors import days_together, partner_id_of
from notifications.selectors import unread_of
from rituals import recurrence
from rituals.models import CheckIn, PromptAnswer
from rituals.selectors.rituals import rituals_today
from rituals.visibility import check_ins_readable_by_ids
from sync.changes import current_version


@dataclass(frozen=True)
class WidgetRitual:
    ritual_id: UUID
    title: str
    occurrence_at: datetime
    local_start: str
    me_done: bool
    partner_done: bool


@dataclass(frozen=True)
class WidgetCheckIn:
    id: UUID
    mood: int
    connection: int
    local_date: date
    created_at: datetime


@dataclass(frozen=True)
class WidgetView:
    today: date
    days_together: int | None
    next_ritual: WidgetRitual | None
    daily_question: str  # your_turn, waiting_for_partner, revealed
    partner_check_in: WidgetCheckIn | None
    unread_notifications: int
    # Not shown: the first instant at which the same data gives another snapshot (see the docstring).
    changes_by_itself_at: datetime

    def etag_parts(self) -> list[Any]:
        check_in = self.partner_check_in
        return [
            self.today,
            self.days_together,
            self.next_ritual
            and [
                self.next_ritual.ritual_id,
                self.next_ritual.occurrence_at,
                self.next_ritual.me_done,
                self.next_ritual.partner_done,
                self.next_ritual.title,
            ],
            self.daily_question,
            check_in and [check_in.id, check_in.mood, check_in.connection],
            self.unread_notifications,
        ]


def widget_view(*, user: User, now: datetime | None = None) -> WidgetView:
    """Days together (couple's zone), today's next ritual in the requester's day with both partners'
    state, the daily question's state, the partner's latest shared check-in and the unread count."""
    now = now or timezone.now()
    couple = require_active_couple(user)
    couple_today = recurrence.local_date(now, couple.time_zone)
    entries = rituals_today(user=user, now=now).results
    upcoming = [e for e in entries if not (e.occurrence.me.completed and e.occurrence.partner.completed)]
    pick = next((e for e in upcoming if e.occurrence.occurrence_at >= now), upcoming[0] if upcoming else None)
    next_ritual = (
        WidgetRitual(
            ritual_id=pick.ritual.ritual.id,
            title=pick.ritual.ritual.title,
            occurrence_at=pick.occurrence.occurrence_at,
            local_start=pick.occurrence.local_start,
            me_done=pick.occurrence.me.completed,
            partner_done=pick.occurrence.partner.completed,
        )
        if pick
        else None
    )
    answered = {user_id for (user_id,) in _ANSWERED.rows(couple.pk, couple_today)}
    if user.pk not in answered:
        question = "your_turn"
    elif len(answered) < 2:
        question = "waiting_for_partner"
    else:
        question = "revealed"
    partner_id = partner_id_of(user)
    latest = _PARTNER_CHECK_IN.rows(user.pk, couple.pk, partner_id) if partner_id else []
    partner_check_in = WidgetCheckIn(*latest[0]) if latest else None
    unread = next(iter(_UNREAD.rows(user.pk)), (0,))[0]
    starts = [e.occurrence.occurrence_at for e in upcoming if e.occurrence.occurrence_at >= now]
    day_ends = [
        recurrence.local_day_bounds(couple_today, couple.time_zone)[1],
        recurrence.local_day_bounds(recurrence.local_date(now, user.time_zone), user.time_zone)[1],
    ]
    return WidgetView(
        changes_by_itself_at=min(starts[:1] + day_ends),
        today=couple_today,
        days_together=days_together(couple, couple_today),
        next_ritual=next_ritual,
        daily_question=question,
        partner_check_in=partner_check_in,
        unread_notifications=unread,
    )


T = TypeVar("T")
# A kept snapshot leaves the cache when it could no longer be served (its next ritual start or day
# end), and at the latest after this long: the partner's shared check-in and the ritual titles it
# holds are not kept longer than they are useful.
SNAPSHOT_SECONDS = 24 * 3600
# After the cache failed (Redis stopped or hanging), it is left alone this long: the widget is then
# computed on every poll, as it is without the cache.
CACHE_RETRY_SECONDS = 30
_cache_down_until = 0.0

logger = logging.getLogger(__name__)


def _key(user: User) -> str:
    return f"widget:{user.pk}"


def widget_snapshot(*, user: User, render: Callable[[WidgetView], T], now: datetime | None = None) -> T:
    """`render(widget_view(user))`, kept per user in the shared cache while nothing it shows can have
    changed (see the module docstring); 404 `not_paired` as the view when the user has no couple."""
    now = now or timezone.now()
    couple = require_active_couple(user)
    key = (current_version(user.pk), couple.pk, couple.time_zone, couple.together_since, user.time_zone)
    held = _cache_call(lambda: cache.get(_key(user)))
    if held is not None and held[0] == key and held[1] <= now < held[2]:
        return held[3]
    view = widget_view(user=user, now=now)
    rendered = render(view)
    seconds = min(SNAPSHOT_SECONDS, max(1, int((view.changes_by_itself_at - now).total_seconds()) + 1))
    _cache_call(lambda: cache.set(_key(user), (key, now, view.changes_by_itself_at, rendered), seconds))
    return rendered


def widget_snapshot_forget(user: User) -> None:
    """Drops the user's kept snapshot (their account is being deleted)."""
    _cache_call(lambda: cache.delete(_key(user)))


def _cache_call(call: Callable[[], Any]) -> Any:
    """The cache's answer, or None while it fails: a snapshot is an optimisation, never a dependency."""
    global _cache_down_until
    if time.monotonic() < _cache_down_until:
        return None
    try:
        return call()
    except Exception as exc:
        _cache_down_until = time.monotonic() + CACHE_RETRY_SECONDS
        logger.warning("widget snapshot cache unavailable, computing", extra={"error": type(exc).__name__})
        return None


# The widget is polled: its reads are compiled once (config.api.sql.CompiledQuery), each defined here
# by its queryset, with the rule it takes from the one place that states it.
_ANSWERED = CompiledQuery(
    lambda couple_id, day: PromptAnswer.objects.filter(couple_id=couple_id, daily_prompt__day=day).values_list(
        "user_id"
    )
)
_PARTNER_CHECK_IN = CompiledQuery(
    lambda user_id, couple_id, partner_id: (
        CheckIn.objects.filter(check_ins_readable_by_ids(user_id, couple_id), user_id=partner_id)
        .order_by("-created_at")
        .values_list("id", "mood", "connection", "local_date", "created_at")[:1]
    )
)
_UNREAD = CompiledQuery(
    lambda user_id: unread_of(user_id).values("recipient_id").annotate(count=Count("id")).values_list("count")
)
