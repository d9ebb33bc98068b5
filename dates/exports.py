"""The dates sections of the personal-data export, and what a deletion detaches.

A date plan belongs to the couple (docs/privacy.md) like a goal: the proposer's deletion only
detaches it. Votes and memories are their author's: exported in full and deleted with the account.
"""

from collections.abc import Iterable
from typing import Any

from accounts import export
from accounts.models import User
from dates.models import CalendarFeed, DateIdeaVote, DateMemory, DatePlan


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _votes(user: User) -> Iterable[dict[str, Any]]:
    for row in (
        DateIdeaVote.objects.filter(user=user).order_by("updated_at", "id").values("idea_id", "vote", "updated_at")
    ):
        yield {"idea_id": str(row["idea_id"]), "vote": row["vote"], "updated_at": _iso(row["updated_at"])}


def _memories(user: User) -> Iterable[dict[str, Any]]:
    rows = DateMemory.objects.filter(author=user).order_by("created_at", "id")
    for m in rows.values("id", "plan_id", "rating", "note", "photo", "created_at", "updated_at"):
        yield {
            "id": str(m["id"]),
            "date_id": str(m["plan_id"]),
            "rating": m["rating"],
            "note": m["note"],
            "has_photo": bool(m["photo"]),
            "created_at": _iso(m["created_at"]),
            "updated_at": _iso(m["updated_at"]),
        }


def _plans(user: User) -> Iterable[dict[str, Any]]:
    fields = ("id", "couple_id", "title", "status", "place", "local_date", "local_time", "time_zone")
    for p in DatePlan.objects.filter(proposed_by=user).order_by("created_at", "id").values(*fields, "duration_minutes"):
        yield {
            **p,
            "id": str(p["id"]),
            "couple_id": str(p["couple_id"]),
            "local_date": _iso(p["local_date"]),
            "local_time": _iso(p["local_time"]),
        }


def _calendar_feed(user: User) -> Iterable[dict[str, Any]]:
    for feed in CalendarFeed.objects.filter(user=user).values("discreet", "created_at"):
        # The token itself was shown once and is not stored: only that a feed exists.
        yield {"discreet": feed["discreet"], "created_at": _iso(feed["created_at"])}


def register() -> None:
    export.register_section("date_idea_votes", DateIdeaVote, _votes)
    export.register_section("date_memories", DateMemory, _memories)
    export.register_section("dates_proposed", DatePlan, _plans)
    export.register_section("calendar_feed", CalendarFeed, _calendar_feed)
    reason = "a date belongs to the couple and is archived with it; the user's deletion only detaches it"
    for field in ("proposed_by", "offered_by"):
        export.register_detached_on_deletion(f"dates.dateplan.{field}", reason)
    export.register_detached_on_deletion("dates.dateoffer.by", reason)
    export.register_not_exported(
        "dates.dateoffer", "an offer is part of the couple's shared date; the plans the user proposed are exported"
    )
