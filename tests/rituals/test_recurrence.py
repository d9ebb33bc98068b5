"""rituals.recurrence: the RRULE subset, and expansion in the ritual's zone across DST. No database."""

import random
import time as clock
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from rituals import recurrence
from rituals.recurrence import first_occurrence, is_occurrence, next_occurrence_after, occurrences, parse_rrule


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def expand(rule: str, start_date: date, at: time, zone: str, start: datetime, end: datetime) -> list[datetime]:
    return occurrences(rrule=rule, start_date=start_date, local_time=at, time_zone=zone, start=start, end=end)


def wall(instants: list[datetime], zone: str) -> list[str]:
    tz = recurrence.zone(zone)
    return [i.astimezone(tz).strftime("%Y-%m-%d %H:%M %z") for i in instants]


# Parsing -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "normalized"),
    [
        ("FREQ=DAILY", "FREQ=DAILY"),
        ("freq=weekly;byday=su", "FREQ=WEEKLY;BYDAY=SU"),
        ("RRULE:FREQ=WEEKLY;BYDAY=MO,WE,FR;INTERVAL=2", "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE,FR"),
        ("FREQ=DAILY;INTERVAL=1", "FREQ=DAILY"),
        ("FREQ=MONTHLY;BYDAY=-1FR", "FREQ=MONTHLY;BYDAY=-1FR"),
        ("FREQ=MONTHLY;BYDAY=+1SU,1SU,-2SA", "FREQ=MONTHLY;BYDAY=1SU,-2SA"),
        ("FREQ=WEEKLY;COUNT=10", "FREQ=WEEKLY;COUNT=10"),
        ("FREQ=WEEKLY;UNTIL=20261231", "FREQ=WEEKLY;UNTIL=20261231"),
        ("FREQ=DAILY;UNTIL=20261231T235959Z;", "FREQ=DAILY;UNTIL=20261231T235959Z"),
        ("FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR", "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR"),
    ],
)
def test_supported_rules_parse_and_normalize(text, normalized):
    assert parse_rrule(text)["text"] == normalized


def test_a_parsed_rule_has_its_parts():
    rule = parse_rrule("FREQ=MONTHLY;INTERVAL=2;BYDAY=-1FR;UNTIL=20261231T180000Z")

    assert rule["freq"] == "MONTHLY"
    assert rule["interval"] == 2
    assert rule["byday"] == ["-1FR"]
    assert rule["count"] is None
    assert rule["until"] == utc(2026, 12, 31, 18)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "Enter a recurrence rule"),
        ("   ", "Enter a recurrence rule"),
        ("FREQ=YEARLY", "FREQ=YEARLY is not supported"),
        ("FREQ=HOURLY", "FREQ=HOURLY is not supported"),
        ("FREQ=DAILY;BYHOUR=9", "BYHOUR is not supported"),
        ("FREQ=MONTHLY;BYMONTHDAY=1", "BYMONTHDAY is not supported"),
        ("FREQ=WEEKLY;WKST=SU", "WKST is not supported"),
        ("DTSTART:20260101T090000\nRRULE:FREQ=DAILY", "without DTSTART"),
        ("DTSTART=20260101;FREQ=DAILY", "without DTSTART"),
        ("INTERVAL=2", "FREQ is required"),
        ("FREQ=DAILY;FREQ=WEEKLY", "more than once"),
        ("every sunday", "NAME=VALUE"),
        ("FREQ=DAILY;;BYDAY=MO", "NAME=VALUE"),
        ("FREQ=DAILY;INTERVAL=0", "INTERVAL must be a whole number from 1 to 365"),
        ("FREQ=DAILY;INTERVAL=366", "INTERVAL must be"),
        ("FREQ=DAILY;INTERVAL=-1", "INTERVAL must be"),
        ("FREQ=DAILY;INTERVAL=two", "INTERVAL must be"),
        ("FREQ=DAILY;COUNT=0", "COUNT must be a whole number from 1 to 1000"),
        ("FREQ=DAILY;COUNT=1001", "COUNT must be"),
        ("FREQ=DAILY;COUNT=5;UNTIL=20261231", "COUNT and UNTIL cannot be used together"),
        ("FREQ=DAILY;UNTIL=20260230", "not a real date"),
        ("FREQ=DAILY;UNTIL=20261231T235959", "UTC date-time ending in Z"),
        ("FREQ=DAILY;UNTIL=2026-12-31", "UNTIL must be a date"),
        ("FREQ=DAILY;UNTIL=99991231", "between the years"),
        ("FREQ=WEEKLY;BYDAY=SUN", "is not a weekday"),
        ("FREQ=WEEKLY;BYDAY=1SU", "only allowed with FREQ=MONTHLY"),
        ("FREQ=DAILY;BYDAY=-1FR", "only allowed with FREQ=MONTHLY"),
        ("FREQ=MONTHLY;BYDAY=6SU", "from 1 to 5"),
        ("FREQ=MONTHLY;BYDAY=0SU", "from 1 to 5"),
        ("FREQ=MONTHLY;BYDAY=-SU", "has a sign but no number"),
    ],
)
def test_anything_outside_the_subset_is_a_clear_validation_error(text, says):
    with pytest.raises(ValidationError) as raised:
        parse_rrule(text)

    assert raised.value.code == "invalid_rrule"
    assert says in raised.value.messages[0]


