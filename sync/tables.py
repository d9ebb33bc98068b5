"""The synced tables: which records each user's phone holds, and their raw WatermelonDB columns.

Visibility here is the same as the REST API's (couples.scoping for couple-owned rows; own plus the
partner's shared check-ins; the partner's answer hidden until both answered; the partner's
completion notes never). Dates are ISO strings, instants are epoch milliseconds (WatermelonDB's
number columns), lists and objects are JSON strings.
"""

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from types import SimpleNamespace
from typing import Any
from uuid import UUID

from django.db import connection
from django.db.models import Count, Model, Q, QuerySet

from accounts.models import User
from config.api import sql
from couples.models import Couple, Membership
from couples.scoping import active_couple_id
from couples.selectors import partner_of
from notifications.models import Notification
from rituals.models import CheckIn, Completion, DailyPrompt, Goal, Nudge, PromptAnswer, Ritual


def ms(value: datetime | None) -> int | None:
    return int(value.timestamp() * 1000) if value else None


def iso(value: date | time | None) -> str | None:
    return value.isoformat() if value else None


@dataclass(frozen=True)
class Table:
    name: str
    model: type[Model]
    # Records the user may hold now (full pulls, and loading changed ids).
    visible: Callable[[User], QuerySet[Any]]
    # Raw columns of one record, as this user sees it.
    raw: Callable[[Any, User], dict[str, Any]]
    # The visible records among some ids, for incremental pulls; None: `visible(user).filter(pk__in=...)`.
    load: "Callable[[User, set[str]], list[Any] | None] | None" = None
    # Incremental pulls on PostgreSQL: a scalar subquery whose value is the JSON array of the raw
    # records (as `raw` gives them, PostgreSQL building the JSON) of the visible records among the
    # ids of the FROM item passed in (aliased `k`, one uuid column `id`: join it first, so each id is
    # one primary-key lookup); `%(user)s` and `%(couple)s` are the user and their active couple
    # (NULL when unpaired). sync.pull runs it in the pull's one statement. None: `load`.
    json: "Callable[[str], str] | None" = None
    # Turns one record of `json` into exactly what `raw` gives (e.g. a JSON column dumped as `raw` does).
    finish: "Callable[[dict[str, Any]], dict[str, Any]] | None" = None

    def changed(self, user: User, ids: set[str]) -> list[Any]:
        """The records among `ids` the user may hold now (what an incremental pull sends as updated)."""
        found = self.load(user, ids) if self.load is not None else None
        return list(self.visible(user).filter(pk__in=ids)) if found is None else found


def _by_id_sql(columns: sql.Columns, source: str, where: str) -> Callable[[list[Any], set[str]], list[Any] | None]:
    """Records (attribute access, as `raw` reads them) of `SELECT columns FROM source WHERE where AND
    id = ANY(ids)`, in prepared SQL: an incremental pull loads the records of the one or two tables of
    a day's changes (completions, notifications), and the ORM spent more CPU building those queries
    than the rest of the pull. PostgreSQL only (None elsewhere: the queryset then)."""
    statement = f"SELECT {columns.select} FROM {source} WHERE {where} AND x.id = ANY(%s)"  # noqa: S608 (fixed names)

    def load(params: list[Any], ids: set[str]) -> list[Any] | None:
        if connection.vendor != "postgresql":
            return None
        try:
            keys = [UUID(record_id) for record_id in ids]
        except ValueError:
            return None  # not ids of this table: let the queryset refuse them as before
        rows = columns.dicts(sql.fetch(statement, [*params, keys]))
        return [SimpleNamespace(pk=row["id"], **row) for row in rows]

    return load


def ms_sql(column: str) -> str:
    """`ms(column)` computed by PostgreSQL, to the bit: `datetime.timestamp()` is the exact
    microseconds over 10**6 rounded to the nearest double, as is the exact `extract(epoch)` cast to
    float8; then the same IEEE product by 1000 and truncation toward zero. NULL stays NULL."""
    return f"trunc(extract(epoch FROM {column})::float8 * 1000)::bigint"


def _couple_rows(model: type[Any]) -> Callable[[User], QuerySet[Any]]:
    def visible(user: User) -> QuerySet[Any]:
        return model.objects.visible_to(user)

    return visible


def _ritual_raw(r: Ritual, user: User) -> dict[str, Any]:
    return {
        "id": str(r.id),
        "template_id": str(r.template_id) if r.template_id else None,
        "title": r.title,
        "description": r.description,
        "category": r.category,
        "rrule": r.rrule,
        "start_date": iso(r.start_date),
        "local_time": iso(r.local_time),
        "time_zone": r.time_zone,
        "duration_minutes": r.duration_minutes,
        "reminder_offset_minutes": r.reminder_offset_minutes,
        "is_joint": r.is_joint,
        "requires_both_confirmation": r.requires_both_confirmation,
        "status": r.status,
        "grace_days": r.grace_days,
        "created_at": ms(r.created_at),
        "updated_at": ms(r.updated_at),
    }


