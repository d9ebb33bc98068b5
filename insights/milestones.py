"""Milestone pushes: each partner hears of a milestone on the morning of its day in their own zone.

One periodic task walks the active couples in chunks (a fixed number of queries per chunk) and
notifies the partners whose local day holds a milestone and whose morning (MILESTONE_PUSH_HOUR) has
come. The dedupe key is per couple, milestone, day and partner, so a tick that runs twice, or the
next tick of the same morning, sends nothing new; keys already recorded are skipped before writing,
so later ticks cost no write at all. Quiet hours hold the push (the notification pipeline), and
muting the `milestone` kind or turning push off silences it.
"""

from collections import defaultdict
from datetime import datetime
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from accounts.models import User
from config.i18n import language_for
from couples.models import Couple, Membership
from insights.models import SpecialDate
from insights.selectors import Milestone, milestones_between
from messaging.catalog import notification_key
from notifications.models import Notification
from notifications.services import notify_many
from rituals import recurrence

CHUNK = 1000


def milestone_dedupe_key(*, couple_id: UUID, milestone: Milestone, user_id: UUID) -> str:
    what = milestone.special_date_id or milestone.kind
    return f"milestone:{couple_id}:{what}:{milestone.date.isoformat()}:{user_id}"


def milestone_message(milestone: Milestone) -> str:
    """The message (messaging.catalog) of a milestone's push: a special date reads differently."""
    return notification_key(Notification.Kind.MILESTONE, "special_date" if milestone.kind == "special_date" else "")


def milestone_pushes_send(*, now: datetime | None = None, chunk: int = CHUNK) -> int:
    """Notifies every partner whose milestone morning has come; returns how many were written."""
    now = now or timezone.now()
    sent, after = 0, None
    while True:
        couples = Couple.objects.filter(status=Couple.Status.ACTIVE).order_by("id")
        if after is not None:
            couples = couples.filter(id__gt=after)
        batch: list[Any] = list(couples.values("id", "together_since")[:chunk])
        if not batch:
            return sent
        sent += _chunk(batch, now)
        after = batch[-1]["id"]


@transaction.atomic
def _chunk(couples: list[dict[str, Any]], now: datetime) -> int:
    ids = [c["id"] for c in couples]
    members: dict[UUID, list[User]] = defaultdict(list)
    for membership in Membership.objects.filter(couple_id__in=ids, is_active=True).select_related("user"):
        members[membership.couple_id].append(membership.user)
    specials: dict[UUID, list[SpecialDate]] = defaultdict(list)
    for special in SpecialDate.objects.filter(couple_id__in=ids):
        specials[special.couple_id].append(special)
    candidates: list[dict[str, Any]] = []
    for couple in couples:
        if couple["together_since"] is None and not specials[couple["id"]]:
            continue
        for user in members[couple["id"]]:
            local = now.astimezone(recurrence.zone(user.time_zone))
            if local.hour < settings.MILESTONE_PUSH_HOUR:
                continue
            today = local.date()
            with translation.override(language_for(user.locale)):  # "100 days together" in their language
                found = milestones_between(
                    together_since=couple["together_since"], specials=specials[couple["id"]], start=today, end=today
                )
            for milestone in found:
                candidates.append(
                    {
                        "recipient": user,
                        "kind": Notification.Kind.MILESTONE,
                        "message": milestone_message(milestone),
                        "params": {"milestone_title": str(milestone.title)},
                        "data": {"screen": "milestones", "date": today.isoformat(), "kind": milestone.kind},
                        "dedupe_key": milestone_dedupe_key(
                            couple_id=couple["id"], milestone=milestone, user_id=user.pk
                        ),
                    }
                )
    if not candidates:
        return 0
    known = set(
        Notification.objects.filter(dedupe_key__in=[c["dedupe_key"] for c in candidates]).values_list(
            "dedupe_key", flat=True
        )
    )
    new = [c for c in candidates if c["dedupe_key"] not in known]
    if new:
        notify_many(new)
    return len(new)