def test_a_non_string_rule_is_a_validation_error():
    with pytest.raises(ValidationError):
        parse_rrule(None)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", ["Mars/Olympus", "+02:00", "", "../../etc/passwd", "localtime", "EST5EDT "])
def test_an_unknown_zone_is_a_validation_error(name):
    with pytest.raises(ValidationError) as raised:
        recurrence.zone(name)

    assert raised.value.code == "invalid_time_zone"


# The DST matrix ------------------------------------------------------------------------------------

# A weekly Sunday ritual at 19:00 local, across both transitions of 2025 in each zone: the wall time
# never moves; the UTC instant moves by the offset change.
WEEKLY_ACROSS_DST = {
    "Europe/Berlin": {
        (date(2025, 3, 23), date(2025, 4, 6)): [utc(2025, 3, 23, 18), utc(2025, 3, 30, 17), utc(2025, 4, 6, 17)],
        (date(2025, 10, 19), date(2025, 11, 2)): [utc(2025, 10, 19, 17), utc(2025, 10, 26, 18), utc(2025, 11, 2, 18)],
    },
    "America/New_York": {
        (date(2025, 3, 2), date(2025, 3, 16)): [utc(2025, 3, 3, 0), utc(2025, 3, 9, 23), utc(2025, 3, 16, 23)],
        (date(2025, 10, 26), date(2025, 11, 9)): [utc(2025, 10, 26, 23), utc(2025, 11, 3, 0), utc(2025, 11, 10, 0)],
    },
    # Southern hemisphere: summer time ENDS on the first Sunday of April and STARTS in October.
    "Australia/Sydney": {
        (date(2025, 3, 30), date(2025, 4, 13)): [utc(2025, 3, 30, 8), utc(2025, 4, 6, 9), utc(2025, 4, 13, 9)],
        (date(2025, 9, 28), date(2025, 10, 12)): [utc(2025, 9, 28, 9), utc(2025, 10, 5, 8), utc(2025, 10, 12, 8)],
    },
    # No DST and a half-hour offset: always 13:30 UTC.
    "Asia/Kolkata": {
        (date(2025, 3, 23), date(2025, 4, 6)): [
            utc(2025, 3, 23, 13, 30),
            utc(2025, 3, 30, 13, 30),
            utc(2025, 4, 6, 13, 30),
        ],
        (date(2025, 10, 19), date(2025, 11, 2)): [
            utc(2025, 10, 19, 13, 30),
            utc(2025, 10, 26, 13, 30),
            utc(2025, 11, 2, 13, 30),
        ],
    },
}


