"""The check-ins section of the personal-data export: the user's own check-ins, notes included.

Only rows the user wrote: a partner's check-ins, shared or not, are the partner's data.
"""

from collections.abc import Iterable
from typing import Any

from accounts import export
from accounts.models import User
from rituals.models import CheckIn


def _check_ins(user: User) -> Iterable[dict[str, Any]]:
    for check_in in CheckIn.objects.filter(user=user).order_by("created_at"):
        yield {
            "id": str(check_in.id),
            "mood": check_in.mood,
            "connection": check_in.connection,
            "note": check_in.note,
            "is_shared": check_in.is_shared,
            "couple_id": str(check_in.couple_id) if check_in.couple_id else None,
            "local_date": check_in.local_date.isoformat(),
            "created_at": check_in.created_at.isoformat(),
        }


def register() -> None:
    export.register_section("check_ins", CheckIn, _check_ins)
