"""Reads on couples."""

from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import User
from config.api.sql import CompiledQuery
from couples.models import Couple, Invite, Membership
from couples.scoping import active_membership, cached_active_membership, require_active_couple


@dataclass(frozen=True)
class PartnerView:
    id: str
    display_name: str
    time_zone: str
    local_time: str
    joined_at: datetime


@dataclass(frozen=True)
class CoupleView:
    couple: Couple
    partner: PartnerView
    joined_at: datetime


def couple_view(*, user: User) -> CoupleView:
    """The requester's couple and the partner's public profile, with the partner's local time now.

    One query: the requester's membership and couple are the ones authentication loaded
    (`couples.scoping.active_membership`); only the partner's is read here, as plain values.
    """
    couple = require_active_couple(user)
    mine = active_membership(user)
    assert mine is not None  # noqa: S101 (require_active_couple found it)
    theirs = _partner_row(couple_id=couple.pk, user_id=user.pk)
    zone = theirs["time_zone"]
    return CoupleView(
        couple=couple,
        joined_at=mine.joined_at,
        partner=PartnerView(
            id=str(theirs["user_id"]),
            display_name=theirs["display_name"],
            time_zone=zone,
            local_time=timezone.now().astimezone(ZoneInfo(zone)).isoformat(timespec="seconds"),
            joined_at=theirs["joined_at"],
        ),
    )


# `GET couple` runs on every app start: the query is compiled once (config.api.sql.CompiledQuery).
_PARTNER = CompiledQuery(
    lambda couple_id, user_id: (
        Membership.objects.filter(couple_id=couple_id, is_active=True)
        .exclude(user_id=user_id)
        .values_list("joined_at", "user_id", "user__display_name", "user__time_zone")
    )
)


def _partner_row(*, couple_id: UUID, user_id: UUID) -> dict[str, Any]:
    """The other active member of the couple: their membership's `joined_at` and public profile."""
    rows = _PARTNER.rows(couple_id, user_id)
    if len(rows) != 1:
        raise Membership.DoesNotExist if not rows else Membership.MultipleObjectsReturned
    return dict(zip(("joined_at", "user_id", "display_name", "time_zone"), rows[0], strict=True))


def invites_of(*, user: User) -> QuerySet[Invite]:
    return Invite.objects.filter(inviter=user)


def remember_partner(user: User, *, couple_id: UUID, partner: User | None) -> None:
    """Caches `partner` as the other active member of `couple_id` for `partner_of` (authentication
    loads them with the requester, in the same query)."""
    user._partner_of = (couple_id, partner)  # type: ignore[attr-defined]


# The current request's authenticated user: set by authentication, cleared as each request starts
# and ends (`forget_requester`), so nothing outlives its request.
_requester: ContextVar[User | None] = ContextVar("couples_requester", default=None)


def bind_requester(user: User) -> None:
    _requester.set(user)


def forget_requester(**kwargs: Any) -> None:
    _requester.set(None)


def known_members(couple_id: UUID) -> list[UUID] | None:
    """The active members of this couple if it is the active couple of the request's user, as their
    authentication loaded it (the requester, their membership and couple, the partner: one query);
    None if it did not load this couple. Every write's sync stamp needs them: this saves the query."""
    user = _requester.get()
    if user is None:
        return None
    membership = cached_active_membership(user)
    remembered = getattr(user, "_partner_of", None)
    if membership is None or membership.couple_id != couple_id or remembered is None or remembered[0] != couple_id:
        return None  # not loaded, or forgotten since (pairing, unpairing)
    if not membership.couple.is_active:
        return []
    partner = remembered[1]
    return [user.pk] if partner is None else [user.pk, partner.pk]


def partner_of(*, user: User) -> User | None:
    """The user's current partner, or None when unpaired."""
    from couples.scoping import active_couple_id

    couple_id = active_couple_id(user)
    if couple_id is None:
        return None
    # Remembered on the user object for its couple (a request's user, or a sync push writing
    # hundreds of records that each notify the partner); another couple looks again.
    remembered = getattr(user, "_partner_of", None)
    if remembered is not None and remembered[0] == couple_id:
        return remembered[1]
    membership = (
        Membership.objects.filter(couple_id=couple_id, is_active=True).exclude(user=user).select_related("user").first()
    )
    partner = membership.user if membership else None
    remember_partner(user, couple_id=couple_id, partner=partner)
    return partner
