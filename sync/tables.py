"""The synced tables: which records each user's phone holds, and their raw WatermelonDB columns.

Visibility is the REST API's, from the one place each rule lives: couples.scoping for couple-owned
rows, rituals.visibility for check-ins, completion notes and ratings, and the prompt-answer reveal.
Dates are ISO strings, instants are epoch milliseconds (WatermelonDB's number columns), lists and
objects are JSON strings.
"""

import json
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any, NamedTuple
from uuid import UUID

from django.db.models import Count, Model, OuterRef, QuerySet, Subquery
from django.utils.translation import get_language

from accounts.models import User
from config.api.sql import CompiledQuery
from couples.models import Couple, Membership
from couples.scoping import active_couple_id
from couples.selectors import known_members, partner_of
from dates.models import DateMemory, DatePlan
from insights.models import WeeklyReflection, WeeklyReport, WeeklyReportPersonal
from notifications.models import Notification
from notifications.selectors import inbox_page_of
from rituals.models import CheckIn, Completion, DailyPrompt, Goal, Nudge, PromptAnswer, Ritual
from rituals.selectors.goals import goals_with_rituals, live_ritual_ids
from rituals.selectors.prompts import with_localized_texts
from rituals.visibility import check_ins_readable_by_ids, completion_details_visible, prompt_answer_revealed


def ms(value: datetime | None) -> int | None:
    return int(value.timestamp() * 1000) if value else None


def iso(value: date | time | None) -> str | None:
    return value.isoformat() if value else None


class Viewer(NamedTuple):
    """Who reads, by id: the user, their active couple and its other member (None: unpaired)."""

    user_id: UUID
    couple_id: UUID | None
    partner_id: UUID | None

    @classmethod
    def of(cls, user: User) -> "Viewer":
        partner = partner_of(user=user)  # remembered by authentication: no query
        return cls(user.pk, active_couple_id(user), partner.pk if partner else None)


@dataclass(frozen=True)
class Table:
    name: str
    model: type[Model]
    # Records the viewer may hold now: the table's one visibility rule, from the rule's own module.
    visible: Callable[[Viewer], QuerySet[Any]]
    # Raw columns of one record, as this user sees it.
    raw: Callable[[Any, User], dict[str, Any]]
    # What `raw` reads beyond the row (a goal's linked rituals): loads it onto the records.
    related: Callable[[Sequence[Any]], None] | None = None
    # The visible rows' text depends on the language (daily prompts): compiled once per language.
    localized: bool = False
    _compiled: dict[str | None, CompiledQuery] = field(default_factory=dict, compare=False, repr=False)

    def records(self, viewer: Viewer, ids: Collection[str] | None = None) -> list[Any]:
        """The visible records (only those of `ids`, when given). A pull loads the changed ids of
        each table on every request, so that read is the `visible` queryset compiled once (per
        language and power of two of ids; `config.api.sql.CompiledQuery`, which leaves many ids to
        the ORM); the same queryset is evaluated by the ORM for a full pull or an unpaired viewer."""
        records: list[Any]
        if ids is None:
            records = list(self.visible(viewer))
        elif viewer.couple_id is None or viewer.partner_id is None:
            records = list(self.visible(viewer).filter(pk__in=[UUID(pk) for pk in ids]))
        else:
            key = get_language() if self.localized else None
            compiled = self._compiled.get(key)
            if compiled is None:
                compiled = self._compiled[key] = CompiledQuery(self._visible_ids, unused_arguments=True)
            records = compiled.objects(*viewer, sorted(UUID(pk) for pk in ids))
        if self.related is not None:
            self.related(records)
        return records

    def _visible_ids(self, user_id: UUID, couple_id: UUID, partner_id: UUID, ids: list[UUID]) -> QuerySet[Any]:
        return self.visible(Viewer(user_id, couple_id, partner_id)).filter(pk__in=ids)


def _couple_rows(model: type[Any]) -> Callable[[Viewer], QuerySet[Any]]:
    def visible(viewer: Viewer) -> QuerySet[Any]:
        return model.objects.visible_in(viewer.couple_id)

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


def _completions(viewer: Viewer) -> QuerySet[Any]:
    return Completion.objects.visible_in(viewer.couple_id).filter(ritual__deleted_at__isnull=True)