@pytest.mark.parametrize(
    ("zone", "first", "last", "expected"),
    [
        (zone, first, last, expected)
        for zone, cases in WEEKLY_ACROSS_DST.items()
        for (first, last), expected in cases.items()
    ],
)
def test_a_weekly_ritual_stays_at_19_00_local_across_dst(zone, first, last, expected):
    tz = recurrence.zone(zone)
    start = datetime.combine(first, time.min, tzinfo=tz)
    end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=tz)

    found = expand("FREQ=WEEKLY;BYDAY=SU", date(2025, 1, 1), time(19), zone, start, end)

    assert found == expected
    assert all(instant.tzinfo is UTC for instant in found)
    assert {instant.astimezone(tz).strftime("%H:%M") for instant in found} == {"19:00"}


# A daily ritual at a local time that does not exist on the spring-forward day happens once, at the
# wall time shifted by the gap; one that happens twice on the fall-back day happens once, the first.
GAPS_AND_OVERLAPS = [
    # zone, local time, the day, its UTC instant that day, its wall time that day
    ("Europe/Berlin", time(2, 30), date(2025, 3, 30), utc(2025, 3, 30, 1, 30), "03:30 +0200"),
    ("America/New_York", time(2, 30), date(2025, 3, 9), utc(2025, 3, 9, 7, 30), "03:30 -0400"),
    ("Australia/Sydney", time(2, 30), date(2025, 10, 5), utc(2025, 10, 4, 16, 30), "03:30 +1100"),
    ("Europe/Berlin", time(2, 30), date(2025, 10, 26), utc(2025, 10, 26, 0, 30), "02:30 +0200"),
    ("America/New_York", time(1, 30), date(2025, 11, 2), utc(2025, 11, 2, 5, 30), "01:30 -0400"),
    ("Australia/Sydney", time(2, 30), date(2025, 4, 6), utc(2025, 4, 5, 15, 30), "02:30 +1100"),
]


@pytest.mark.parametrize(("zone", "at", "day", "instant", "shown"), GAPS_AND_OVERLAPS)
def test_a_daily_ritual_at_a_nonexistent_or_ambiguous_time_happens_once(zone, at, day, instant, shown):
    tz = recurrence.zone(zone)
    start = datetime.combine(day - timedelta(days=1), time.min, tzinfo=tz)
    end = datetime.combine(day + timedelta(days=2), time.min, tzinfo=tz)

    found = expand("FREQ=DAILY", date(2025, 1, 1), at, zone, start, end)

    assert len(found) == 3  # the day before, the day itself (once), the day after
    assert found[1] == instant
    assert wall([found[1]], zone) == [f"{day:%Y-%m-%d} {shown}"]
    # The neighbours are at the plain local time.
    assert wall([found[0]], zone)[0][11:16] == at.strftime("%H:%M")
    assert wall([found[2]], zone)[0][11:16] == at.strftime("%H:%M")
    assert is_occurrence(rrule="FREQ=DAILY", start_date=date(2025, 1, 1), local_time=at, time_zone=zone, at=instant)


def test_the_second_pass_of_an_ambiguous_time_is_not_an_occurrence():
    # 02:30 CET (the second 02:30 in Berlin on 2025-10-26) is 01:30 UTC.
    args: dict[str, Any] = {"rrule": "FREQ=DAILY", "start_date": date(2025, 1, 1), "local_time": time(2, 30)}

    assert not is_occurrence(**args, time_zone="Europe/Berlin", at=utc(2025, 10, 26, 1, 30))
    assert is_occurrence(**args, time_zone="Europe/Berlin", at=utc(2025, 10, 26, 0, 30))


def test_a_gap_at_midnight_still_gives_the_day_one_occurrence():
    # America/Santiago skipped 00:00-01:00 on 2024-09-08.
    found = expand("FREQ=DAILY", date(2024, 9, 1), time(0, 15), "America/Santiago", utc(2024, 9, 7), utc(2024, 9, 10))

    assert wall(found, "America/Santiago") == [
        "2024-09-07 00:15 -0400",
        "2024-09-08 01:15 -0300",
        "2024-09-09 00:15 -0300",
    ]


