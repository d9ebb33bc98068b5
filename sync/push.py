"""`POST sync/push`: apply a phone's offline changes, all or nothing (WatermelonDB's push contract).

Everything runs in one transaction that first locks the user's sync counter, so no other write to
what this user sees can slip in between the conflict check and the apply. A record changed on the
server after `last_pulled_at` fails the whole push with 409 `sync_conflict` (the app pulls, then
pushes again) — unless the server already holds exactly what is pushed, which is what a replayed
push (a lost response) looks like: then it is a no-op. Every record goes through the same service
functions as the REST endpoints, so validation and permissions are the REST ones; an error names
the table, the record id and the field.
"""

import json
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from rest_framework import serializers

from accounts.models import User
from config.api.errors import ApplicationError, ConflictError, NotFoundError
from couples.scoping import active_couple_id, require_active_couple
from notifications.models import Notification
from notifications.services import notification_mark_read
from rituals.api import checkins_serializers as cs
from rituals.api import goals_serializers as gs
from rituals.api import nudges_serializers as ns
from rituals.api import prompts_serializers as ps
from rituals.api import rituals_serializers as rs
from rituals.models import DailyPrompt, Goal, Nudge, Ritual
from rituals.services import checkins, goals, nudges, prompts, rituals
from sync.models import SyncCounter, SyncState
from sync.tables import TABLES, couple_members


class SyncConflictError(ConflictError):
    code = "sync_conflict"
    message = "Some records changed on the server since your last pull. Pull, then push again."


class ReadOnlyError(ApplicationError):
    code = "read_only"


Raw = Mapping[str, Any]


def _owned(model: Any, user: User, record_id: Any) -> Any:
    """A record of the user's active couple, or a 404 that says nothing more (couples.scoping)."""
    record = model.objects.visible_to(user).filter(id=_uuid(record_id)).first()
    if record is None:
        raise NotFoundError()
    return record


def _uuid(value: Any) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError as exc:
        raise serializers.ValidationError({"id": ["Expected a UUID."]}) from exc


