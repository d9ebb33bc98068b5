"""The nudges section of the personal-data export: every nudge the user sent or received.

A received nudge (its kind, its message, who sent it) was addressed to the user, so it is part of
their data; so is the partner's response to a nudge the user sent.
"""

from collections.abc import Iterable
from typing import Any

from django.db.models import Q

from accounts import export
from accounts.models import User
from rituals.models import Nudge


def _iso(value: Any) -> str | None:
    return value.isoformat() if value else None


def _nudges(user: User) -> Iterable[dict[str, Any]]:
    for nudge in Nudge.objects.filter(Q(sender=user) | Q(recipient=user)).order_by("created_at"):
        yield {
            "id": str(nudge.id),
            "couple_id": str(nudge.couple_id),
            "direction": "sent" if nudge.sender_id == user.pk else "received",
            "kind": nudge.kind,
            "message": nudge.message,
            "created_at": nudge.created_at.isoformat(),
            "delivered_at": _iso(nudge.delivered_at),
            "seen_at": _iso(nudge.seen_at),
            "response": nudge.response,
            "response_text": nudge.response_text,
            "responded_at": _iso(nudge.responded_at),
        }


def register() -> None:
    export.register_section("nudges", Nudge, _nudges)