def _completions(user: User) -> QuerySet[Any]:
    return Completion.objects.visible_to(user).filter(ritual__deleted_at__isnull=True)


_completions_sql = _by_id_sql(
    sql.Columns(
        Completion,
        ["id", "ritual_id", "user_id", "occurrence_at", "note", "connection_rating", "created_at"],
        alias="x",
    ),
    f"{Completion._meta.db_table} x INNER JOIN {Ritual._meta.db_table} r ON r.id = x.ritual_id",
    "x.couple_id = %s AND r.deleted_at IS NULL",
)


def _completions_by_id(user: User, ids: set[str]) -> list[Any] | None:
    """`_completions(user).filter(pk__in=ids)`: of the active couple, of rituals not deleted (and not
    deleted themselves, should completions ever be soft-deleted: then the queryset is used)."""
    if any(field.name == "deleted_at" for field in Completion._meta.get_fields()):
        return None
    couple_id = active_couple_id(user)
    return [] if couple_id is None else _completions_sql([couple_id], ids)


def _completions_json(ids: str) -> str:
    """`_completion_raw` of `_completions(user).filter(pk__in=...)`, built by PostgreSQL (see
    `Table.json`): of the active couple, of rituals not deleted (and not deleted themselves, should
    completions ever be soft-deleted, as `visible_to` would filter them)."""
    live = " AND x.deleted_at IS NULL" if any(f.name == "deleted_at" for f in Completion._meta.get_fields()) else ""
    return (
        "SELECT json_agg(json_build_object("  # noqa: S608 (names from model meta, no input)
        "'id', x.id, 'ritual_id', x.ritual_id, 'user_id', x.user_id, "
        f"'occurrence_at', {ms_sql('x.occurrence_at')}, "
        "'note', CASE WHEN x.user_id = %(user)s THEN x.note ELSE '' END, "
        "'connection_rating', CASE WHEN x.user_id = %(user)s THEN x.connection_rating END, "
        f"'created_at', {ms_sql('x.created_at')})) "
        f"FROM {ids} INNER JOIN {Completion._meta.db_table} x ON x.id = k.id "
        f"INNER JOIN {Ritual._meta.db_table} r ON r.id = x.ritual_id "
        f"WHERE x.couple_id = %(couple)s AND r.deleted_at IS NULL{live}"
    )


def _completion_raw(c: Completion, user: User) -> dict[str, Any]:
    mine = c.user_id == user.pk
    return {
        "id": str(c.id),
        "ritual_id": str(c.ritual_id),
        "user_id": str(c.user_id),
        "occurrence_at": ms(c.occurrence_at),
        # The partner's words and rating are theirs: only "completed" crosses over.
        "note": c.note if mine else "",
        "connection_rating": c.connection_rating if mine else None,
        "created_at": ms(c.created_at),
    }


def _goals(user: User) -> QuerySet[Any]:
    return Goal.objects.visible_to(user).prefetch_related("rituals")


def _goal_raw(g: Goal, user: User) -> dict[str, Any]:
    return {
        "id": str(g.id),
        "title": g.title,
        "description": g.description,
        "status": g.status,
        "proposed_by_id": str(g.proposed_by_id) if g.proposed_by_id else None,
        "target_date": iso(g.target_date),
        "ritual_ids": json.dumps(sorted(str(r.id) for r in g.rituals.all() if r.deleted_at is None)),
        "version": g.version,
        "created_at": ms(g.created_at),
        "updated_at": ms(g.updated_at),
    }


def _check_ins(user: User) -> QuerySet[Any]:
    mine = Q(user=user)
    couple_id = active_couple_id(user)
    if couple_id is None:
        return CheckIn.objects.filter(mine)
    return CheckIn.objects.filter(mine | Q(couple_id=couple_id, is_shared=True))


def _check_in_raw(c: CheckIn, user: User) -> dict[str, Any]:
    return {
        "id": str(c.id),
        "user_id": str(c.user_id),
        "mood": c.mood,
        "connection": c.connection,
        "note": c.note,
        "is_shared": c.is_shared,
        "local_date": iso(c.local_date),
        "created_at": ms(c.created_at),
    }


def _nudge_raw(n: Nudge, user: User) -> dict[str, Any]:
    return {
        "id": str(n.id),
        "sender_id": str(n.sender_id),
        "recipient_id": str(n.recipient_id),
        "kind": n.kind,
        "message": n.message,
        "response": n.response,
        "response_text": n.response_text,
        "created_at": ms(n.created_at),
        "delivered_at": ms(n.delivered_at),
        "seen_at": ms(n.seen_at),
        "responded_at": ms(n.responded_at),
    }


def _daily_prompts(user: User) -> QuerySet[Any]:
    return DailyPrompt.objects.visible_to(user).select_related("prompt")


def _daily_prompt_raw(d: DailyPrompt, user: User) -> dict[str, Any]:
    return {"id": str(d.id), "day": iso(d.day), "prompt_text": d.prompt.text, "created_at": ms(d.created_at)}


