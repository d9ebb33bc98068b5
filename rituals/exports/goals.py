"""The goals section of the personal-data export: the goals the user proposed.

A goal belongs to the couple (docs/privacy.md): it is archived with the couple and outlives its
proposer's account, which only detaches it (`proposed_by` becomes NULL). The partner's goals are
the partner's to export.
"""

from collections.abc import Iterable
from typing import Any

from accounts import export
from accounts.models import User
from rituals.models import Goal

EXPORTED_FIELDS = ("id", "couple_id", "title", "description", "status", "target_date", "created_at", "updated_at")


def _goals(user: User) -> Iterable[dict[str, Any]]:
    # One query (the accounts export pins one per section): a LEFT JOIN to the linked rituals gives
    # a row per (goal, ritual), folded here into one entry per goal.
    rows = Goal.objects.filter(proposed_by=user).order_by("created_at", "id").values(*EXPORTED_FIELDS, "rituals")
    goals: dict[Any, dict[str, Any]] = {}
    for row in rows:
        ritual_id = row.pop("rituals")
        goal = goals.setdefault(row["id"], {**row, "ritual_ids": []})
        if ritual_id is not None:
            goal["ritual_ids"].append(str(ritual_id))
    for goal in goals.values():
        yield {
            **goal,
            "id": str(goal["id"]),
            "couple_id": str(goal["couple_id"]),
            "target_date": goal["target_date"].isoformat() if goal["target_date"] else None,
            "ritual_ids": sorted(goal["ritual_ids"]),
            "created_at": goal["created_at"].isoformat(),
            "updated_at": goal["updated_at"].isoformat(),
        }


def register() -> None:
    export.register_section("goals_proposed", Goal, _goals)
    export.register_detached_on_deletion(
        "rituals.goal.proposed_by",
        "a shared goal belongs to the couple and is archived with it; the proposer's deletion only detaches it",
    )
