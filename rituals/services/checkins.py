"""Writes on check-ins: a partner's own record of how they feel, private unless they share it."""

from collections.abc import Mapping, Sequence
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from config.api.errors import IdConflictError
from config.api.sql import CompiledInsert, CompiledQuery
from config.db import atomic_retried_on_conflict
from config.ids import new_id
from couples.scoping import active_couple_id
from rituals.models import CheckIn
from sync.receivers import touch_created

SCORE_FIELDS = ("mood", "connection")
_INSERT = CompiledInsert(CheckIn)  # every check-in: compiled once


_BY_IDS = CompiledQuery(lambda ids: CheckIn.objects.filter(pk__in=ids))  # is it a replay?


def _check_scores(**scores: int) -> None:
    errors = {
        name: ValidationError(_("Give a score from 1 to 5."), code="out_of_range")
        for name, value in scores.items()
        if not 1 <= value <= 5
    }
    if errors:
        raise ValidationError(errors)


def _replayed(check_in: CheckIn, *, user: User) -> CheckIn:
    if check_in.user_id != user.pk:
        raise IdConflictError()
    return check_in


def checkin_create(
    *,
    user: User,
    mood: int,
    connection: int,
    note: str = "",
    is_shared: bool = False,
    id: UUID | None = None,
) -> tuple[CheckIn, bool]:
    """Records a check-in of `user`; returns (check_in, created).

    Unpaired users check in too (couple = None). A paired user's check-in records the active couple,
    which is what lets the partner read it while that couple lasts, and only if `is_shared`.
    `local_date` is the author's date in their own zone now, so weeks are the author's weeks.
    With a client-generated `id` a replay returns the first check-in unchanged (created=False).
    """
    entry = {"mood": mood, "connection": connection, "note": note, "is_shared": is_shared, "id": id}
    return checkins_create(user=user, entries=[entry])[0]


@atomic_retried_on_conflict  # two phones replaying one id at once: the second run finds the first's row
def checkins_create(
    *, user: User, entries: Sequence[Mapping[str, Any]], ids_absent: bool = False
) -> list[tuple[CheckIn, bool]]:
    """`checkin_create` for several check-ins at once (a phone's offline days), with one lookup of
    the given ids and one INSERT; returns (check_in, created) per entry, in order.

    `ids_absent`: the caller looked for the given ids in this transaction and found none (a sync
    push's chunk), so they are not looked up again; one inserted since then fails the INSERT."""
    for entry in entries:
        _check_scores(mood=entry["mood"], connection=entry["connection"])
    given = [entry["id"] for entry in entries if entry.get("id") is not None]
    found = {check_in.pk: check_in for check_in in _BY_IDS.objects(given)} if given and not ids_absent else {}
    now = timezone.now()
    couple_id = active_couple_id(user)
    local_date = now.astimezone(ZoneInfo(user.time_zone)).date()
    results: list[tuple[CheckIn, bool]] = []
    new: list[CheckIn] = []
    for entry in entries:
        existing = found.get(entry["id"]) if entry.get("id") is not None else None
        if existing is not None:
            results.append((_replayed(existing, user=user), False))
            continue
        check_in = CheckIn(
            id=entry.get("id") or new_id(),
            user=user,
            couple_id=couple_id,
            mood=entry["mood"],
            connection=entry["connection"],
            note=entry.get("note", ""),
            is_shared=entry.get("is_shared", False),
            local_date=local_date,
            created_at=now,
        )
        found[check_in.pk] = check_in  # the same id twice in one call: the second is a replay
        new.append(check_in)
        results.append((check_in, True))
    _INSERT.insert(new)
    # The INSERT sends no post_save: stamp them for sync as a save would.
    touch_created(new)
    return results
