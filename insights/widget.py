"""`GET widget`: the small home-screen snapshot, cheap enough to poll (a fixed number of queries)."""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

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
    return WidgetView(
        today=couple_today,
        days_together=days_together(couple, couple_today),
        next_ritual=next_ritual,
        daily_question=question,
        partner_check_in=partner_check_in,
        unread_notifications=unread,
    )


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
