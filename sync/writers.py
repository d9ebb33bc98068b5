"""What a phone may change in each synced table, and how each change is applied.

Each table's `Writer` names the columns a phone may change (with how to compare a pushed value to
the server's, so a value the server normalised is not a change) and the handlers that apply a
create, an update or a delete. Every handler validates with the REST endpoint's own input
serializer and calls the same service function as the REST endpoint, so rules, permissions,
idempotency on client ids, notifications and reminders are the REST ones. `sync.push` decides
which handler a record gets; a handler raises the service's error when the record can't be applied.
"""

import json
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from rest_framework import serializers

from accounts.models import User
from config.api.errors import NotFoundError
from couples.scoping import require_active_couple
from notifications.services import notification_mark_read
from rituals import recurrence
from rituals.api import checkins_serializers as cs
from rituals.api import goals_serializers as gs
from rituals.api import nudges_serializers as ns
from rituals.api import prompts_serializers as ps
from rituals.api import rituals_serializers as rs
from rituals.models import DailyPrompt, Goal, Ritual
from rituals.services import checkins, goals, nudges, prompts, rituals

Raw = Mapping[str, Any]
Canon = Callable[[Any], Any]


# Comparing a pushed value with the server's ---------------------------------------------------------


def _text(value: Any) -> Any:
    # The REST serializers trim surrounding whitespace before saving.
    return value.strip() if isinstance(value, str) else value


def _time(value: Any) -> Any:
    """ "07:00" and "07:00:00" are one wall-clock time."""
    if isinstance(value, str):
        try:
            return time.fromisoformat(value).isoformat()
        except ValueError:
            return value
    return value


def _rrule(value: Any) -> Any:
    """`BYDAY=MO;FREQ=WEEKLY` is `FREQ=WEEKLY;BYDAY=MO`: both as the server writes it."""
    try:
        return recurrence.parse_rrule(value)["text"]
    except (ValidationError, TypeError, ValueError, AttributeError):
        return value


def _id_set(value: Any) -> Any:
    """A JSON list of ids, in any order and spacing, as a set."""
    if isinstance(value, str):
        try:
            value = json.loads(value) if value else []
        except ValueError:
            return value
    if isinstance(value, list):
        return frozenset(str(item).lower() for item in value)
    return value


def _uuid_text(value: Any) -> Any:
    return str(value).lower() if value is not None else None


def _is_set(value: Any) -> bool:
    """For instants the server stamps itself (seen, read): only whether it is set is the phone's."""
    return bool(value)


def _same(value: Any) -> Any:
    return value


# Values as the REST serializers take them ------------------------------------------------------------


def _iso_instant(value: Any) -> Any:
    """WatermelonDB stores instants as epoch milliseconds; the REST serializers take ISO 8601."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value / 1000, tz=UTC).isoformat()
        except (OverflowError, OSError, ValueError):
            return value  # the serializer reports it
    return value


def _json_list(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value) if value else []
        except ValueError:
            return value  # the serializer reports it
    return value


def _valid(serializer_class: type[serializers.Serializer], data: Mapping[str, Any], partial: bool = False) -> dict:
    """The REST endpoint's own input serializer validates the record (one set of rules)."""
    serializer = serializer_class(data=dict(data), partial=partial)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _valid_many(serializer_class: type[serializers.Serializer], records: Sequence[Mapping[str, Any]]) -> list[dict]:
    """`_valid` for the records of one create batch, through one serializer (`many=True`: its fields
    are built once, not once per record). Any invalid record fails the batch, which the push then
    runs record by record (`_valid`), to reject only that one."""
    if len(records) == 1:  # the careful run: errors shaped as the record's own
        return [_valid(serializer_class, records[0])]
    serializer = serializer_class(data=[dict(data) for data in records], many=True)
    serializer.is_valid(raise_exception=True)
    return [dict(entry) for entry in serializer.validated_data]


def _pick(raw: Raw, names: Any) -> dict[str, Any]:
    return {name: raw[name] for name in names if name in raw}


# Parents looked up during one push transaction (`parents_remembered`): hundreds of completions
# name the same few rituals.
_parents: ContextVar[dict[tuple[Any, uuid.UUID], Any] | None] = ContextVar("sync_parents", default=None)


@contextmanager
def parents_remembered() -> Iterator[None]:
    token = _parents.set({})
    try:
        yield
    finally:
        _parents.reset(token)


