"""Writes on shared goals: proposing, editing, and the one state machine of their transitions.

    proposed ──accept (the partner who did not propose)──▶ accepted ──complete (either)──▶ completed
       │  ├────decline (the partner who did not propose)──▶ declined      └──abandon (either)──▶ abandoned
       └─────withdraw (the proposer)──────────────────────▶ withdrawn

`TRANSITIONS` below is that diagram; services and the `allowed_actions` of the API both read it.
Every transition locks the goal row (`SELECT … FOR UPDATE`) and re-checks the status under the lock,
so of two simultaneous accepts exactly one succeeds and the other gets a 409 with the current state.
"""

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework import status

from accounts.models import User
from config.api.errors import ApplicationError, IdConflictError
from config.db import atomic_retried_on_conflict
from config.i18n import StrOrPromise
from couples.models import Couple
from couples.scoping import locked_or_404
from couples.selectors import partner_of
from notifications.models import Notification
from notifications.services import notify
from rituals.models import Goal, Ritual
from sync.changes import stamped_once

MAX_LINKED_RITUALS = 20


class Actor(StrEnum):
    """Who may take a step, relative to the goal's proposer."""

    PROPOSER = "proposer"
    NON_PROPOSER = "non_proposer"
    EITHER = "either"


@dataclass(frozen=True)
class Transition:
    source: str
    target: str
    actor: Actor
    notification: str  # the partner's (its copy: messaging/catalog.py)


TRANSITIONS: dict[str, Transition] = {
    "accept": Transition(
        Goal.Status.PROPOSED,
        Goal.Status.ACCEPTED,
        Actor.NON_PROPOSER,
        Notification.Kind.GOAL_ACCEPTED,
    ),
    "decline": Transition(
        Goal.Status.PROPOSED,
        Goal.Status.DECLINED,
        Actor.NON_PROPOSER,
        Notification.Kind.GOAL_DECLINED,
    ),
    "withdraw": Transition(
        Goal.Status.PROPOSED,
        Goal.Status.WITHDRAWN,
        Actor.PROPOSER,
        Notification.Kind.GOAL_WITHDRAWN,
    ),
    "complete": Transition(
        Goal.Status.ACCEPTED,
        Goal.Status.COMPLETED,
        Actor.EITHER,
        Notification.Kind.GOAL_COMPLETED,
    ),
    "abandon": Transition(
        Goal.Status.ACCEPTED,
        Goal.Status.ABANDONED,
        Actor.EITHER,
        Notification.Kind.GOAL_ABANDONED,
    ),
}

# Who may edit the content in each status. A proposal is the proposer's to reword (the partner
# accepts or declines it as written); once accepted the goal is shared, so either may edit it.
# Closed goals (declined, withdrawn, completed, abandoned) are history and stay as they were.
EDITORS: dict[str, Actor] = {Goal.Status.PROPOSED: Actor.PROPOSER, Goal.Status.ACCEPTED: Actor.EITHER}
EDIT_ACTION = "edit"


def _actor_matches(actor: Actor, *, proposed_by_id: UUID | None, user_id: UUID) -> bool:
    if actor is Actor.EITHER:
        return True
    is_proposer = proposed_by_id == user_id
    return is_proposer if actor is Actor.PROPOSER else not is_proposer


def allowed_actions(*, goal: Goal, user: User) -> list[str]:
    """What `user` may do to `goal` now: transitions by name, and "edit"; read from the same tables."""
    actions = [
        name
        for name, step in TRANSITIONS.items()
        if step.source == goal.status
        and _actor_matches(step.actor, proposed_by_id=goal.proposed_by_id, user_id=user.pk)
    ]
    editor = EDITORS.get(goal.status)
    if editor is not None and _actor_matches(editor, proposed_by_id=goal.proposed_by_id, user_id=user.pk):
        actions.append(EDIT_ACTION)
    return actions


class GoalStateError(ApplicationError):
    """A 409 (or 412) that tells the client where the goal is now, so it can refresh without another request."""

    status_code: int = status.HTTP_409_CONFLICT

    def __init__(self, *, goal: Goal, user: User, message: StrOrPromise | None = None) -> None:
        extra: dict[str, Any] = {
            "current_status": goal.status,
            "version": goal.version,
            "allowed_actions": allowed_actions(goal=goal, user=user),
        }
        super().__init__(message, extra=extra)


class InvalidTransitionError(GoalStateError):
    code = "invalid_transition"
    message = _("The goal is no longer in a state that allows this. Reload it.")


class NotYourTurnError(GoalStateError):
    code = "not_your_turn"
    message = _("This step belongs to your partner.")


class GoalNotEditableError(GoalStateError):
    code = "goal_not_editable"
    message = _("This goal is closed and can no longer be edited.")


class GoalVersionMismatchError(GoalStateError):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    code = "version_mismatch"
    message = _("The goal changed since you loaded it (If-Match). Reload it and try again.")


