"""Reads on nudges: the couple's feed of bids for connection, as seen by one partner."""

from django.db.models import QuerySet

from accounts.models import User
from couples.scoping import get_couple_owned_or_404, require_active_couple
from rituals.models import Nudge


def nudges_of_couple(*, user: User) -> QuerySet[Nudge]:
    """Every nudge of the user's active couple, sent and received; 404 `not_paired` when unpaired.

    No joins: the feed shows direction and state, both computed from the row and the requester.
    """
    require_active_couple(user)
    return Nudge.objects.visible_to(user)


def nudge_of_couple(*, user: User, nudge_id: object) -> Nudge:
    """One nudge of the user's active couple; 404 for anything else, whoever it belongs to."""
    require_active_couple(user)
    return get_couple_owned_or_404(Nudge.objects.all(), user, id=nudge_id)


def nudge_direction(nudge: Nudge, user: User) -> str:
    return "sent" if nudge.sender_id == user.pk else "received"


def nudge_state(nudge: Nudge) -> str:
    """How far the partner has turned toward it: delivered → seen → responded."""
    if nudge.responded_at is not None:
        return "responded"
    if nudge.seen_at is not None:
        return "seen"
    if nudge.delivered_at is not None:
        return "delivered"
    return "sent"