def _valid(serializer_class: type[serializers.Serializer], raw: Raw, **overrides: Any) -> dict[str, Any]:
    """The REST endpoint's own input serializer validates the raw record (one set of rules)."""
    data = {key: value for key, value in raw.items() if not key.startswith("_")} | overrides
    serializer = serializer_class(data=data, partial=serializer_class in _PARTIAL)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _iso_instant(value: Any) -> Any:
    """WatermelonDB stores instants as epoch milliseconds; the REST serializers take ISO 8601."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value / 1000, tz=UTC).isoformat()
    return value


def _json_list(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value) if value else []
        except ValueError:
            return value  # the serializer reports it
    return value


def _create_ritual(user: User, raw: Raw) -> None:
    data = _valid(rs.RitualCreateInputSerializer, raw)
    rituals.ritual_create(couple=require_active_couple(user), by=user, data=data)


def _update_ritual(user: User, raw: Raw) -> None:
    ritual = _owned(Ritual, user, raw["id"])
    rituals.ritual_update(ritual=ritual, data=_valid(rs.RitualUpdateInputSerializer, raw))


def _delete_ritual(user: User, record_id: str) -> None:
    ritual = Ritual.objects.visible_to(user).filter(id=_uuid(record_id)).first()
    if ritual is not None:  # already gone (a replay), or not ours: nothing to delete
        rituals.ritual_delete(ritual=ritual)


def _create_completion(user: User, raw: Raw) -> None:
    ritual = _owned(Ritual, user, raw.get("ritual_id"))
    data = _valid(rs.RitualCompletionCreateInputSerializer, raw, occurrence_at=_iso_instant(raw.get("occurrence_at")))
    rituals.completion_record(ritual=ritual, user=user, **data)


def _create_goal(user: User, raw: Raw) -> None:
    data = _valid(gs.GoalCreateInputSerializer, raw, ritual_ids=_json_list(raw.get("ritual_ids", [])))
    goals.goal_propose(couple=require_active_couple(user), by=user, **data)


_STATUS_ACTIONS = {
    "accepted": "accept",
    "declined": "decline",
    "withdrawn": "withdraw",
    "completed": "complete",
    "abandoned": "abandon",
}


def _update_goal(user: User, raw: Raw) -> None:
    goal = _owned(Goal, user, raw["id"])
    overrides = {"ritual_ids": _json_list(raw["ritual_ids"])} if "ritual_ids" in raw else {}
    edits = _valid(gs.GoalUpdateInputSerializer, raw, **overrides)
    current = {"title": goal.title, "description": goal.description, "target_date": goal.target_date}
    if any(current.get(field, object()) != value for field, value in edits.items()):
        goal = goals.goal_update(user=user, goal_id=goal.id, data=edits)
    status = raw.get("status")
    if status and status != goal.status:
        if status not in _STATUS_ACTIONS:
            raise serializers.ValidationError({"status": ["Not a status a goal can move to."]})
        goals.goal_transition(user=user, goal_id=goal.id, action=_STATUS_ACTIONS[status])


def _create_check_in(user: User, raw: Raw) -> None:
    checkins.checkin_create(user=user, **_valid(cs.CheckInCreateInputSerializer, raw))


def _create_nudge(user: User, raw: Raw) -> None:
    nudges.nudge_send(sender=user, **_valid(ns.NudgeSendInputSerializer, raw))


def _update_nudge(user: User, raw: Raw) -> None:
    nudge = _owned(Nudge, user, raw["id"])
    if raw.get("response") and raw["response"] != nudge.response:
        data = _valid(
            ns.NudgeRespondInputSerializer, {"response": raw["response"], "text": raw.get("response_text", "")}
        )
        nudges.nudge_respond(nudge=nudge, user=user, **data)
    elif raw.get("seen_at") and nudge.seen_at is None:
        nudges.nudge_mark_seen(nudge=nudge, user=user)


def _save_answer(user: User, raw: Raw) -> None:
    daily = _owned(DailyPrompt, user, raw.get("daily_prompt_id"))
    data = _valid(ps.PromptAnswerInputSerializer, {"text": raw.get("text", "")})
    prompts.prompt_answer(daily_prompt=daily, user=user, text=data["text"])


def _update_notification(user: User, raw: Raw) -> None:
    notification = Notification.objects.filter(recipient=user, id=_uuid(raw["id"])).first()
    if notification is None:
        raise NotFoundError()
    if raw.get("read_at"):
        notification_mark_read(notification=notification)


_PARTIAL = {rs.RitualUpdateInputSerializer, gs.GoalUpdateInputSerializer}


# table -> (create, update, delete); None = the phone may not do that.
Handler = Callable[[User, Raw], None]
HANDLERS: dict[str, tuple[Handler | None, Handler | None, Callable[[User, str], None] | None]] = {
    "rituals": (_create_ritual, _update_ritual, _delete_ritual),
    "ritual_completions": (_create_completion, None, None),
    "goals": (_create_goal, _update_goal, None),
    "check_ins": (_create_check_in, None, None),
    "nudges": (_create_nudge, _update_nudge, None),
    "prompt_answers": (_save_answer, _save_answer, None),
    "notifications": (None, _update_notification, None),
    "daily_prompts": (None, None, None),
    "partner_profiles": (None, None, None),
}


def push(*, user: User, changes: Mapping[str, Any], last_pulled_at: int) -> None:
    with transaction.atomic():
        _lock_counters(user)
        _check_conflicts(user, changes, last_pulled_at)
        for table, parts in changes.items():
            create, update, delete = HANDLERS[table]
            for raw in parts.get("created", []):
                _apply(table, raw.get("id"), create, user, raw, "create")
            for raw in parts.get("updated", []):
                _apply(table, raw.get("id"), update, user, raw, "update")
            for record_id in parts.get("deleted", []):
                _apply_delete(table, record_id, delete, user)


def _lock_counters(user: User) -> None:
    """Holds the sync counters of the user and their partner for the whole push, in the same order
    `sync.changes.stamp` takes them (so a push and a partner's write cannot deadlock): no other write
    to what this user sees can commit between the conflict check and the apply."""
    members = sorted({user.pk, *couple_members(active_couple_id(user))}, key=str)
    SyncCounter.objects.bulk_create([SyncCounter(user_id=m) for m in members], ignore_conflicts=True)
    list(SyncCounter.objects.select_for_update().filter(user_id__in=members).order_by("user_id").values_list("pk"))


def _apply(table: str, record_id: Any, handler: Handler | None, user: User, raw: Raw, verb: str) -> None:
    if handler is None:
        raise ReadOnlyError(
            f"{table} records cannot be {verb}d by a phone.", extra={"table": table, "id": str(record_id)}
        )
    try:
        handler(user, raw)
    except ValidationError as exc:
        raise ValidationError(_prefixed(table, str(record_id), exc)) from exc
    except serializers.ValidationError as exc:
        # Keys like "check_ins.<id>.mood": the envelope flattens the nesting with dots.
        raise serializers.ValidationError({f"{table}.{record_id}": exc.detail}) from exc
    except ApplicationError as exc:
        exc.extra = {**exc.extra, "table": table, "id": str(record_id)}
        raise


def _apply_delete(table: str, record_id: str, handler: Callable[[User, str], None] | None, user: User) -> None:
    if handler is None:
        raise ReadOnlyError(f"{table} records cannot be deleted by a phone.", extra={"table": table, "id": record_id})
    handler(user, record_id)


def _prefixed(table: str, record_id: str, exc: ValidationError) -> dict[str, Any]:
    if hasattr(exc, "error_dict"):
        return {f"{table}.{record_id}.{field}": errors for field, errors in exc.error_dict.items()}
    return {f"{table}.{record_id}": exc.error_list}


def _check_conflicts(user: User, changes: Mapping[str, Any], last_pulled_at: int) -> None:
    """Records changed for this user after their cursor conflict, unless the server already holds
    exactly the pushed values (a replay of a push whose response was lost)."""
    for table, parts in changes.items():
        if table not in TABLES:
            raise ValidationError({"changes": ValidationError(f"Unknown table {table!r}.", code="unknown_table")})
        pushed = {str(raw.get("id")): raw for raw in [*parts.get("created", []), *parts.get("updated", [])]}
        deleted = {str(record_id) for record_id in parts.get("deleted", [])}
        newer = SyncState.objects.filter(
            user=user, table=table, record_id__in=[*pushed, *deleted], version__gt=last_pulled_at
        ).values_list("record_id", "deleted")
        for record_id, gone in newer:
            if record_id in deleted and gone:
                continue  # deleting what is already deleted
            if record_id in pushed and not gone and _holds(user, table, record_id, pushed[record_id]):
                continue
            raise SyncConflictError(extra={"table": table, "id": record_id})


def _holds(user: User, table: str, record_id: str, raw: Raw) -> bool:
    spec = TABLES[table]
    record = spec.visible(user).filter(pk=record_id).first()
    if record is None:
        return False
    current = spec.raw(record, user)
    ignored = {"created_at", "updated_at", "_status", "_changed", "version"}
    return all(current.get(key) == value for key, value in raw.items() if key not in ignored and key in current)