# The rule parts ------------------------------------------------------------------------------------

BERLIN = "Europe/Berlin"
JANUARY = (utc(2026, 1, 1), utc(2026, 2, 1))


def days(instants: list[datetime], zone: str = BERLIN) -> list[int]:
    tz = recurrence.zone(zone)
    return [i.astimezone(tz).day for i in instants]


def test_interval():
    assert days(expand("FREQ=DAILY;INTERVAL=10", date(2026, 1, 1), time(9), BERLIN, *JANUARY)) == [1, 11, 21, 31]
    # Every other week from Thursday 1 January: the 1st, 15th and 29th.
    assert days(expand("FREQ=WEEKLY;INTERVAL=2", date(2026, 1, 1), time(9), BERLIN, *JANUARY)) == [1, 15, 29]


def test_byday():
    assert days(expand("FREQ=WEEKLY;BYDAY=TU,SA", date(2026, 1, 1), time(9), BERLIN, *JANUARY)) == [
        3, 6, 10, 13, 17, 20, 24, 27, 31
    ]  # fmt: skip
    weekdays = expand("FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR", date(2026, 1, 1), time(9), BERLIN, *JANUARY)
    assert len(weekdays) == 22
    # Weeks count from Monday: every other week's Monday and Sunday, from the week of Jan 1.
    assert days(expand("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,SU", date(2026, 1, 1), time(9), BERLIN, *JANUARY)) == [
        4, 12, 18, 26
    ]  # fmt: skip


def test_count_counts_from_the_start_date():
    rule = "FREQ=WEEKLY;BYDAY=SU;COUNT=3"
    assert days(expand(rule, date(2026, 1, 1), time(19), BERLIN, *JANUARY)) == [4, 11, 18]
    # A window after the third one is empty, however far it is.
    assert expand(rule, date(2026, 1, 1), time(19), BERLIN, utc(2026, 1, 19), utc(2026, 12, 1)) == []


def test_until_as_a_date_includes_that_whole_local_day():
    found = expand("FREQ=DAILY;UNTIL=20260105", date(2026, 1, 1), time(23, 30), BERLIN, *JANUARY)
    assert days(found) == [1, 2, 3, 4, 5]


def test_until_as_a_utc_instant_is_inclusive_and_exact():
    # 19:00 Berlin in January is 18:00 UTC.
    rule = "FREQ=DAILY;UNTIL=20260103T180000Z"
    assert days(expand(rule, date(2026, 1, 1), time(19), BERLIN, *JANUARY)) == [1, 2, 3]
    rule = "FREQ=DAILY;UNTIL=20260103T175959Z"
    assert days(expand(rule, date(2026, 1, 1), time(19), BERLIN, *JANUARY)) == [1, 2]


def test_monthly_last_friday():
    found = expand("FREQ=MONTHLY;BYDAY=-1FR", date(2026, 1, 1), time(20), BERLIN, utc(2026, 1, 1), utc(2026, 7, 1))
    assert [f"{i.astimezone(recurrence.zone(BERLIN)):%m-%d %H:%M}" for i in found] == [
        "01-30 20:00", "02-27 20:00", "03-27 20:00", "04-24 20:00", "05-29 20:00", "06-26 20:00"
    ]  # fmt: skip


def test_monthly_first_sunday_and_on_the_start_day():
    found = expand("FREQ=MONTHLY;BYDAY=1SU", date(2026, 1, 1), time(10), BERLIN, utc(2026, 1, 1), utc(2026, 4, 1))
    assert [i.date() for i in found] == [date(2026, 1, 4), date(2026, 2, 1), date(2026, 3, 1)]
    # Without BYDAY a monthly ritual falls on start_date's day of the month, skipping months without it.
    found = expand("FREQ=MONTHLY", date(2026, 1, 31), time(10), BERLIN, utc(2026, 1, 1), utc(2026, 6, 1))
    assert [i.date() for i in found] == [date(2026, 1, 31), date(2026, 3, 31), date(2026, 5, 31)]


