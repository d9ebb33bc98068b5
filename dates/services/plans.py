"""Writes on date plans: proposing, countering, and the one state machine of their transitions.

    proposed ──accept (whoever's turn it is)──▶ accepted ──cancel (either)──▶ cancelled
      │ ▲ ├──decline (whoever's turn it is)──▶ declined     └──done (either, once it started)──▶ done
      │ └─┘ counter (whoever's turn it is: a new time/place; the turn flips, the offer is kept)
      └──withdraw (the proposer)──▶ withdrawn

"Whoever's turn it is" is the partner who did not make the offer on the table (`offered_by`).
`TRANSITIONS` is that diagram; the services and the API's `allowed_actions` both read it. Every
transition locks the plan row (`SELECT … FOR NO KEY UPDATE`) and re-checks under the lock, so of two
phones acting at once exactly one wins and the other gets a 409 with the current state.
"""

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from rest_framework import status

from accounts.models import User
from config.api.errors import ApplicationError, IdConflictError
from config.db import atomic_retried_on_conflict
from couples.models import Couple
from couples.scoping import locked_or_404
from couples.selectors import partner_of
from dates.models import DateOffer, DatePlan
from dates.selectors import ideas_published
from messaging.catalog import notification_key
from notifications import date_reminders
from notifications.models import Notification
from notifications.services import notify
from rituals import recurrence
from rituals.models import Ritual
from sync.changes import stamped_once

MAX_DURATION_MINUTES = 24 * 60


class Actor(StrEnum):
    PROPOSER = "proposer"
    TURN = "turn"  # the partner who did not make the offer on the table
    EITHER = "either"


@dataclass(frozen=True)
class Transition:
    source: str
    target: str
    actor: Actor
    notification: str | None
    message: str  # the partner's notification (messaging.catalog), "" for none


S = DatePlan.Status
K = Notification.Kind
TRANSITIONS: dict[str, Transition] = {
    "accept": Transition(S.PROPOSED, S.ACCEPTED, Actor.TURN, K.DATE_ACCEPTED, notification_key(K.DATE_ACCEPTED)),
    "decline": Transition(S.PROPOSED, S.DECLINED, Actor.TURN, K.DATE_DECLINED, notification_key(K.DATE_DECLINED)),
    "counter": Transition(S.PROPOSED, S.PROPOSED, Actor.TURN, K.DATE_COUNTERED, notification_key(K.DATE_COUNTERED)),
    "withdraw": Transition(
        S.PROPOSED, S.WITHDRAWN, Actor.PROPOSER, K.DATE_CANCELLED, notification_key(K.DATE_CANCELLED, "withdrawn")
    ),
    "cancel": Transition(S.ACCEPTED, S.CANCELLED, Actor.EITHER, K.DATE_CANCELLED, notification_key(K.DATE_CANCELLED)),
    "done": Transition(S.ACCEPTED, S.DONE, Actor.EITHER, None, ""),
}
EDIT_ACTION = "edit"
MEMORY_ACTION = "memory"
ACTIONS = [*TRANSITIONS, EDIT_ACTION, MEMORY_ACTION]
# Closed plans are history; an open one may be renamed or linked to a ritual by either partner.
EDITABLE = {S.PROPOSED, S.ACCEPTED}


def _actor_matches(actor: Actor, plan: DatePlan, user_id: UUID) -> bool:
    if actor is Actor.EITHER:
        return True
    if actor is Actor.PROPOSER:
        return plan.proposed_by_id == user_id
    return plan.offered_by_id != user_id


def _started(plan: DatePlan, now: datetime) -> bool:
    return plan.starts_at <= now


def memory_allowed(plan: DatePlan, *, now: datetime | None = None) -> bool:
    """A memory is for a date that happened: marked done, or accepted and already started."""
    return plan.status == S.DONE or (plan.status == S.ACCEPTED and _started(plan, now or timezone.now()))


def allowed_actions(*, plan: DatePlan, user: User, now: datetime | None = None) -> list[str]:
    """What `user` may do to `plan` now, read from the same tables the services check."""
    now = now or timezone.now()
    actions = [
        name
        for name, step in TRANSITIONS.items()
        if step.source == plan.status
        and _actor_matches(step.actor, plan, user.pk)
        and (name != "done" or _started(plan, now))
    ]
    if plan.status in EDITABLE:
        actions.append(EDIT_ACTION)
    if memory_allowed(plan, now=now):
        actions.append(MEMORY_ACTION)
    return actions


class PlanStateError(ApplicationError):
    """A 409 (or 412) that carries where the plan is now, so the phone can refresh without asking."""

    status_code: int = status.HTTP_409_CONFLICT

    def __init__(self, *, plan: DatePlan, user: User, message: str | None = None) -> None:
        extra = {
            "current_status": plan.status,
            "version": plan.version,
            "allowed_actions": allowed_actions(plan=plan, user=user),
        }
        super().__init__(message, extra=extra)


