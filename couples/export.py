"""The couples sections of the personal-data export."""

from collections.abc import Iterable
from typing import Any

from accounts import export
from accounts.models import User
from couples import codes
from couples.models import Invite, Membership


def _memberships(user: User) -> Iterable[dict[str, Any]]:
    for m in Membership.objects.filter(user=user).select_related("couple").order_by("joined_at"):
        yield {
            "couple_id": str(m.couple_id),
            "couple_status": m.couple.status,
            "together_since": m.couple.together_since.isoformat() if m.couple.together_since else None,
            "joined_at": m.joined_at.isoformat(),
            "left_at": m.left_at.isoformat() if m.left_at else None,
        }


def _invites(user: User) -> Iterable[dict[str, Any]]:
    for invite in Invite.objects.filter(inviter=user).order_by("created_at"):
        yield {
            "id": str(invite.id),
            "code": codes.display(invite.code),
            "status": invite.status,
            "created_at": invite.created_at.isoformat(),
            "expires_at": invite.expires_at.isoformat(),
        }


def register() -> None:
    export.register_section("couple_memberships", Membership, _memberships)
    export.register_section("invites_sent", Invite, _invites)