def _completion_raw(c: Completion, user: User) -> dict[str, Any]:
    mine = completion_details_visible(author_id=c.user_id, viewer_id=user.pk)
    return {
        "id": str(c.id),
        "ritual_id": str(c.ritual_id),
        "user_id": str(c.user_id),
        "occurrence_at": ms(c.occurrence_at),
        "note": c.note if mine else "",
        "connection_rating": c.connection_rating if mine else None,
        "created_at": ms(c.created_at),
    }


def _goal_raw(g: Goal, user: User) -> dict[str, Any]:
    return {
        "id": str(g.id),
        "title": g.title,
        "description": g.description,
        "status": g.status,
        "proposed_by_id": str(g.proposed_by_id) if g.proposed_by_id else None,
        "target_date": iso(g.target_date),
        "ritual_ids": json.dumps([str(ritual_id) for ritual_id in live_ritual_ids(g)]),
        "version": g.version,
        "created_at": ms(g.created_at),
        "updated_at": ms(g.updated_at),
    }


def _check_ins(viewer: Viewer) -> QuerySet[Any]:
    return CheckIn.objects.filter(check_ins_readable_by_ids(viewer.user_id, viewer.couple_id))


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


def _daily_prompts(viewer: Viewer) -> QuerySet[Any]:
    # The prompt's text in the pull's language (Accept-Language), as GET prompts/today shows it.
    daily_prompts = DailyPrompt.objects.visible_in(viewer.couple_id).select_related("prompt")
    return with_localized_texts(daily_prompts, language=get_language())


def _daily_prompt_raw(d: DailyPrompt, user: User) -> dict[str, Any]:
    return {
        "id": str(d.id),
        "day": iso(d.day),
        "prompt_text": d.prompt_text_localized,  # type: ignore[attr-defined]
        "created_at": ms(d.created_at),
    }


def _answers(viewer: Viewer) -> QuerySet[Any]:
    return PromptAnswer.objects.visible_in(viewer.couple_id).annotate(answers_given=Count("daily_prompt__answers"))


def _answer_raw(a: PromptAnswer, user: User) -> dict[str, Any]:
    revealed = prompt_answer_revealed(author_id=a.user_id, viewer_id=user.pk, answers_given=a.answers_given)  # type: ignore[attr-defined]
    return {
        "id": str(a.id),
        "daily_prompt_id": str(a.daily_prompt_id),
        "user_id": str(a.user_id),
        "text": a.text if revealed else "",
        "revealed": revealed,
        "created_at": ms(a.created_at),
        "updated_at": ms(a.updated_at),
    }


def _weekly_reports(viewer: Viewer) -> QuerySet[Any]:
    """Finalised weeks of the couple, each with the requester's own personal part (never the partner's)."""
    mine = WeeklyReportPersonal.objects.filter(report=OuterRef("pk"), user_id=viewer.user_id).values("data")[:1]
    return WeeklyReport.objects.visible_in(viewer.couple_id).annotate(my_personal=Subquery(mine))


def _weekly_report_raw(r: WeeklyReport, user: User) -> dict[str, Any]:
    personal = r.my_personal  # type: ignore[attr-defined]
    return {
        "id": str(r.id),
        "week_start": iso(r.week_start),
        "algorithm_version": r.algorithm_version,
        "shared": json.dumps(r.shared, sort_keys=True),
        # A JSONField read through a Subquery comes back as text on some backends.
        "personal": personal if isinstance(personal, str) or personal is None else json.dumps(personal, sort_keys=True),
        "finalised_at": ms(r.finalised_at),
    }


def _weekly_reflections(viewer: Viewer) -> QuerySet[Any]:
    return WeeklyReflection.objects.visible_in(viewer.couple_id).annotate(
        reflections_given=Count("report__reflections")
    )


def _weekly_reflection_raw(r: WeeklyReflection, user: User) -> dict[str, Any]:
    given = r.reflections_given  # type: ignore[attr-defined]
    revealed = prompt_answer_revealed(author_id=r.user_id, viewer_id=user.pk, answers_given=given)
    return {
        "id": str(r.id),
        "report_id": str(r.report_id),
        "user_id": str(r.user_id),
        "text": r.text if revealed else "",
        "revealed": revealed,
        "created_at": ms(r.created_at),
        "updated_at": ms(r.updated_at),
    }


def _notifications(viewer: Viewer) -> QuerySet[Any]:
    return inbox_page_of(viewer.user_id)


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


def _partner_profiles(viewer: Viewer) -> QuerySet[Any]:
    return User.objects.filter(id=viewer.partner_id) if viewer.partner_id else User.objects.none()


