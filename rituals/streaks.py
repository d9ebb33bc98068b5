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
"""

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime

from rituals.recurrence import zone


@dataclass(frozen=True)
class Streak:
    current: int = 0
    longest: int = 0


def streaks_by_day(*, occurrences: Iterable[date], completed: Collection[date], grace_days: int, today: date) -> Streak:
    """Streaks over occurrences given as local dates (any order; duplicates and dates after today
    are ignored) and the set of dates whose occurrence counts as completed."""
    days = sorted({day for day in occurrences if day <= today})
    done = [day in completed for day in days]
    # The date of the next completed occurrence after each index, walking backwards once.
    next_done: list[date | None] = [None] * len(days)
    following: date | None = None
    for index in range(len(days) - 1, -1, -1):
        next_done[index] = following
        if done[index]:
            following = days[index]

    running = longest = 0
    for index, day in enumerate(days):
        if done[index]:
            running += 1
            longest = max(longest, running)
            continue
        later = next_done[index]
        forgiven = (later - day).days <= grace_days if later is not None else (today - day).days <= grace_days
        if not forgiven:
            running = 0
    return Streak(current=running, longest=longest)


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
