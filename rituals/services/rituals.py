"""Writes on couple rituals and their completions."""

import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, time
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from config.api.errors import ConflictError, IdConflictError
from config.api.sql import CompiledInsert
from config.db import atomic_retried_on_conflict
from config.i18n import StrOrPromise
from config.ids import new_id
from couples.models import Couple
from couples.selectors import partner_of
from messaging.catalog import notification_key
from notifications.models import Notification
from notifications.reminders import reminder_reschedule
from notifications.services import notify_many
from rituals import recurrence
from rituals.models import Completion, Ritual, RitualTemplate
from rituals.models.ritual import STREAK_FIELDS
from rituals.selectors.rituals import completions_by_id_or_time, ritual_locked
from rituals.services import streaks
from sync.changes import stamped_once
from sync.receivers import touch, touch_created

# Fields a client may set on create and change with PATCH; anything else in the input is ignored.
EDITABLE_FIELDS = (
    "title",
    "description",
    "category",
    "rrule",
    "start_date",
    "local_time",
    "time_zone",
    "duration_minutes",
    "reminder_offset_minutes",
    "is_joint",
    "requires_both_confirmation",
    "grace_days",
)
UPDATABLE_FIELDS = (*EDITABLE_FIELDS, "status")
SCHEDULE_FIELDS = ("rrule", "start_date", "local_time", "time_zone")
# What the next reminder is computed from (notifications.reminders.reminder_reschedule).
REMINDER_INPUTS = (*SCHEDULE_FIELDS, "status", "reminder_offset_minutes")
REQUIRED_ON_CREATE = ("title", "category", "rrule", "local_time")


class RitualDeletedError(ConflictError):
    code = "ritual_deleted"
    message = _("This ritual was deleted; a replayed create does not bring it back.")


class AlreadyCompletedError(ConflictError):
    code = "already_completed"
    message = _("You already completed this occurrence.")

    def __init__(self, completion_id: uuid.UUID):
        super().__init__(extra={"completion_id": str(completion_id)})


