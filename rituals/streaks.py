"""Streaks of a ritual: pure functions, no ORM.

The rule (also in docs/api.md, "Rituals"):

1. Occurrences are identified by their local calendar date in the ritual's time zone (a ritual has
   at most one occurrence per local date). Grace is measured in those calendar days, so DST (a 23-
   or 25-hour day) never decides whether a miss is forgiven.
2. An occurrence is *completed* when it counts for the couple: for a ritual that requires both
   confirmations, both partners completed it; otherwise at least one did. The caller decides and
   passes only the dates that count.
3. Walking the occurrences in order, each completed one adds 1 to the running streak.
4. A missed occurrence is *forgiven* when a later completed occurrence falls at most `grace_days`
   calendar days after it; a forgiven miss neither adds to nor breaks the streak. A miss that is not
   forgiven resets the running streak to 0. With `grace_days=0` no miss is ever forgiven.
5. A miss after the last completed occurrence is still *open* while today is at most `grace_days`
   days after it, and an occurrence dated today is always open (it may still be done or logged):
   open misses do not break the current streak.
6. `longest` is the highest running streak ever reached; `current` is the running streak at today.
   Occurrences dated after today are ignored.

Example, daily, grace 1: done Mon, Tue, missed Wed, done Thu (Wed forgiven: Thu is 1 day later)
-> 3. Missed Wed and Thu, done Fri: Wed is not forgiven (Fri is 2 days later) -> the streak restarts
at Fri (1).

The walk is done forwards: a miss is settled by the next completed occurrence, and only the first
miss after a completed one matters (it is the furthest from the next completion). So the state after
the last completed occurrence (`Checkpoint`) answers for every later day (`streak_at`) and advances
by one completed occurrence in O(1) (`checkpoint_add`), and so does a late completion inside the
running streak (`checkpoint_fill`); one before it walks only from the last unforgiven miss before
it to the first after it (`checkpoint_refill`); rituals store it (rituals.services.streaks).
"""

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from itertools import pairwise

from rituals.recurrence import zone


@dataclass(frozen=True)
class Streak:
    current: int = 0
    longest: int = 0


@dataclass(frozen=True)
class Checkpoint:
    """The walk of rule 3-4 up to the last completed occurrence, which is all any later day needs.

    After `last_done` every occurrence is missed until one is completed, so the streak on any day
    from `last_done` on follows from this alone (`streak_at`), and a newly completed occurrence
    after `last_done` advances it in O(1) (`checkpoint_add`). `next_due` is the first occurrence
    after `last_done` (None once the rule has ended): the first of those misses.
    """

    last_done: date | None = None  # None: no completed occurrence yet
    running: int = 0  # the running streak right after last_done
    longest: int = 0
    next_due: date | None = None
    # The first completed occurrence of the running streak (None: not known, for a checkpoint stored
    # before it was kept): an occurrence completed late after it and before last_done only lengthens
    # the run (`checkpoint_fill`).
    run_start: date | None = None


def checkpoint_add(checkpoint: Checkpoint, *, day: date, next_due: date | None, grace_days: int) -> Checkpoint:
    """`checkpoint` advanced by a completed occurrence on `day`, after its `last_done`, with every
    occurrence between them missed. `next_due` is the first occurrence after `day`."""
    if checkpoint.last_done is not None and day <= checkpoint.last_done:
        raise ValueError("a checkpoint only advances: recompute it for an earlier day")
    missed = checkpoint.next_due  # the earliest miss since last_done, if it falls before `day`
    # The earliest miss is the furthest from `day`: if it is forgiven, so are the ones after it.
    broken = missed is not None and missed < day and (day - missed).days > grace_days
    running = 1 if checkpoint.last_done is None or broken else checkpoint.running + 1
    run_start = day if running == 1 else checkpoint.run_start
    return Checkpoint(day, running, max(checkpoint.longest, running), next_due, run_start)


def checkpoint_fill(checkpoint: Checkpoint, *, day: date) -> Checkpoint | None:
    """`checkpoint` with the occurrence on `day`, which did not count, now completed, when `day`
    falls inside the running streak (after its first completed day, before `last_done`); None
    otherwise (or when the run's start is not known): then only walking the history answers.

    Inside the run every miss between two completed days was forgiven, so the completed days around
    `day` are still within grace of the misses on either side of it (the later one of a pair is no
    further from the first miss after `day` than from the first miss after the earlier one): the run
    is one longer, and nothing before it or after `last_done` changes."""
    start, last = checkpoint.run_start, checkpoint.last_done
    if start is None or last is None or not start < day < last:
        return None
    running = checkpoint.running + 1
    return replace(checkpoint, running=running, longest=max(checkpoint.longest, running))


# How many gaps between completed days `checkpoint_refill` checks for a broken streak (each check
# asks the rule for one occurrence) before it walks the whole history instead.
REFILL_CHECKS = 16


