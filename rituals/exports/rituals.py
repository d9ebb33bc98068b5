"""The user's ritual completions in the personal-data export (accounts.export)."""

from collections.abc import Iterable
from typing import Any

from accounts.export import register_detached_on_deletion, register_not_exported, register_section
from accounts.models import User
from rituals.models import Completion

SHARED_RITUAL = "shared record of the couple; archived per docs/privacy.md"


def _completions(user: User) -> Iterable[dict[str, Any]]:
    # The user's own rows only (with their notes and ratings); never the partner's.
    rows = Completion.objects.filter(user=user).select_related("ritual").order_by("occurrence_at")
    for completion in rows:
        yield {
            "id": str(completion.id),
            "ritual_id": str(completion.ritual_id),
            "ritual_title": completion.ritual.title,
            "occurrence_at": completion.occurrence_at.isoformat(),
            "note": completion.note,
            "connection_rating": completion.connection_rating,
            "created_at": completion.created_at.isoformat(),
        }


def register() -> None:
    register_section("ritual_completions", Completion, _completions)
    register_not_exported("rituals.ritual", SHARED_RITUAL)
    # Ritual.created_by is SET_NULL: the ritual stays with the (ended) couple when its creator leaves.
    register_detached_on_deletion("rituals.ritual.created_by", SHARED_RITUAL)