class InvalidTransitionError(PlanStateError):
    code = "invalid_transition"
    message = gettext_lazy("The date is no longer in a state that allows this. Reload it.")


class NotYourTurnError(PlanStateError):
    code = "not_your_turn"
    message = gettext_lazy("This step belongs to your partner.")


class NotStartedError(PlanStateError):
    code = "not_started"
    message = gettext_lazy("The date has not started yet.")


class PlanVersionMismatchError(PlanStateError):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    code = "version_mismatch"
    message = gettext_lazy("The date changed since you loaded it (If-Match). Reload it and try again.")


@dataclass(frozen=True)
class Offer:
    """The when and where of an offer, as the phone sends it."""

    local_date: date
    local_time: time
    time_zone: str
    duration_minutes: int = 120
    place: str = ""
    message: str = ""

    def instants(self) -> tuple[datetime, datetime]:
        """Start and end in UTC. A wall time in a DST gap moves forward by the gap, an ambiguous one
        is its first pass (the rituals' rule, rituals.recurrence.localize)."""
        start = recurrence.localize(datetime.combine(self.local_date, self.local_time), recurrence.zone(self.time_zone))
        return start, start + timedelta(minutes=self.duration_minutes)


def _check_offer(offer: Offer, *, now: datetime) -> tuple[datetime, datetime]:
    if not 15 <= offer.duration_minutes <= MAX_DURATION_MINUTES:
        raise ValidationError(
            {"duration_minutes": ValidationError(_("Between 15 minutes and 24 hours."), code="out_of_range")}
        )
    starts_at, ends_at = offer.instants()
    if starts_at <= now:
        raise ValidationError({"local_date": ValidationError(_("Propose a time in the future."), code="in_past")})
    return starts_at, ends_at


def _apply_offer(plan: DatePlan, offer: Offer, *, by: User, now: datetime) -> None:
    plan.starts_at, plan.ends_at = _check_offer(offer, now=now)
    plan.local_date, plan.local_time, plan.time_zone = offer.local_date, offer.local_time, offer.time_zone
    plan.duration_minutes, plan.place, plan.offered_by = offer.duration_minutes, offer.place, by
    DateOffer.objects.create(
        plan=plan,
        by=by,
        place=offer.place,
        local_date=offer.local_date,
        local_time=offer.local_time,
        time_zone=offer.time_zone,
        duration_minutes=offer.duration_minutes,
        message=offer.message,
        created_at=now,
    )


def _check_ritual(*, couple_id: UUID, ritual_id: UUID | None, occurrence_at: datetime | None) -> None:
    """A linked ritual must be a live ritual of the couple, and the occurrence one of its own."""
    if ritual_id is None:
        if occurrence_at is not None:
            raise ValidationError(
                {"ritual_id": ValidationError(_("Name the ritual of this occurrence."), code="required")}
            )
        return
    ritual = Ritual.objects.filter(couple_id=couple_id, deleted_at__isnull=True, pk=ritual_id).first()
    if ritual is None:
        raise ValidationError({"ritual_id": ValidationError(_("This ritual does not exist."), code="unknown_ritual")})
    if occurrence_at is not None and not recurrence.is_occurrence(
        rrule=ritual.rrule,
        start_date=ritual.start_date,
        local_time=ritual.local_time,
        time_zone=ritual.time_zone,
        at=occurrence_at,
    ):
        raise ValidationError(
            {"ritual_occurrence_at": ValidationError(_("Not an occurrence of this ritual."), code="not_an_occurrence")}
        )


def _tell_partner(*, plan: DatePlan, by: User, kind: str, message: str) -> None:
    partner = partner_of(user=by)
    if partner is None:
        return
    notify(
        recipient=partner,
        kind=kind,
        message=message,
        params={"partner_name": by.display_name, "date_title": plan.title},
        data={"screen": "date", "date_id": str(plan.pk)},
        # One notification per plan version: a replayed request never tells the partner twice.
        dedupe_key=f"date:{plan.pk}:v{plan.version}",
    )


def _replayed(plan: DatePlan, *, couple: Couple, by: User) -> DatePlan:
    if plan.couple_id != couple.pk or plan.proposed_by_id != by.pk:
        raise IdConflictError()
    return plan