def test_nothing_before_the_start_date():
    found = expand("FREQ=DAILY", date(2026, 1, 30), time(9), BERLIN, *JANUARY)
    assert days(found) == [30, 31]


def test_the_window_is_half_open():
    found = expand("FREQ=DAILY", date(2026, 1, 1), time(9), BERLIN, utc(2026, 1, 2, 8), utc(2026, 1, 4, 8))
    assert found == [utc(2026, 1, 2, 8), utc(2026, 1, 3, 8)]


def test_an_empty_or_reversed_window_is_empty():
    assert expand("FREQ=DAILY", date(2026, 1, 1), time(9), BERLIN, utc(2026, 1, 5), utc(2026, 1, 5)) == []
    assert expand("FREQ=DAILY", date(2026, 1, 1), time(9), BERLIN, utc(2026, 1, 5), utc(2026, 1, 1)) == []


def test_a_window_of_more_than_400_days_is_refused():
    assert len(expand("FREQ=DAILY", date(2026, 1, 1), time(9), BERLIN, utc(2026, 1, 1), utc(2027, 2, 5))) == 400
    with pytest.raises(ValidationError) as raised:
        expand("FREQ=DAILY", date(2026, 1, 1), time(9), BERLIN, utc(2026, 1, 1), utc(2027, 2, 5, 0, 0, 1))
    assert raised.value.code == "range_too_long"


def test_naive_bounds_are_a_programming_error():
    with pytest.raises(ValueError, match="aware"):
        expand("FREQ=DAILY", date(2026, 1, 1), time(9), BERLIN, datetime(2026, 1, 1), utc(2026, 1, 2))  # noqa: DTZ001


def test_a_rule_that_can_never_occur_is_empty_at_once():
    # Every 7 days from a Thursday only ever lands on Thursdays.
    args: dict[str, Any] = {
        "rrule": "FREQ=DAILY;INTERVAL=7;BYDAY=MO",
        "start_date": date(2026, 1, 1),
        "local_time": time(9),
    }
    began = clock.monotonic()

    assert first_occurrence(**args, time_zone=BERLIN) is None
    assert next_occurrence_after(**args, time_zone=BERLIN, after=utc(2026, 1, 1)) is None
    assert occurrences(**args, time_zone=BERLIN, start=utc(2026, 1, 1), end=utc(2026, 12, 1)) == []
    assert clock.monotonic() - began < 0.5


# next_occurrence_after and is_occurrence -----------------------------------------------------------


def test_next_occurrence_after_is_strictly_after():
    args: dict[str, Any] = {"rrule": "FREQ=WEEKLY;BYDAY=SU", "start_date": date(2025, 1, 1), "local_time": time(19)}

    assert next_occurrence_after(**args, time_zone=BERLIN, after=utc(2025, 3, 30, 16)) == utc(2025, 3, 30, 17)
    assert next_occurrence_after(**args, time_zone=BERLIN, after=utc(2025, 3, 30, 17)) == utc(2025, 4, 6, 17)
    # Before the start date, the first occurrence.
    assert next_occurrence_after(**args, time_zone=BERLIN, after=utc(2020, 1, 1)) == utc(2025, 1, 5, 18)


def test_next_occurrence_after_ends_with_the_rule():
    args: dict[str, Any] = {"start_date": date(2025, 1, 1), "local_time": time(19), "time_zone": BERLIN}

    assert next_occurrence_after(rrule="FREQ=DAILY;COUNT=2", **args, after=utc(2025, 1, 2, 18)) is None
    assert next_occurrence_after(rrule="FREQ=DAILY;UNTIL=20250110", **args, after=utc(2025, 1, 10, 18)) is None
    assert next_occurrence_after(rrule="FREQ=DAILY;UNTIL=20250110", **args, after=utc(2025, 1, 9, 18)) == utc(
        2025, 1, 10, 18
    )