def checkpoint_refill(
    checkpoint: Checkpoint,
    *,
    day: date,
    counted: Collection[date],
    grace_days: int,
    occurrences_from: Callable[[date], Iterable[date]],
    next_occurrence: Callable[[date], date | None],
    last_added: date | None = None,
) -> Checkpoint | None:
    """The checkpoint of `counted` (which holds `day`, before `checkpoint`'s running streak, and
    may hold later days too, up to `last_added`), given `checkpoint` of the counted days before
    `day` and those were added; None when only walking the whole history answers (no break found
    within REFILL_CHECKS checks).

    A completed day changes only the runs around it: every run that ends before a miss that stays
    unforgiven, on or before `day`, is as it was. So the walk restarts at the latest completed day
    `start` <= `day` that such a miss precedes, and its `longest` is compared with the earlier
    runs' (`checkpoint.longest`, their maximum; runs from `start` on only grew). It stops at the
    first break after the last added day: a miss unforgiven with more days counted was unforgiven
    with fewer, so every run from there on is as it was, and so is the checkpoint but for `longest`
    (the walk stopped before `checkpoint.last_done`; otherwise it reached it). A miss before
    `later` is unforgiven when the first occurrence after the completed day before it is more than
    `grace_days` before `later`; a gap of at most `grace_days + 1` days can hold no such miss, so
    only wider gaps ask `next_occurrence` (the first occurrence after a day). A completed day that
    is not an occurrence does not hide a break: the first occurrence after the real completed day
    before it comes no later. `occurrences_from(start)` gives the occurrences from `start` on."""
    earlier = sorted((d for d in counted if d <= day), reverse=True)
    checks = 0
    for later, before in pairwise(earlier):
        if (later - before).days - 1 <= grace_days:
            continue
        if checks == REFILL_CHECKS:
            return None
        checks += 1
        due = next_occurrence(before)
        if due is not None and due < later and (later - due).days > grace_days:
            walked = checkpoint_of(
                occurrences=occurrences_from(later),
                completed={d for d in counted if d >= later},
                grace_days=grace_days,
                until_break_after=last_added or day,
            )
            stopped = (
                walked.last_done is not None
                and checkpoint.last_done is not None
                and walked.last_done < checkpoint.last_done
            )
            return replace(checkpoint if stopped else walked, longest=max(walked.longest, checkpoint.longest))
    return None


def checkpoint_of(
    *, occurrences: Iterable[date], completed: Collection[date], grace_days: int, until_break_after: date | None = None
) -> Checkpoint:
    """The checkpoint after every completed occurrence. `occurrences` are local dates in ascending
    order and may be lazy and endless: the walk stops at the first one after the last completed
    date. Completed dates that are not occurrences count for nothing. With `until_break_after`, the
    walk stops at the first completed occurrence after that day that an unforgiven miss precedes (a
    break: the running streak restarts there) and returns the checkpoint before it."""
    last = max(completed, default=None)
    checkpoint = Checkpoint()
    if last is None:
        return checkpoint
    missed: date | None = None  # the first miss after checkpoint.last_done
    previous: date | None = None
    for day in occurrences:
        if previous is not None and day <= previous:
            continue  # the same local date twice (a repeated wall time around a DST change)
        previous = day
        if day > last:
            return _with_next_due(checkpoint, missed or day)
        if day in completed:
            added = checkpoint_add(_with_next_due(checkpoint, missed), day=day, next_due=None, grace_days=grace_days)
            if until_break_after is not None and day > until_break_after and added.running == 1:
                return _with_next_due(checkpoint, missed)
            checkpoint, missed = added, None
        elif missed is None:
            missed = day
    return _with_next_due(checkpoint, missed)


def _with_next_due(checkpoint: Checkpoint, next_due: date | None) -> Checkpoint:
    if checkpoint.last_done is None:
        return Checkpoint()
    # Built directly: the walk calls this once per completed day, and replace() costs several times more.
    return Checkpoint(checkpoint.last_done, checkpoint.running, checkpoint.longest, next_due, checkpoint.run_start)


def streak_at(checkpoint: Checkpoint, *, today: date, grace_days: int) -> Streak:
    """The streak on `today` (on or after `checkpoint.last_done`): rules 5 and 6 over the misses
    after the last completed occurrence."""
    if checkpoint.last_done is None:
        return Streak()
    if today < checkpoint.last_done:
        raise ValueError("a checkpoint answers for its last completed day and later only")
    missed = checkpoint.next_due
    closed = missed is not None and missed <= today and (today - missed).days > grace_days
    return Streak(current=0 if closed else checkpoint.running, longest=checkpoint.longest)


def streaks_by_day(*, occurrences: Iterable[date], completed: Collection[date], grace_days: int, today: date) -> Streak:
    """Streaks over occurrences given as local dates (any order; duplicates and dates after today
    are ignored) and the set of dates whose occurrence counts as completed."""
    days = sorted({day for day in occurrences if day <= today})
    done = {day for day in completed if day <= today}
    checkpoint = checkpoint_of(occurrences=days, completed=done, grace_days=grace_days)
    return streak_at(checkpoint, today=today, grace_days=grace_days)


def streaks(
    *, occurrences: Iterable[datetime], completed: Collection[datetime], grace_days: int, time_zone: str, now: datetime
) -> Streak:
    """The same rule over aware occurrence instants: `completed` holds the instants of the
    occurrences that count as completed; dates are taken in `time_zone` (the ritual's)."""
    tz = zone(time_zone)
    return streaks_by_day(
        occurrences=(instant.astimezone(tz).date() for instant in occurrences),
        completed={instant.astimezone(tz).date() for instant in completed},
        grace_days=grace_days,
        today=now.astimezone(tz).date(),
    )