@atomic_retried_on_conflict  # the same id sent twice at once: the second run finds the first's plan
@stamped_once
def plan_propose(
    *,
    couple: Couple,
    by: User,
    offer: Offer,
    title: str = "",
    idea_id: UUID | None = None,
    ritual_id: UUID | None = None,
    ritual_occurrence_at: datetime | None = None,
    id: UUID | None = None,
) -> tuple[DatePlan, bool]:
    """Proposes a date to the partner: an idea or free text, a place, a local date and time in a
    zone, a duration. Idempotent on a client `id` (a replay returns the first plan, created=False)."""
    if id is not None:
        existing = DatePlan.objects.filter(pk=id).first()
        if existing is not None:
            return _replayed(existing, couple=couple, by=by), False
    # The idea as the proposer reads it: an untitled plan takes the idea's title in their language.
    idea = ideas_published(language=get_language()).filter(pk=idea_id).first() if idea_id else None
    if idea_id and idea is None:
        raise ValidationError({"idea_id": ValidationError(_("This idea does not exist."), code="unknown_idea")})
    title = title or (idea.title_localized if idea else "")  # type: ignore[attr-defined]  # localized()
    if not title:
        raise ValidationError({"title": ValidationError(_("Give the date a title or pick an idea."), code="required")})
    _check_ritual(couple_id=couple.pk, ritual_id=ritual_id, occurrence_at=ritual_occurrence_at)
    now = timezone.now()
    starts_at, ends_at = _check_offer(offer, now=now)
    plan = DatePlan(
        id=id or uuid.uuid4(),
        couple=couple,
        idea=idea,
        title=title,
        proposed_by=by,
        offered_by=by,
        place=offer.place,
        local_date=offer.local_date,
        local_time=offer.local_time,
        time_zone=offer.time_zone,
        duration_minutes=offer.duration_minutes,
        starts_at=starts_at,
        ends_at=ends_at,
        ritual_id=ritual_id,
        ritual_occurrence_at=ritual_occurrence_at,
        created_at=now,
        updated_at=now,
    )
    plan.save(force_insert=True)
    _apply_offer(plan, offer, by=by, now=now)
    _tell_partner(plan=plan, by=by, kind=K.DATE_PROPOSED, message=notification_key(K.DATE_PROPOSED))
    return plan, True


@transaction.atomic
@stamped_once
def plan_transition(
    *, user: User, plan_id: UUID, action: str, expected_version: int | None = None, offer: Offer | None = None
) -> DatePlan:
    """Moves the plan along `TRANSITIONS[action]` (a `counter` with its new `offer`) and tells the partner.

    409 `invalid_transition` when the plan is not in the step's source status, 409 `not_your_turn`
    when the step is the partner's, 409 `not_started` for `done` before the start, 412
    `version_mismatch` when `expected_version` (If-Match) is stale; each carries the current state."""
    step = TRANSITIONS[action]
    plan = locked_or_404(DatePlan, user, plan_id)
    now = timezone.now()
    if plan.status != step.source:
        raise InvalidTransitionError(plan=plan, user=user)
    if not _actor_matches(step.actor, plan, user.pk):
        raise NotYourTurnError(plan=plan, user=user)
    if expected_version is not None and expected_version != plan.version:
        raise PlanVersionMismatchError(plan=plan, user=user)
    if action == "done" and not _started(plan, now):
        raise NotStartedError(plan=plan, user=user)
    if action == "counter":
        if offer is None:
            raise ValidationError({"local_date": ValidationError(_("A counter-offer needs a time."), code="required")})
        _apply_offer(plan, offer, by=user, now=now)
    plan.status = step.target
    plan.version += 1
    plan.updated_at = now
    plan.save()
    # The date's reminders follow it: scheduled on accept, moved with it, gone once it is off.
    date_reminders.date_reminders_reschedule(plan=plan, now=now)
    if step.notification is not None:
        _tell_partner(plan=plan, by=user, kind=step.notification, message=step.message)
    return plan


@transaction.atomic
def plan_update(*, user: User, plan_id: UUID, data: dict[str, Any], expected_version: int | None = None) -> DatePlan:
    """Renames an open plan or links it to a date-night ritual's occurrence (either partner).
    The when and where change only through a counter-offer, which the partner answers."""
    plan = locked_or_404(DatePlan, user, plan_id)
    if plan.status not in EDITABLE:
        raise InvalidTransitionError(
            plan=plan, user=user, message=_("This date is closed and can no longer be edited.")
        )
    if expected_version is not None and expected_version != plan.version:
        raise PlanVersionMismatchError(plan=plan, user=user)
    ritual_id = data.get("ritual_id", plan.ritual_id)
    occurrence_at = data.get("ritual_occurrence_at", plan.ritual_occurrence_at if "ritual_id" not in data else None)
    changed = False
    if "ritual_id" in data or "ritual_occurrence_at" in data:
        _check_ritual(couple_id=plan.couple_id, ritual_id=ritual_id, occurrence_at=occurrence_at)
        if (ritual_id, occurrence_at) != (plan.ritual_id, plan.ritual_occurrence_at):
            plan.ritual_id, plan.ritual_occurrence_at = ritual_id, occurrence_at
            changed = True
    if "title" in data and data["title"] != plan.title:
        plan.title = data["title"]
        changed = True
    if changed:
        plan.version += 1
        plan.updated_at = timezone.now()
        plan.save()
    return plan