def test_next_occurrence_after_does_not_walk_from_the_start():
    args: dict[str, Any] = {"start_date": date(1975, 1, 1), "local_time": time(7, 45), "time_zone": "America/New_York"}
    began = clock.monotonic()

    for _ in range(200):
        found = next_occurrence_after(rrule="FREQ=DAILY", **args, after=utc(2190, 6, 1, 12))
        monthly = next_occurrence_after(rrule="FREQ=MONTHLY;BYDAY=-1FR", **args, after=utc(2190, 6, 1, 12))

    assert clock.monotonic() - began < 1.0  # 400 lookups, ~215 years after the start
    assert found == utc(2190, 6, 2, 11, 45)
    assert monthly == utc(2190, 6, 25, 11, 45)  # the last Friday of June 2190, 07:45 EDT


def test_is_occurrence_is_exact():
    args: dict[str, Any] = {"rrule": "FREQ=WEEKLY;BYDAY=SU", "start_date": date(2025, 1, 1), "local_time": time(19)}

    assert is_occurrence(**args, time_zone=BERLIN, at=utc(2025, 3, 30, 17))
    assert not is_occurrence(**args, time_zone=BERLIN, at=utc(2025, 3, 30, 18))  # 20:00 local
    assert not is_occurrence(**args, time_zone=BERLIN, at=utc(2025, 3, 30, 17, 0, 1))
    assert not is_occurrence(**args, time_zone=BERLIN, at=utc(2025, 3, 31, 17))  # a Monday
    assert not is_occurrence(**args, time_zone=BERLIN, at=utc(2024, 12, 29, 18))  # before the start


# Expanding from the middle equals expanding from the start -----------------------------------------


def _from_the_start(rule: str, start_date: date, at: time, zone: str, start: datetime, end: datetime) -> list[datetime]:
    """A reference expansion that always walks from start_date (no period skipping)."""
    parsed = parse_rrule(rule)
    tz = recurrence.zone(zone)
    found = []
    for naive in recurrence._local_iter(parsed, start_date, at, date(1970, 1, 1), tz):
        instant = recurrence.localize(naive, tz)
        if isinstance(parsed["until"], datetime) and instant > parsed["until"]:
            break
        if instant >= end:
            break
        if instant >= start:
            found.append(instant)
    return found


def test_skipping_to_the_window_gives_the_same_occurrences_as_walking_from_the_start():
    rules = [
        "FREQ=DAILY",
        "FREQ=DAILY;INTERVAL=3",
        "FREQ=DAILY;INTERVAL=2;BYDAY=MO,WE",
        "FREQ=WEEKLY",
        "FREQ=WEEKLY;INTERVAL=3;BYDAY=TU,SU",
        "FREQ=MONTHLY",
        "FREQ=MONTHLY;INTERVAL=5",
        "FREQ=MONTHLY;BYDAY=-1FR",
        "FREQ=MONTHLY;INTERVAL=2;BYDAY=5SA,1MO",
        "FREQ=MONTHLY;INTERVAL=4;BYDAY=SA",
        "FREQ=WEEKLY;UNTIL=20270301",
        "FREQ=DAILY;UNTIL=20260310T180000Z",
        "FREQ=WEEKLY;BYDAY=FR;COUNT=40",
    ]
    zones = ["Europe/Berlin", "America/New_York", "Australia/Sydney", "Asia/Kolkata", "Pacific/Chatham"]
    rng = random.Random(20260329)
    for _ in range(400):
        rule, zone = rng.choice(rules), rng.choice(zones)
        start_date = date(2024, 1, 1) + timedelta(days=rng.randrange(700))
        at = time(rng.randrange(24), rng.choice([0, 30]))
        start = utc(2024, 1, 1) + timedelta(hours=rng.randrange(24 * 900))
        end = start + timedelta(days=rng.randrange(1, 400))

        assert expand(rule, start_date, at, zone, start, end) == _from_the_start(
            rule, start_date, at, zone, start, end
        ), (rule, zone, start_date, at, start, end)