def _field_error(field: str, message: StrOrPromise, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


# Rituals -------------------------------------------------------------------------------------------


@atomic_retried_on_conflict  # the same id inserted at the same moment: the second run finds it
@stamped_once
def ritual_create(*, couple: Couple, by: User, data: dict[str, Any]) -> tuple[Ritual, bool]:
    """Creates a ritual from a published template (`template_id`, whose title, description,
    category, rrule, time, duration and is_joint are copied unless `data` overrides them) or from
    scratch. `time_zone` defaults to the creator's, `start_date` to today there.

    Idempotent on a client-supplied `id`: the same id by the same couple returns the existing ritual
    and `created=False`. Returns (ritual, created).
    """
    ritual_id = data.get("id")
    if ritual_id is not None:
        existing = _replayed_ritual(ritual_id, couple)
        if existing is not None:
            return existing, False

    values: dict[str, Any] = {}
    template_id = data.get("template_id")
    if template_id is not None:
        template = RitualTemplate.objects.filter(pk=template_id, is_published=True).first()
        if template is None:
            raise _field_error("template_id", _("No published ritual template has this id."), "not_found")
        values.update(
            template=template,
            title=template.title,
            description=template.description,
            category=template.category,
            rrule=template.suggested_rrule,
            local_time=template.suggested_time,
            duration_minutes=template.duration_minutes,
            is_joint=template.is_joint,
        )
    # Status too: a phone may create a ritual paused (sync); the REST create serializer has no status.
    values.update({name: data[name] for name in UPDATABLE_FIELDS if name in data})
    missing = [name for name in REQUIRED_ON_CREATE if values.get(name) in (None, "")]
    if missing:
        raise ValidationError(
            {name: ValidationError(_("This field is required."), code="required") for name in missing}
        )
    values.setdefault("time_zone", by.time_zone)
    _validate(values)
    values.setdefault("start_date", timezone.now().astimezone(recurrence.zone(values["time_zone"])).date())
    _validate_schedule(values)

    ritual = Ritual(id=ritual_id or uuid.uuid4(), couple=couple, created_by=by, **values)
    ritual.save(force_insert=True)
    reminder_reschedule(ritual=ritual)
    return ritual, True


def _replayed_ritual(ritual_id: uuid.UUID, couple: Couple) -> Ritual | None:
    existing = Ritual.objects.filter(pk=ritual_id).first()
    if existing is None:
        return None
    if existing.couple_id != couple.pk:
        raise IdConflictError()
    if existing.deleted_at is not None:
        raise RitualDeletedError()
    return existing


@transaction.atomic
@stamped_once
def ritual_update(
    *, user: User, ritual_id: uuid.UUID | str, data: dict[str, Any], check: Callable[[Ritual], None] | None = None
) -> Ritual:
    """PATCH: changes the given UPDATABLE_FIELDS (others are ignored) of a live ritual of the user's
    couple (else a 404) and bumps updated_at. `check` runs on the locked ritual first (If-Match)."""
    locked = ritual_locked(user=user, ritual_id=ritual_id)
    if check is not None:
        check(locked)
    changes = {name: data[name] for name in UPDATABLE_FIELDS if name in data}
    recompute = any(name in changes for name in streaks.STREAK_INPUTS)
    for name, value in changes.items():
        setattr(locked, name, value)
    values = {name: getattr(locked, name) for name in EDITABLE_FIELDS}
    _validate(values)
    if any(name in changes for name in SCHEDULE_FIELDS):
        _validate_schedule(values)
    locked.rrule = values["rrule"]  # normalized
    locked.updated_at = timezone.now()
    if recompute:
        # One read of the days that count; a ritual never completed has none, and no walk.
        streaks.streak_checkpoint_recompute(ritual=locked)
    locked.save(update_fields=[*changes, "rrule", "updated_at", *(STREAK_FIELDS if recompute else ())])
    # A new time, zone, rule, offset or status moves (or, when paused, removes) the next reminder;
    # a new title or description leaves it where it is.
    if any(name in changes for name in REMINDER_INPUTS):
        reminder_reschedule(ritual=locked)
    return locked


@transaction.atomic
def ritual_delete(*, ritual: Ritual) -> None:
    """Soft delete: the row stays (sync tombstones) but vanishes from every read at once."""
    now = timezone.now()
    Ritual.objects.filter(pk=ritual.pk, deleted_at__isnull=True).update(deleted_at=now, updated_at=now)
    ritual.deleted_at = ritual.updated_at = now
    reminder_reschedule(ritual=ritual)  # a deleted ritual has no reminder any more
    touch(ritual)  # an UPDATE sends no signal: phones get the tombstone through sync


def _validate(values: dict[str, Any]) -> None:
    """Field rules the serializer cannot know (they depend on several fields or on the zone db)."""
    errors: dict[str, ValidationError] = {}
    try:
        recurrence.zone(values["time_zone"])
    except ValidationError as exc:
        errors["time_zone"] = exc
    try:
        values["rrule"] = recurrence.parse_rrule(values["rrule"])["text"]
    except ValidationError as exc:
        errors["rrule"] = exc
    if values.get("requires_both_confirmation") and values.get("is_joint") is False:
        errors["requires_both_confirmation"] = ValidationError(
            _("Only a joint ritual can require both partners' confirmation."), code="requires_joint"
        )
    local_time = values.get("local_time")
    if isinstance(local_time, time) and (local_time.tzinfo is not None or local_time.microsecond):
        errors["local_time"] = ValidationError(
            _("Give a wall-clock time such as 19:00, without offset."), code="invalid"
        )
    start_date = values.get("start_date")
    if isinstance(start_date, date) and not recurrence.MIN_YEAR <= start_date.year <= recurrence.MAX_YEAR:
        errors["start_date"] = ValidationError(
            gettext("Choose a date between %(min)s and %(max)s.")
            % {"min": recurrence.MIN_YEAR, "max": recurrence.MAX_YEAR},
            code="out_of_range",
        )
    if errors:
        raise ValidationError(errors)


def _validate_schedule(values: dict[str, Any]) -> None:
    first = recurrence.first_occurrence(
        rrule=values["rrule"],
        start_date=values["start_date"],
        local_time=values["local_time"],
        time_zone=values["time_zone"],
    )
    if first is None:
        raise _field_error(
            "rrule",
            _("This rule has no occurrence on or after the start date (check UNTIL and BYDAY)."),
            "never_occurs",
        )


# Completions ---------------------------------------------------------------------------------------


def completion_record(
    *,
    user: User,
    ritual_id: uuid.UUID | str,
    occurrence_at: datetime,
    id: uuid.UUID | None = None,  # the client's own UUID: the idempotency key
    note: str = "",
    connection_rating: int | None = None,
) -> tuple[Completion, bool]:
    """Records that `user` did the occurrence of a live ritual of their couple (else a 404) at
    `occurrence_at` (a UTC instant from /occurrences). Returns (completion, created).

    Idempotent on the client's `id`: a replay returns the stored completion with created=False.
    One completion per (ritual, occurrence, user): another id for an occurrence the user already
    completed (that local day, in the ritual's zone) is a 409 `already_completed` naming the
    existing id. The partner is notified once per completion. An occurrence that starts to count
    advances the ritual's streak checkpoint, under the ritual's row lock.
    """
    entry = {"occurrence_at": occurrence_at, "id": id, "note": note, "connection_rating": connection_rating}
    return completions_record(user=user, ritual_id=ritual_id, entries=[entry])[0]


@atomic_retried_on_conflict  # a concurrent replay of one id: the second run finds the first's row
@stamped_once
def completions_record(
    *, user: User, ritual_id: uuid.UUID | str, entries: Sequence[Mapping[str, Any]]
) -> list[tuple[Completion, bool]]:
    """`completion_record` for several occurrences of one ritual at once (a phone's offline days):
    one lock, one read of the days concerned, one INSERT, one streak update and one batch of
    notifications. The first entry that breaks a rule fails the whole call (nothing is written).
    Returns (completion, created) per entry, in order."""
    for entry in entries:
        if not recurrence.MIN_YEAR <= entry["occurrence_at"].year <= recurrence.MAX_YEAR:
            raise _field_error("occurrence_at", _("This ritual has no occurrence at that time."), "not_an_occurrence")
    ids = [entry.get("id") or new_id() for entry in entries]
    # Locked before anything is read or inserted: both partners completing the same occurrence at
    # once then see each other's completion, in turn, and advance the streak checkpoint one after
    # the other. NO KEY UPDATE: only derived columns change, so foreign keys to the ritual (the
    # completion's own insert, goal links) are not blocked.
    locked = ritual_locked(user=user, ritual_id=ritual_id)
    days = [recurrence.local_date(entry["occurrence_at"], locked.time_zone) for entry in entries]
    first, _day_end = recurrence.local_day_bounds(min(days), locked.time_zone)
    _day_start, last = recurrence.local_day_bounds(max(days), locked.time_zone)
    # One query answers "is this a replay?", "did this user already do that day's occurrence?" and
    # "who else did?", for every entry.
    candidates = completions_by_id_or_time(ids=ids, ritual_id=locked.pk, start=first, end=last)
    by_day: dict[date, list[Completion]] = {}
    for candidate in candidates:
        if candidate.ritual_id == locked.pk:
            by_day.setdefault(recurrence.local_date(candidate.occurrence_at, locked.time_zone), []).append(candidate)
    results: list[tuple[Completion, bool]] = []
    new: list[Completion] = []
    counted: list[date] = []
    for entry, completion_id, day in zip(entries, ids, days, strict=True):
        occurrence_at = entry["occurrence_at"]
        replay = _replay(candidates, completion_id, locked, user, occurrence_at)
        if replay is not None:
            results.append((replay, False))
            continue
        rating = entry.get("connection_rating")
        _validate_completion(ritual=locked, user=user, occurrence_at=occurrence_at, connection_rating=rating)
        that_day = by_day.setdefault(day, [])
        mine = [c for c in that_day if c.user_id == user.pk]
        if mine:
            raise AlreadyCompletedError(mine[0].pk)
        others = {c.user_id for c in that_day}
        completion = Completion(
            id=completion_id,
            couple_id=locked.couple_id,
            ritual=locked,
            user=user,
            occurrence_at=occurrence_at,
            note=entry.get("note", ""),
            connection_rating=rating,
        )
        candidates.append(completion)
        that_day.append(completion)
        new.append(completion)
        results.append((completion, True))
        if locked.counts(len(others) + 1) and not locked.counts(len(others)):
            counted.append(day)
    if not new:
        return results
    _INSERT_COMPLETIONS.insert(new)
    # The INSERT sends no post_save: stamp them for sync as a save would (the streak checkpoint is
    # advanced below, so nothing invalidates it).
    touch_created(new)
    if counted:
        streaks.streak_days_counted(ritual=locked, days=counted)
    _notify_partner(completions=new, ritual=locked, user=user)
    return results


_INSERT_COMPLETIONS = CompiledInsert(Completion)  # every completion: compiled once


def _replay(
    candidates: list[Completion], completion_id: uuid.UUID, ritual: Ritual, user: User, occurrence_at: datetime
) -> Completion | None:
    same_id = next((c for c in candidates if c.pk == completion_id), None)
    if same_id is None:
        return None
    if same_id.ritual_id != ritual.pk or same_id.user_id != user.pk or same_id.occurrence_at != occurrence_at:
        raise IdConflictError()
    return same_id


def _validate_completion(*, ritual: Ritual, user: User, occurrence_at: datetime, connection_rating: int | None) -> None:
    if connection_rating is not None and not 1 <= connection_rating <= 5:
        raise _field_error("connection_rating", _("Rate from 1 to 5."), "out_of_range")
    is_occurrence = recurrence.is_occurrence(
        rrule=ritual.rrule,
        start_date=ritual.start_date,
        local_time=ritual.local_time,
        time_zone=ritual.time_zone,
        at=occurrence_at,
    )
    if not is_occurrence:
        raise _field_error(
            "occurrence_at",
            _("This ritual has no occurrence at that time. Use an occurrence_at from /occurrences."),
            "not_an_occurrence",
        )
    # Today's occurrences may be logged (early, or while they happen), as seen from the requester's
    # day or the ritual's, whichever ends later; anything after that is the future.
    now = timezone.now()
    latest = max(
        recurrence.local_day_bounds(recurrence.local_date(now, zone_name), zone_name)[1]
        for zone_name in (user.time_zone, ritual.time_zone)
    )
    if occurrence_at >= latest:
        raise _field_error("occurrence_at", _("This occurrence is in the future."), "occurrence_in_future")


def _notify_partner(*, completions: list[Completion], ritual: Ritual, user: User) -> None:
    partner = partner_of(user=user)
    if partner is None:
        return
    kind = Notification.Kind.RITUAL_COMPLETED_BY_PARTNER
    message = notification_key(kind, "confirm" if ritual.requires_both_confirmation else "")
    notify_many(
        [
            {
                "recipient": partner,
                "kind": kind,
                "message": message,
                "params": {"partner_name": user.display_name, "ritual_title": ritual.title},
                "data": {
                    "screen": "ritual",
                    "ritual_id": str(ritual.pk),
                    "occurrence_at": completion.occurrence_at.isoformat(),
                    "completion_id": str(completion.pk),
                },
                "dedupe_key": f"ritual_completed:{completion.pk}",
            }
            for completion in completions
        ]
    )