def _owned(model: Any, user: User, record_id: Any) -> Any:
    """A record of the user's active couple, or a 404 that says nothing more (couples.scoping)."""
    try:
        key = uuid.UUID(str(record_id))
    except ValueError:
        raise NotFoundError() from None
    remembered = _parents.get()
    record = remembered.get((model, key)) if remembered is not None else None
    if record is None:
        record = model.objects.visible_to(user).filter(id=key).first()
        if record is None:
            raise NotFoundError()
        if remembered is not None:
            remembered[(model, key)] = record
    return record


# Handlers ---------------------------------------------------------------------------------------------


_RITUAL_COLUMNS: dict[str, Canon] = {
    "title": _text,
    "description": _text,
    "category": _same,
    "rrule": _rrule,
    "start_date": _same,
    "local_time": _time,
    "time_zone": _same,
    "duration_minutes": _same,
    "reminder_offset_minutes": _same,
    "is_joint": _same,
    "requires_both_confirmation": _same,
    "status": _same,
    "grace_days": _same,
}


def _create_ritual(user: User, raw: Raw) -> None:
    data = _pick(raw, ["id", "template_id", *_RITUAL_COLUMNS])
    if data.get("template_id") is None:
        data.pop("template_id", None)  # a ritual of the couple's own (documented as nullable)
    status = data.pop("status", None)
    values = _valid(rs.RitualCreateInputSerializer, data)
    if status is not None:
        # Created offline as paused: the create keeps it (the update serializer knows the statuses).
        values |= _valid(rs.RitualUpdateInputSerializer, {"status": status}, partial=True)
    rituals.ritual_create(couple=require_active_couple(user), by=user, data=values)


def _update_ritual(user: User, record: Ritual, raw: Raw, changed: set[str]) -> None:
    data = _valid(rs.RitualUpdateInputSerializer, _pick(raw, changed), partial=True)
    rituals.ritual_update(user=user, ritual_id=record.pk, data=data)


def _delete_ritual(user: User, record: Ritual) -> None:
    rituals.ritual_delete(ritual=record)


def _create_completions(user: User, raws: list[Raw]) -> None:
    by_ritual: dict[Any, list[dict[str, Any]]] = {}
    data = [
        _pick(raw, ["id", "note", "connection_rating"]) | {"occurrence_at": _iso_instant(raw.get("occurrence_at"))}
        for raw in raws
    ]
    for raw, entry in zip(raws, _valid_many(rs.RitualCompletionCreateInputSerializer, data), strict=True):
        by_ritual.setdefault(str(raw.get("ritual_id")), []).append(entry)
    for ritual_id, entries in by_ritual.items():
        rituals.completions_record(user=user, ritual_id=ritual_id, entries=entries)


def _create_completion(user: User, raw: Raw) -> None:
    _create_completions(user, [raw])


_GOAL_CONTENT = ("title", "description", "target_date", "ritual_ids")
# A status the phone sets is the transition that leads to it; who may take it is the REST rule.
_GOAL_ACTIONS = {
    Goal.Status.ACCEPTED: "accept",
    Goal.Status.DECLINED: "decline",
    Goal.Status.WITHDRAWN: "withdraw",
    Goal.Status.COMPLETED: "complete",
    Goal.Status.ABANDONED: "abandon",
}


def _goal_input(raw: Raw, names: Any) -> dict[str, Any]:
    data = _pick(raw, names)
    if "ritual_ids" in data:
        data["ritual_ids"] = _json_list(data["ritual_ids"])
    return data


def _create_goal(user: User, raw: Raw) -> None:
    data = _valid(gs.GoalCreateInputSerializer, _goal_input(raw, ["id", *_GOAL_CONTENT]))
    goal, _ = goals.goal_propose(couple=require_active_couple(user), by=user, **data)
    # Proposed and acted on before the first push (e.g. withdrawn at once): the same transitions follow.
    if raw.get("status") not in (None, Goal.Status.PROPOSED):
        _update_goal(user, goal, raw, {"status"})


def _update_goal(user: User, record: Goal, raw: Raw, changed: set[str]) -> None:
    edits = _valid(gs.GoalUpdateInputSerializer, _goal_input(raw, changed & set(_GOAL_CONTENT)), partial=True)
    action = None
    if "status" in changed:
        action = _GOAL_ACTIONS.get(raw["status"])
        if action is None:
            raise serializers.ValidationError({"status": [gettext("Not a status a goal can move to.")]})
    # A partner may edit an accepted goal only: accepting comes first; any other step ends the
    # editing (declined, withdrawn, completed and abandoned goals are history), so edits come first.
    if action == "accept":
        goals.goal_transition(user=user, goal_id=record.id, action=action)
        action = None
    if edits:
        goals.goal_update(user=user, goal_id=record.id, data=edits)
    if action is not None:
        goals.goal_transition(user=user, goal_id=record.id, action=action)


