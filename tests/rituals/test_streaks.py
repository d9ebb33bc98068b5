"""rituals.streaks: consecutive completed occurrences with grace days. No database."""

from datetime import UTC, date, datetime, timedelta

import pytest

from rituals.streaks import Streak, streaks, streaks_by_day

MONDAY = date(2026, 3, 2)


def daily(pattern: str, *, grace: int = 0, today_offset: int | None = None) -> Streak:
    """`pattern` is one letter per daily occurrence from MONDAY: x = completed, . = missed.
    Today is the last day of the pattern unless `today_offset` says otherwise."""
    days = [MONDAY + timedelta(days=i) for i in range(len(pattern))]
    completed = {day for day, mark in zip(days, pattern, strict=True) if mark == "x"}
    today = MONDAY + timedelta(days=len(pattern) - 1 if today_offset is None else today_offset)
    return streaks_by_day(occurrences=days, completed=completed, grace_days=grace, today=today)


@pytest.mark.parametrize(
    ("pattern", "grace", "current", "longest"),
    [
        ("", 0, 0, 0),
        ("x", 0, 1, 1),
        ("xxxx", 0, 4, 4),
        ("xx.xx", 0, 2, 2),  # no grace: a miss breaks it
        ("xx.xx", 1, 4, 4),  # grace 1: the miss is followed by a completion the next day
        ("xx..x", 1, 1, 2),  # the first miss is 2 days before the next completion: not forgiven
        ("xx..x", 2, 3, 3),
        ("xxx..", 0, 0, 3),  # two closed misses at the end
        ("xxx..", 1, 3, 3),  # yesterday's miss and today's are both still open
        ("xxx...", 1, 0, 3),  # the miss two days ago is closed
        ("xxx...", 2, 3, 3),
        ("...xx", 0, 2, 2),  # misses before the first completion do not matter
        ("x.x.x.x", 1, 4, 4),
        ("xxxxx.x.xxx", 1, 9, 9),
        ("xxxxx...xx", 1, 2, 5),
    ],
)
def test_daily_patterns(pattern, grace, current, longest):
    assert daily(pattern, grace=grace) == Streak(current=current, longest=longest)


def test_an_occurrence_still_in_progress_today_does_not_break_the_current_streak():
    # Done Monday to Thursday, Friday (today) not done yet, even with no grace at all.
    assert daily("xxxx.", grace=0) == Streak(current=4, longest=4)
    # The day after, Friday's miss is closed.
    assert daily("xxxx.", grace=0, today_offset=5) == Streak(current=0, longest=4)


def test_occurrences_after_today_are_ignored():
    assert daily("xxx....", grace=0, today_offset=2) == Streak(current=3, longest=3)


def test_a_weekly_ritual_with_grace_days():
    sundays = [date(2026, 3, 1) + timedelta(weeks=i) for i in range(4)]
    done = {sundays[0], sundays[1], sundays[3]}
    today = sundays[3]

    # The next completion is 7 days after the miss: forgiven only with 7 grace days.
    assert streaks_by_day(occurrences=sundays, completed=done, grace_days=1, today=today) == Streak(1, 2)
    assert streaks_by_day(occurrences=sundays, completed=done, grace_days=7, today=today) == Streak(3, 3)


def test_order_and_duplicates_do_not_matter():
    days = [MONDAY + timedelta(days=i) for i in (2, 0, 1, 1)]
    assert streaks_by_day(occurrences=days, completed=set(days), grace_days=0, today=days[0]) == Streak(3, 3)


def test_completions_on_dates_without_an_occurrence_do_not_count():
    days = [MONDAY, MONDAY + timedelta(days=2)]
    done = {MONDAY, MONDAY + timedelta(days=1), MONDAY + timedelta(days=2)}
    assert streaks_by_day(occurrences=days, completed=done, grace_days=0, today=days[1]) == Streak(2, 2)


def test_instants_are_grouped_by_local_day_so_dst_does_not_decide_grace():
    # Daily at 19:00 in Berlin across the fall-back night: the occurrences are 25 hours apart, but
    # the missed Saturday is followed by a completion the next calendar day, within 1 grace day.
    saturday, sunday, monday = (
        datetime(2025, 10, 25, 17, tzinfo=UTC),
        datetime(2025, 10, 26, 18, tzinfo=UTC),
        datetime(2025, 10, 27, 18, tzinfo=UTC),
    )
    friday = datetime(2025, 10, 24, 17, tzinfo=UTC)

    result = streaks(
        occurrences=[friday, saturday, sunday, monday],
        completed={friday, sunday, monday},
        grace_days=1,
        time_zone="Europe/Berlin",
        now=monday + timedelta(hours=1),
    )

    assert result == Streak(current=3, longest=3)


def test_today_is_the_ritual_zones_today():
    # 23:30 UTC on the 2nd is already the 3rd in Kolkata: the 3rd's occurrence is in progress.
    occurrences = [datetime(2026, 3, d, 13, 30, tzinfo=UTC) for d in (1, 2, 3)]
    completed = set(occurrences[:2])

    result = streaks(
        occurrences=occurrences,
        completed=completed,
        grace_days=0,
        time_zone="Asia/Kolkata",
        now=datetime(2026, 3, 3, 23, 30, tzinfo=UTC),  # the 4th in Kolkata: the 3rd is closed
    )
    assert result == Streak(current=0, longest=2)

    result = streaks(
        occurrences=occurrences,
        completed=completed,
        grace_days=0,
        time_zone="Asia/Kolkata",
        now=datetime(2026, 3, 3, 12, 0, tzinfo=UTC),
    )
    assert result == Streak(current=2, longest=2)
