"""Who may see what of a couple's personal records: each rule once, by name.

REST (the selectors), the data export and sync (`sync/tables.py`) call these; none restates them.
The admin shows staff none of these words at all (no note, rating or answer text on any admin page),
which is stricter than every rule here.
"""

from typing import Any

from django.db.models import Q

from accounts.models import User
from couples.scoping import active_couple_id


def completion_details_visible(*, author_id: Any, viewer_id: Any) -> bool:
    """A completion's note and connection rating are its author's own: the partner only sees that
    (and when) the occurrence was completed."""
    return author_id == viewer_id


def check_ins_readable_by(user: User) -> Q:
    """The check-ins `user` may read: all of their own, and the partner's shared ones recorded in the
    couple they are in together now (one of an ended couple, or of none, stays its author's)."""
    return check_ins_readable_by_ids(user.pk, active_couple_id(user))


def check_ins_readable_by_ids(user_id: Any, couple_id: Any | None) -> Q:
    """`check_ins_readable_by` for a user id and their active couple's id (None when unpaired), for
    a query compiled once with ids as its arguments (`insights.widget`)."""
    mine = Q(user_id=user_id)
    if couple_id is None:
        return mine
    # Rows of the active couple are written by its two members only, so "not mine" is the partner.
    return mine | Q(couple_id=couple_id, is_shared=True)


def prompt_answer_revealed(*, author_id: Any, viewer_id: Any, answers_given: int) -> bool:
    """Mutual reveal: an answer to the daily prompt is its author's until both partners answered."""
    return author_id == viewer_id or answers_given >= 2