def _partner_raw(u: User, user: User) -> dict[str, Any]:
    return {"id": str(u.id), "display_name": u.display_name, "time_zone": u.time_zone}


def _date_plan_raw(p: DatePlan, user: User) -> dict[str, Any]:
    # The offer history and the actions stay on the REST detail (GET dates/{id}); a phone acts
    # on a date through REST (its transitions need the partner's answer), so the table is read-only.
    return {
        "id": str(p.id),
        "idea_id": str(p.idea_id) if p.idea_id else None,
        "title": p.title,
        "status": p.status,
        "proposed_by_id": str(p.proposed_by_id) if p.proposed_by_id else None,
        "offered_by_id": str(p.offered_by_id) if p.offered_by_id else None,
        "place": p.place,
        "local_date": iso(p.local_date),
        "local_time": iso(p.local_time),
        "time_zone": p.time_zone,
        "duration_minutes": p.duration_minutes,
        "starts_at": ms(p.starts_at),
        "ends_at": ms(p.ends_at),
        "ritual_id": str(p.ritual_id) if p.ritual_id else None,
        "ritual_occurrence_at": ms(p.ritual_occurrence_at),
        "version": p.version,
        "created_at": ms(p.created_at),
        "updated_at": ms(p.updated_at),
    }


def _date_memories(viewer: Viewer) -> QuerySet[Any]:
    return DateMemory.objects.filter(plan__in=DatePlan.objects.visible_in(viewer.couple_id))


def _date_memory_raw(m: DateMemory, user: User) -> dict[str, Any]:
    # Photo URLs are signed for minutes: the phone asks GET dates/{id} for fresh ones.
    return {
        "id": str(m.id),
        "date_id": str(m.plan_id),
        "author_id": str(m.author_id),
        "rating": m.rating,
        "note": m.note,
        "has_photo": bool(m.photo.name),
        "created_at": ms(m.created_at),
        "updated_at": ms(m.updated_at),
    }


TABLES: dict[str, Table] = {
    t.name: t
    for t in [
        Table("rituals", Ritual, _couple_rows(Ritual), _ritual_raw),
        Table("ritual_completions", Completion, _completions, _completion_raw),
        Table("goals", Goal, _couple_rows(Goal), _goal_raw, related=goals_with_rituals),
        Table("check_ins", CheckIn, _check_ins, _check_in_raw),
        Table("nudges", Nudge, _couple_rows(Nudge), _nudge_raw),
        Table("daily_prompts", DailyPrompt, _daily_prompts, _daily_prompt_raw, localized=True),
        Table("prompt_answers", PromptAnswer, _answers, _answer_raw),
        Table("notifications", Notification, _notifications, _notification_raw),
        Table("partner_profiles", User, _partner_profiles, _partner_raw),
        Table("weekly_reports", WeeklyReport, _weekly_reports, _weekly_report_raw),
        Table("weekly_reflections", WeeklyReflection, _weekly_reflections, _weekly_reflection_raw),
        Table("date_plans", DatePlan, _couple_rows(DatePlan), _date_plan_raw),
        Table("date_memories", DateMemory, _date_memories, _date_memory_raw),
    ]
}
TABLE_OF_MODEL: dict[type[Model], str] = {t.model: t.name for t in TABLES.values() if t.model is not User}


def couple_members(couple_id: UUID | None) -> list[UUID]:
    """The active members of an active couple (the audience of its shared records)."""
    if couple_id is None:
        return []
    known = known_members(couple_id)  # the request's own couple: authentication loaded it
    if known is not None:
        return known
    return [user_id for (user_id,) in _MEMBERS.rows(couple_id)]


# Every write of a shared record asks (once per transaction): compiled once.
_MEMBERS = CompiledQuery(
    lambda couple_id: Membership.objects.filter(
        couple_id=couple_id, is_active=True, couple__status=Couple.Status.ACTIVE
    ).values_list("user_id")
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
        ("weekly_reports", WeeklyReport),
        ("weekly_reflections", WeeklyReflection),
        ("date_plans", DatePlan),
    ):
        for pk in model.objects.filter(couple_id=couple_id).values_list("id", flat=True):
            yield name, str(pk), None
    # A memory is its author's (export, deletion) but lives in the shared date: it leaves both phones.
    for pk in DateMemory.objects.filter(plan__couple_id=couple_id).values_list("id", flat=True):
        yield "date_memories", str(pk), None
    for pk, author in CheckIn.objects.filter(couple_id=couple_id, is_shared=True).values_list("id", "user_id"):
        yield "check_ins", str(pk), author