def _answers(user: User) -> QuerySet[Any]:
    return PromptAnswer.objects.visible_to(user).annotate(answers_given=Count("daily_prompt__answers"))


def _answer_raw(a: PromptAnswer, user: User) -> dict[str, Any]:
    revealed = a.user_id == user.pk or getattr(a, "answers_given", 0) >= 2
    return {
        "id": str(a.id),
        "daily_prompt_id": str(a.daily_prompt_id),
        "user_id": str(a.user_id),
        # Hidden until both partners answered (mutual reveal).
        "text": a.text if revealed else "",
        "revealed": revealed,
        "created_at": ms(a.created_at),
        "updated_at": ms(a.updated_at),
    }


def _notifications(user: User) -> QuerySet[Any]:
    return Notification.objects.filter(recipient=user)


_notifications_sql = _by_id_sql(
    sql.Columns(Notification, ["id", "kind", "title", "body", "data", "created_at", "read_at"], alias="x"),
    f"{Notification._meta.db_table} x",
    "x.recipient_id = %s",
)


def _notifications_by_id(user: User, ids: set[str]) -> list[Any] | None:
    """`_notifications(user).filter(pk__in=ids)`, the columns `_notification_raw` reads."""
    return _notifications_sql([user.pk], ids)


def _notifications_json(ids: str) -> str:
    """`_notification_raw` of `_notifications_by_id`'s records, built by PostgreSQL, but `data` as the
    JSON value itself (`_notification_finish` dumps it as `_notification_raw` does)."""
    return (
        "SELECT json_agg(json_build_object("  # noqa: S608 (names from model meta, no input)
        "'id', x.id, 'kind', x.kind, 'title', x.title, 'body', x.body, 'data', x.data, "
        f"'created_at', {ms_sql('x.created_at')}, 'read_at', {ms_sql('x.read_at')})) "
        f"FROM {ids} INNER JOIN {Notification._meta.db_table} x ON x.id = k.id WHERE x.recipient_id = %(user)s"
    )


def _notification_finish(record: dict[str, Any]) -> dict[str, Any]:
    record["data"] = json.dumps(record["data"], sort_keys=True)
    return record


def _notification_raw(n: Notification, user: User) -> dict[str, Any]:
    return {
        "id": str(n.id),
        "kind": n.kind,
        "title": n.title,
        "body": n.body,
        "data": json.dumps(n.data, sort_keys=True),
        "created_at": ms(n.created_at),
        "read_at": ms(n.read_at),
    }


def _partner_profiles(user: User) -> QuerySet[Any]:
    partner = partner_of(user=user)
    return User.objects.filter(id=partner.id) if partner else User.objects.none()


def _partner_raw(u: User, user: User) -> dict[str, Any]:
    return {"id": str(u.id), "display_name": u.display_name, "time_zone": u.time_zone}


TABLES: dict[str, Table] = {
    t.name: t
    for t in [
        Table("rituals", Ritual, _couple_rows(Ritual), _ritual_raw),
        Table(
            "ritual_completions",
            Completion,
            _completions,
            _completion_raw,
            _completions_by_id,
            json=_completions_json,
        ),
        Table("goals", Goal, _goals, _goal_raw),
        Table("check_ins", CheckIn, _check_ins, _check_in_raw),
        Table("nudges", Nudge, _couple_rows(Nudge), _nudge_raw),
        Table("daily_prompts", DailyPrompt, _daily_prompts, _daily_prompt_raw),
        Table("prompt_answers", PromptAnswer, _answers, _answer_raw),
        Table(
            "notifications",
            Notification,
            _notifications,
            _notification_raw,
            _notifications_by_id,
            json=_notifications_json,
            finish=_notification_finish,
        ),
        Table("partner_profiles", User, _partner_profiles, _partner_raw),
    ]
}
TABLE_OF_MODEL: dict[type[Model], str] = {t.model: t.name for t in TABLES.values() if t.model is not User}


def couple_members(couple_id: UUID | None) -> list[UUID]:
    """The active members of an active couple (the audience of its shared records)."""
    if couple_id is None:
        return []
    return list(
        Membership.objects.filter(couple_id=couple_id, is_active=True, couple__status=Couple.Status.ACTIVE).values_list(
            "user_id", flat=True
        )
    )


def shared_records_of(couple_id: UUID) -> Iterable[tuple[str, str, UUID | None]]:
    """Every record a phone may hold because of this couple (for unpair tombstones), with the member
    who keeps it after the couple ends (a check-in's author; None: nobody)."""
    for name, model in (
        ("rituals", Ritual),
        ("ritual_completions", Completion),
        ("goals", Goal),
        ("nudges", Nudge),
        ("daily_prompts", DailyPrompt),
        ("prompt_answers", PromptAnswer),
    ):
        for pk in model.objects.filter(couple_id=couple_id).values_list("id", flat=True):
            yield name, str(pk), None
    for pk, author in CheckIn.objects.filter(couple_id=couple_id, is_shared=True).values_list("id", "user_id"):
        yield "check_ins", str(pk), author
