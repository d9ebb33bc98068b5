"""Writes on check-ins: a partner's own record of how they feel, private unless they share it."""

import uuid
from uuid import UUID
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from config.api.errors import ConflictError
from couples.scoping import active_couple_id
from rituals.models import CheckIn

SCORE_FIELDS = ("mood", "connection")


class CheckInIdConflictError(ConflictError):
    code = "id_conflict"
    message = "This id is already used by another record. Generate a new one."


def _check_scores(**scores: int) -> None:
    errors = {
        name: ValidationError("Give a score from 1 to 5.", code="out_of_range")
        for name, value in scores.items()
        if not 1 <= value <= 5
    }
    if errors:
        raise ValidationError(errors)


def _replayed(check_in: CheckIn, *, user: User) -> CheckIn:
    if check_in.user_id != user.pk:
        raise CheckInIdConflictError()
    return check_in


@transaction.atomic
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
    _check_scores(mood=mood, connection=connection)
    if id is not None:
        existing = CheckIn.objects.filter(pk=id).first()
        if existing is not None:
            return _replayed(existing, user=user), False
    now = timezone.now()
    check_in = CheckIn(
        id=id or uuid.uuid4(),
        user=user,
        couple_id=active_couple_id(user),
        mood=mood,
        connection=connection,
        note=note,
        is_shared=is_shared,
        local_date=now.astimezone(ZoneInfo(user.time_zone)).date(),
        created_at=now,
    )
    try:
        with transaction.atomic():  # a savepoint: two phones replaying one id at once must not abort ours
            check_in.save(force_insert=True)
    except IntegrityError:
        existing = CheckIn.objects.filter(pk=check_in.pk).first()
        if existing is None:
            raise
        return _replayed(existing, user=user), False
    return check_in, True