def _check_version(goal: Goal, *, user: User, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != goal.version:
        raise GoalVersionMismatchError(goal=goal, user=user)


def _live_rituals(*, couple_id: UUID, ritual_ids: Iterable[UUID]) -> list[UUID]:
    """The ids, deduplicated, after checking each is a live ritual of the couple (400 otherwise)."""
    wanted = list(dict.fromkeys(ritual_ids))
    if len(wanted) > MAX_LINKED_RITUALS:
        raise ValidationError(
            {
                "ritual_ids": ValidationError(
                    gettext("Link at most %(limit)s rituals.") % {"limit": MAX_LINKED_RITUALS}, code="too_many"
                )
            }
        )
    if not wanted:
        return []
    found = set(
        Ritual.objects.filter(couple_id=couple_id, deleted_at__isnull=True, id__in=wanted).values_list("id", flat=True)
    )
    if len(found) != len(wanted):
        # Same answer for a ritual of another couple as for one that never existed: nothing leaks.
        raise ValidationError(
            {"ritual_ids": ValidationError(_("Some of these rituals do not exist."), code="unknown_ritual")}
        )
    return wanted


def _link_rituals(goal: Goal, ritual_ids: list[UUID], *, replace: bool = True) -> None:
    """Sets the goal's rituals in at most two statements, whatever their number."""
    through = Goal.rituals.through
    if replace:
        through.objects.filter(goal_id=goal.pk).exclude(ritual_id__in=ritual_ids).delete()
    through.objects.bulk_create(
        [through(goal_id=goal.pk, ritual_id=ritual_id) for ritual_id in ritual_ids], ignore_conflicts=True
    )


def _tell_partner(*, goal: Goal, by: User, kind: str) -> None:
    partner = partner_of(user=by)
    if partner is None:
        return
    notify(
        recipient=partner,
        kind=kind,
        params={"partner_name": by.display_name, "goal_title": goal.title},
        data={"screen": "goal", "goal_id": str(goal.pk)},
        # One notification per goal and status: a replayed request never tells the partner twice.
        dedupe_key=f"goal:{goal.pk}:{goal.status}",
    )


def _replayed(goal: Goal, *, couple: Couple, by: User) -> Goal:
    if goal.couple_id != couple.pk or goal.proposed_by_id != by.pk:
        raise IdConflictError()
    return goal


@atomic_retried_on_conflict  # the same id sent twice at once: the second run finds the first's goal
@stamped_once
def goal_propose(
    *,
    couple: Couple,
    by: User,
    title: str,
    description: str = "",
    target_date: date | None = None,
    ritual_ids: Iterable[UUID] = (),
    id: UUID | None = None,
) -> tuple[Goal, bool]:
    """Proposes a goal to the partner. Returns (goal, created).

    With a client-generated `id` the call is idempotent: replaying it returns the goal it created
    (created=False) and changes nothing; an id used by anything else is a 409 `id_conflict`.
    """
    if id is not None:
        existing = Goal.objects.filter(pk=id).first()
        if existing is not None:
            return _replayed(existing, couple=couple, by=by), False
    linked = _live_rituals(couple_id=couple.pk, ritual_ids=ritual_ids)
    now = timezone.now()
    goal = Goal(
        id=id or uuid.uuid4(),
        couple=couple,
        proposed_by=by,
        title=title,
        description=description,
        target_date=target_date,
        created_at=now,
        updated_at=now,
    )
    goal.save(force_insert=True)
    _link_rituals(goal, linked, replace=False)
    _tell_partner(goal=goal, by=by, kind=Notification.Kind.GOAL_PROPOSED)
    return goal, True


@transaction.atomic
def goal_update(*, user: User, goal_id: UUID, data: Mapping[str, Any], expected_version: int | None = None) -> Goal:
    """Edits title, description, target_date and/or ritual_ids (only the keys present in `data`).

    Allowed while proposed (proposer only) or accepted (either partner); bumps `version` when
    something changed.
    """
    goal = locked_or_404(Goal, user, goal_id)
    editor = EDITORS.get(goal.status)
    if editor is None:
        raise GoalNotEditableError(goal=goal, user=user)
    if not _actor_matches(editor, proposed_by_id=goal.proposed_by_id, user_id=user.pk):
        raise NotYourTurnError(goal=goal, user=user, message=_("Only the proposer can edit a goal not yet accepted."))
    _check_version(goal, user=user, expected_version=expected_version)

    changed = False
    for field in ("title", "description", "target_date"):
        if field in data and getattr(goal, field) != data[field]:
            setattr(goal, field, data[field])
            changed = True
    if "ritual_ids" in data:
        linked = _live_rituals(couple_id=goal.couple_id, ritual_ids=data["ritual_ids"])
        current = set(Goal.rituals.through.objects.filter(goal_id=goal.pk).values_list("ritual_id", flat=True))
        if set(linked) != current:
            _link_rituals(goal, linked)
            changed = True
    if changed:
        goal.version += 1
        goal.updated_at = timezone.now()
        goal.save(update_fields=["title", "description", "target_date", "version", "updated_at"])
    return goal


@transaction.atomic
@stamped_once
def goal_transition(*, user: User, goal_id: UUID, action: str, expected_version: int | None = None) -> Goal:
    """Moves the goal along `TRANSITIONS[action]` and tells the partner.

    409 `invalid_transition` when the goal is not in the step's source status (it moved on, e.g. the
    other device accepted first), 409 `not_your_turn` when the step is the partner's, 412
    `version_mismatch` when `expected_version` (If-Match) is stale. Each carries the current state.
    """
    step = TRANSITIONS[action]
    goal = locked_or_404(Goal, user, goal_id)
    if goal.status != step.source:
        raise InvalidTransitionError(goal=goal, user=user)
    if not _actor_matches(step.actor, proposed_by_id=goal.proposed_by_id, user_id=user.pk):
        raise NotYourTurnError(goal=goal, user=user)
    _check_version(goal, user=user, expected_version=expected_version)

    goal.status = step.target
    goal.version += 1
    goal.updated_at = timezone.now()
    goal.save(update_fields=["status", "version", "updated_at"])
    _tell_partner(goal=goal, by=user, kind=step.notification)
    return goal
