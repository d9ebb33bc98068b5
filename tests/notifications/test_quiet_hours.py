"""Quiet hours, as pure functions (no database)."""

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from notifications.quiet_hours import quiet_until

BERLIN = "Europe/Berlin"
NIGHT = {"start": time(22, 0), "end": time(7, 0)}


def at(zone: str, year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(zone))


@pytest.mark.parametrize(
    ("local", "until"),
    [
        ((2026, 11, 23, 21, 59), None),
        ((2026, 11, 23, 22, 0), (2026, 11, 24, 7, 0)),
        ((2026, 11, 23, 23, 30), (2026, 11, 24, 7, 0)),
        ((2026, 11, 24, 0, 0), (2026, 11, 24, 7, 0)),
        ((2026, 11, 24, 6, 59), (2026, 11, 24, 7, 0)),
        ((2026, 11, 24, 7, 0), None),
        ((2026, 11, 24, 12, 0), None),
    ],
)
def test_a_window_across_midnight(local, until):
    now = at(BERLIN, *local).astimezone(UTC)
    expected = at(BERLIN, *until) if until else None
    assert quiet_until(now=now, time_zone=BERLIN, **NIGHT) == expected


def test_a_window_within_one_day():
    siesta = {"start": time(13, 0), "end": time(15, 0)}
    assert quiet_until(now=at(BERLIN, 2026, 6, 1, 14, 0), time_zone=BERLIN, **siesta) == at(BERLIN, 2026, 6, 1, 15, 0)
    assert quiet_until(now=at(BERLIN, 2026, 6, 1, 15, 0), time_zone=BERLIN, **siesta) is None
    assert quiet_until(now=at(BERLIN, 2026, 6, 1, 12, 59), time_zone=BERLIN, **siesta) is None


def test_the_same_instant_is_quiet_for_one_partner_and_not_the_other():
    # 04:00 UTC is 05:00 in Berlin (quiet) and 23:00 the evening before in New York (not quiet yet
    # with a 23:30 start).
    now = datetime(2026, 11, 24, 4, 0, tzinfo=UTC)
    assert quiet_until(now=now, time_zone=BERLIN, **NIGHT) == at(BERLIN, 2026, 11, 24, 7, 0)
    late = {"start": time(23, 30), "end": time(7, 0)}
    assert quiet_until(now=now, time_zone="America/New_York", **late) is None


def test_no_window_means_never_quiet():
    now = datetime(2026, 11, 24, 4, 0, tzinfo=UTC)
    assert quiet_until(now=now, time_zone=BERLIN, start=None, end=None) is None
    assert quiet_until(now=now, time_zone=BERLIN, start=time(9), end=time(9)) is None


def test_the_window_ends_at_the_right_instant_on_a_dst_night():
    # Berlin falls back on 2026-10-25 (03:00 CEST -> 02:00 CET): the night is 10 hours long, and
    # 07:00 local is 06:00 UTC.
    now = at(BERLIN, 2026, 10, 25, 1, 30).astimezone(UTC)
    ends = quiet_until(now=now, time_zone=BERLIN, **NIGHT)
    assert ends is not None
    assert ends.astimezone(UTC) == datetime(2026, 10, 25, 6, 0, tzinfo=UTC)
