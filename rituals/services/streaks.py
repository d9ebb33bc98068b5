"""The streak checkpoint stored on each ritual (rituals.streaks.Checkpoint): kept here, inside the
transactions that change what it derives from, and read by rituals.selectors.rituals.

It derives from the ritual's schedule (rrule, start_date, local_time, time_zone), grace_days,
requires_both_confirmation and the local dates its completions count on. So:

- completion_record advances it when an occurrence starts to count: in O(1) for an occurrence after
  the last counted one (the usual case) or inside the running streak (a late one the partner's
  later completion kept forgiven); for one before the running streak it walks the history from the
  last unforgiven miss before that day (rituals.streaks.checkpoint_refill);
- ritual_update recomputes it when one of STREAK_INPUTS changes;
- any other write of a completion (a cascade from a deleted account, a direct ORM write in a shell
  or a test) marks it invalid (the receivers below): reads then walk the history, and the next
  counted completion recomputes it. Rows loaded outside the ORM start invalid (db_default).

Writers hold the ritual's row lock (SELECT ... FOR UPDATE) while they read and write it.
"""

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from rituals import recurrence
from rituals.models import Completion, Ritual
from rituals.models.ritual import STREAK_FIELDS
from rituals.selectors.rituals import checkpoint_from_history, counted_days
from rituals.streaks import Checkpoint, checkpoint_add, checkpoint_fill, checkpoint_refill

# How far back a refill first looks for the miss its walk starts after (see streak_days_counted).
REFILL_WEEKS = 8
STREAK_INPUTS = ("rrule", "start_date", "local_time", "time_zone", "grace_days", "requires_both_confirmation")
# Set on a Completion whose streak effect its writer handles itself (completion_record).
KEPT = "_streak_kept"


def streak_checkpoint_recompute(*, ritual: Ritual) -> None:
    """Walks the ritual's whole history into its checkpoint (set on `ritual`, not saved)."""
    counted = counted_days(rituals=[ritual])[ritual.pk]
    ritual.streak_checkpoint = checkpoint_from_history(ritual=ritual, counted=counted)


def streak_days_counted(*, ritual: Ritual, days: list[date]) -> None:
    """Same for several days whose completions are all written: each day after the last counted
    one, or inside the running streak, advances the checkpoint in O(1); an earlier one makes it walk
    the history once, from the last unforgiven miss before it (which then counts every later day).
    One UPDATE."""
    for day in sorted(days):
        checkpoint = ritual.streak_checkpoint
        if checkpoint is not None and checkpoint.last_done is not None and day <= checkpoint.last_done:
            filled = checkpoint_fill(checkpoint, day=day)  # a late day inside the running streak
            if filled is not None:
                ritual.streak_checkpoint = filled
                continue
            # Before the running streak: a walk from the last unforgiven miss before it, which
            # counts every later day too. That miss is looked for in the counted days of the last
            # REFILL_WEEKS first (the read and its grouping by local date cost the database more
            # than the rest of a completion), then in the whole history, else the whole walk.
            since = recurrence.local_day_bounds(day - timedelta(weeks=REFILL_WEEKS), ritual.time_zone)[0]
            last = max(days)
            refilled = _refill(ritual, checkpoint, day, last, counted_days(rituals=[ritual], since=since)[ritual.pk])
            if refilled is None:
                counted = counted_days(rituals=[ritual])[ritual.pk]
                refilled = _refill(ritual, checkpoint, day, last, counted) or checkpoint_from_history(
                    ritual=ritual, counted=counted
                )
            ritual.streak_checkpoint = refilled
            break
        if checkpoint is None:
            streak_checkpoint_recompute(ritual=ritual)
            break
        next_due = recurrence.next_occurrence_date_after(**_schedule(ritual), day=day)
        ritual.streak_checkpoint = checkpoint_add(checkpoint, day=day, next_due=next_due, grace_days=ritual.grace_days)
    # An UPDATE, not save(): derived data, so no updated_at bump (ETag) and no sync stamp.
    Ritual.objects.filter(pk=ritual.pk).update(**{name: getattr(ritual, name) for name in STREAK_FIELDS})


def _refill(ritual: Ritual, checkpoint: Checkpoint, day: date, last: date, counted: set[date]) -> Checkpoint | None:
    """`checkpoint_refill` over `counted`: every counted day of the ritual from some day on (a break
    it finds between two of them is one of the history's; finding none proves nothing), `day` to
    `last` the ones `checkpoint` does not hold yet."""
    return checkpoint_refill(
        checkpoint,
        day=day,
        last_added=last,
        counted=counted,
        grace_days=ritual.grace_days,
        occurrences_from=lambda start: recurrence.occurrence_dates(**_schedule(ritual), from_day=start),
        next_occurrence=lambda after: recurrence.next_occurrence_date_after(**_schedule(ritual), day=after),
    )


def _schedule(ritual: Ritual) -> dict[str, Any]:
    return {
        "rrule": ritual.rrule,
        "start_date": ritual.start_date,
        "local_time": ritual.local_time,
        "time_zone": ritual.time_zone,
    }


@transaction.atomic
def streak_checkpoints_refresh(*, ritual_ids: Iterable[UUID]) -> int:
    """Recomputes and saves the checkpoints of these rituals, locked (a backfill: one query for
    their completions, a walk over each history). Returns how many it saved."""
    batch = list(Ritual.objects.select_for_update().filter(pk__in=list(ritual_ids)).order_by("pk"))
    counted = counted_days(rituals=batch)
    for ritual in batch:
        ritual.streak_checkpoint = checkpoint_from_history(ritual=ritual, counted=counted[ritual.pk])
    return Ritual.objects.bulk_update(batch, STREAK_FIELDS)


def _invalidate(ritual_id: Any) -> None:
    Ritual.objects.filter(pk=ritual_id, streak_valid=True).update(streak_valid=False)


def _on_completion_saved(sender: Any, instance: Completion, **kwargs: Any) -> None:
    if not getattr(instance, KEPT, False):
        _invalidate(instance.ritual_id)


def _on_completion_deleted(sender: Any, instance: Completion, **kwargs: Any) -> None:
    _invalidate(instance.ritual_id)


def connect() -> None:
    post_save.connect(_on_completion_saved, sender=Completion, weak=False, dispatch_uid="rituals.streak_saved")
    post_delete.connect(_on_completion_deleted, sender=Completion, weak=False, dispatch_uid="rituals.streak_deleted")