_CHECK_IN_FIELDS = ["id", "mood", "connection", "note", "is_shared"]


def _create_check_ins(user: User, raws: list[Raw]) -> None:
    # create_many: the chunk found none of these ids (sync.push._load) and reruns on any failure.
    entries = _valid_many(cs.CheckInCreateInputSerializer, [_pick(raw, _CHECK_IN_FIELDS) for raw in raws])
    checkins.checkins_create(user=user, entries=entries, ids_absent=True)


def _create_check_in(user: User, raw: Raw) -> None:
    checkins.checkins_create(user=user, entries=[_valid(cs.CheckInCreateInputSerializer, _pick(raw, _CHECK_IN_FIELDS))])


def _create_nudge(user: User, raw: Raw) -> None:
    nudges.nudge_send(sender=user, **_valid(ns.NudgeSendInputSerializer, _pick(raw, ["id", "kind", "message"])))


def _update_nudge(user: User, record: Any, raw: Raw, changed: set[str]) -> None:
    if changed & {"response", "response_text"} and raw.get("response"):
        answer = {"response": raw["response"], "text": raw.get("response_text", "")}
        data = _valid(ns.NudgeRespondInputSerializer, answer)
        nudges.nudge_respond(nudge=record, user=user, **data)
    elif "seen_at" in changed and raw.get("seen_at"):
        nudges.nudge_mark_seen(nudge=record, user=user)
    else:
        raise serializers.ValidationError({"response": [gettext("A nudge can be answered or seen, nothing else.")]})


def _save_answer(user: User, raw: Raw) -> None:
    daily = _owned(DailyPrompt, user, raw.get("daily_prompt_id"))
    data = _valid(ps.PromptAnswerInputSerializer, {"text": raw.get("text", "")})
    prompts.prompt_answer(daily_prompt=daily, user=user, text=data["text"], id=uuid.UUID(str(raw["id"])))


def _update_answer(user: User, record: Any, raw: Raw, changed: set[str]) -> None:
    _save_answer(user, {**raw, "daily_prompt_id": record.daily_prompt_id})


def _update_notification(user: User, record: Any, raw: Raw, changed: set[str]) -> None:
    if raw.get("read_at"):
        notification_mark_read(notification=record)
    else:
        raise serializers.ValidationError({"read_at": [gettext("A notification read stays read.")]})


@dataclass(frozen=True)
class Writer:
    # The columns a phone may change, each with how to compare a pushed value with the server's.
    # Every other column is the server's: a pushed value for it is not a change.
    columns: Mapping[str, Canon]
    create: Callable[[User, Raw], None] | None = None
    update: Callable[[User, Any, Raw, set[str]], None] | None = None
    delete: Callable[[User, Any], None] | None = None
    # Several creates in one call (one lookup, one INSERT): what a big push uses while no record fails.
    create_many: Callable[[User, list[Raw]], None] | None = None

    def changed(self, pushed: Raw, current: Raw) -> set[str]:
        """The columns whose pushed value differs from the server's (a replay differs in none)."""
        return {
            name
            for name, canon in self.columns.items()
            if name in pushed and canon(pushed[name]) != canon(current.get(name))
        }


# In the order a push applies them: parents (rituals, daily prompts) before what refers to them.
WRITERS: dict[str, Writer] = {
    "rituals": Writer(_RITUAL_COLUMNS, _create_ritual, _update_ritual, _delete_ritual),
    "ritual_completions": Writer(
        {"ritual_id": _uuid_text, "occurrence_at": _same, "note": _text, "connection_rating": _same},
        _create_completion,
        create_many=_create_completions,
    ),
    "goals": Writer(
        {"title": _text, "description": _text, "target_date": _same, "ritual_ids": _id_set, "status": _same},
        _create_goal,
        _update_goal,
    ),
    "check_ins": Writer(
        {"mood": _same, "connection": _same, "note": _text, "is_shared": _same},
        _create_check_in,
        create_many=_create_check_ins,
    ),
    "nudges": Writer(
        {"kind": _same, "message": _text, "response": _same, "response_text": _text, "seen_at": _is_set},
        _create_nudge,
        _update_nudge,
    ),
    "daily_prompts": Writer({}),
    "prompt_answers": Writer({"daily_prompt_id": _uuid_text, "text": _text}, _save_answer, _update_answer),
    "notifications": Writer({"read_at": _is_set}, None, _update_notification),
    "partner_profiles": Writer({}),
    # Read-only on phones: written by the server's weekly finalise and by POST reports/weekly/{id}/reflection.
    "weekly_reports": Writer({}),
    "weekly_reflections": Writer({}),
}
