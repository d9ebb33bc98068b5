"""Recurrence of rituals: an RFC 5545 RRULE subset, expanded in the ritual's own time zone.

Pure functions, no ORM. The admin form and the API call `parse_rrule`; the selectors call
`occurrences`; the reminder dispatcher calls `next_occurrence_after`. Their signatures are stable.

The rules (docs/architecture.md, "Time zones and DST", has the worked examples):

- The schedule is expanded over NAIVE local wall-clock datetimes (`start_date` + `local_time`) with
  python-dateutil, and each one is then placed in the IANA zone. So "19:00 every Sunday" is 19:00
  local in summer and in winter; its UTC instant moves by the DST offset instead.
- A local time that does not exist (the spring-forward gap, 02:30 in Berlin on the last Sunday of
  March) happens once, at the shifted wall time (03:30 CEST): `fold=0` takes the offset in force
  before the gap and a round trip through UTC normalizes it.
- A local time that happens twice (the fall-back overlap, 02:30 in Berlin on the last Sunday of
  October) happens once, the first time (`fold=0`, still summer time).
- Every instant returned is an aware datetime in UTC.

Supported RRULE parts: FREQ=DAILY|WEEKLY|MONTHLY, INTERVAL (1..365), BYDAY (MO..SU; for MONTHLY
also ordinals such as 1SU or -1FR), COUNT (1..1000) or UNTIL (a date, or a UTC date-time ending in
Z), never both. A leading "RRULE:" is accepted; anything else is a ValidationError.
"""

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import TypedDict
from zoneinfo import ZoneInfo

from dateutil import rrule as du
from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from accounts.validators import validate_time_zone

MAX_RANGE_DAYS = 400
MAX_INTERVAL = 365
MAX_COUNT = 1000
# Far enough for any ritual, near enough that date arithmetic never overflows datetime.max.
MIN_YEAR, MAX_YEAR = 1970, 2200

FREQUENCIES = {"DAILY": du.DAILY, "WEEKLY": du.WEEKLY, "MONTHLY": du.MONTHLY}
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
SUPPORTED_PARTS = ("FREQ", "INTERVAL", "BYDAY", "COUNT", "UNTIL")

_PART_RE = re.compile(r"^([A-Z]+)=(.+)$")
_BYDAY_RE = re.compile(r"^([+-]?)(\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$")
_UNTIL_DATE_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_UNTIL_UTC_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$")
_INT_RE = re.compile(r"^\d{1,6}$")


class ParsedRule(TypedDict):
    """A validated rule. `byday` holds normalized tokens ("SU", "1SU", "-1FR"); `until` is a date
    (inclusive: the whole local day) or an aware UTC datetime (inclusive instant)."""

    freq: str
    interval: int
    byday: list[str]
    count: int | None
    until: date | datetime | None
    text: str


def _invalid(message: str, code: str = "invalid_rrule") -> ValidationError:
    return ValidationError(message, code=code)


def parse_rrule(text: str) -> ParsedRule:
    """Validates `text` against the supported subset and returns it parsed, with `text` normalized
    (upper case, canonical order: FREQ;INTERVAL;BYDAY;COUNT|UNTIL; INTERVAL=1 omitted).

    Raises django's ValidationError (code `invalid_rrule`) with a message that says what is wrong;
    callers put it under their field name (`rrule`, `suggested_rrule`).
    """
    if not isinstance(text, str) or not text.strip():
        raise _invalid(gettext("Enter a recurrence rule, for example FREQ=WEEKLY;BYDAY=SU."))
    body = text.strip().upper()
    if body.startswith("RRULE:"):
        body = body[len("RRULE:") :]
    if "\n" in body or "DTSTART" in body:
        raise _invalid(gettext("Give the rule without DTSTART: the start is the ritual's start_date and local_time."))
    parts: dict[str, str] = {}
    for raw in body.strip(";").split(";"):
        match = _PART_RE.match(raw.strip())
        if not match:
            raise _invalid(gettext("'%(part)s' is not a NAME=VALUE part of an RRULE.") % {"part": raw.strip()[:40]})
        name, value = match.groups()
        if name not in SUPPORTED_PARTS:
            raise _invalid(
                gettext("%(name)s is not supported. Rituals use only %(parts)s.")
                % {"name": name[:20], "parts": ", ".join(SUPPORTED_PARTS)}
            )
        if name in parts:
            raise _invalid(gettext("%(name)s appears more than once.") % {"name": name})
        parts[name] = value.strip()
    return _build(parts)


def _build(parts: dict[str, str]) -> ParsedRule:
    freq = parts.get("FREQ")
    if freq is None:
        raise _invalid(gettext("FREQ is required (DAILY, WEEKLY or MONTHLY)."))
    if freq not in FREQUENCIES:
        raise _invalid(gettext("FREQ=%(freq)s is not supported. Use DAILY, WEEKLY or MONTHLY.") % {"freq": freq[:20]})
    interval = _bounded_int(parts, "INTERVAL", 1, MAX_INTERVAL) or 1
    count = _bounded_int(parts, "COUNT", 1, MAX_COUNT)
    if count is not None and "UNTIL" in parts:
        raise _invalid(gettext("COUNT and UNTIL cannot be used together: choose one."))
    until = _parse_until(parts["UNTIL"]) if "UNTIL" in parts else None
    byday = _parse_byday(parts["BYDAY"], freq) if "BYDAY" in parts else []

    text = [f"FREQ={freq}"]
    if interval != 1:
        text.append(f"INTERVAL={interval}")
    if byday:
        text.append("BYDAY=" + ",".join(byday))
    if count is not None:
        text.append(f"COUNT={count}")
    if isinstance(until, datetime):
        text.append(f"UNTIL={until:%Y%m%dT%H%M%SZ}")
    elif until is not None:
        text.append(f"UNTIL={until:%Y%m%d}")
    return ParsedRule(freq=freq, interval=interval, byday=byday, count=count, until=until, text=";".join(text))


def _bounded_int(parts: dict[str, str], name: str, low: int, high: int) -> int | None:
    if name not in parts:
        return None
    value = parts[name]
    if not _INT_RE.match(value) or not low <= int(value) <= high:
        raise _invalid(
            gettext("%(name)s must be a whole number from %(low)s to %(high)s.")
            % {"name": name, "low": low, "high": high}
        )
    return int(value)


def _parse_byday(value: str, freq: str) -> list[str]:
    tokens: list[str] = []
    for raw in value.split(","):
        match = _BYDAY_RE.match(raw.strip())
        if not match:
            raise _invalid(
                gettext("BYDAY value '%(value)s' is not a weekday (MO, TU, WE, TH, FR, SA, SU).")
                % {"value": raw.strip()[:20]}
            )
        sign, number, day = match.groups()
        if number is None:
            if sign:
                raise _invalid(gettext("BYDAY value '%(value)s' has a sign but no number.") % {"value": raw.strip()})
            token = day
        else:
            if freq != "MONTHLY":
                raise _invalid(gettext("Numbered BYDAY values such as 1SU or -1FR are only allowed with FREQ=MONTHLY."))
            if not 1 <= int(number) <= 5:
                raise _invalid(gettext("A numbered BYDAY value must be from 1 to 5 or -1 to -5 (1SU, -1FR)."))
            token = f"{'-' if sign == '-' else ''}{int(number)}{day}"
        if token not in tokens:
            tokens.append(token)
    return tokens


def _parse_until(value: str) -> date | datetime:
    try:
        if match := _UNTIL_DATE_RE.match(value):
            until: date | datetime = date(*(int(g) for g in match.groups()))
        elif match := _UNTIL_UTC_RE.match(value):
            year, month, day, hour, minute, second = (int(g) for g in match.groups())
            until = datetime(year, month, day, hour, minute, second, tzinfo=UTC)
        else:
            raise _invalid(
                gettext("UNTIL must be a date (20261231) or a UTC date-time ending in Z (20261231T235959Z).")
            )
    except ValueError as exc:
        raise _invalid(gettext("UNTIL %(value)s is not a real date.") % {"value": value[:20]}) from exc
    if not MIN_YEAR <= until.year <= MAX_YEAR:
        raise _invalid(
            gettext("UNTIL must be between the years %(min)s and %(max)s.") % {"min": MIN_YEAR, "max": MAX_YEAR}
        )
    return until


@lru_cache(maxsize=2048)
def _parsed(text: str) -> ParsedRule:
    return parse_rrule(text)


@lru_cache(maxsize=1024)
def zone(time_zone: str) -> ZoneInfo:
    """The ZoneInfo of an IANA name; ValidationError (code `invalid_time_zone`) for anything else."""
    validate_time_zone(time_zone)  # the IANA names only: never a path, "localtime" or "+02:00"
    return ZoneInfo(time_zone)


# Expansion -----------------------------------------------------------------------------------------


def localize(naive: datetime, tz: ZoneInfo) -> datetime:
    """The UTC instant of a local wall time: fold=0 picks the first of an ambiguous pair and, for a
    time in a gap, the pre-transition offset, which lands it after the gap once normalized."""
    return naive.replace(tzinfo=tz, fold=0).astimezone(UTC)


def _byweekday(rule: ParsedRule) -> list[du.weekday] | None:
    if not rule["byday"]:
        return None
    days = []
    for token in rule["byday"]:
        weekday = getattr(du, token[-2:])
        days.append(weekday(int(token[:-2])) if token[:-2] else weekday)
    return days


def _never_occurs(rule: ParsedRule, start_date: date) -> bool:
    # A DAILY rule whose INTERVAL is a multiple of 7 only ever lands on start_date's weekday; if
    # BYDAY excludes it there is no occurrence, and dateutil would scan to year 9999 to find none.
    if rule["freq"] == "DAILY" and rule["interval"] % 7 == 0 and rule["byday"]:
        return WEEKDAYS[start_date.weekday()] not in rule["byday"]
    return False


def _period_start(rule: ParsedRule, start_date: date, from_date: date) -> date | None:
    """The first day of the latest period of the rule (day, week from Monday, month, INTERVAL
    apart from start_date's) that begins on or before `from_date`, or None for the first period.

    Expanding from there yields exactly the occurrences the rule has from that period on, without
    walking every occurrence since start_date (which a COUNT rule has to do, and may: COUNT <= 1000).
    """
    if rule["count"] is not None or from_date <= start_date:
        return None
    interval = rule["interval"]
    if rule["freq"] == "DAILY":
        periods = (from_date - start_date).days // interval
        return start_date + timedelta(days=periods * interval) if periods else None
    if rule["freq"] == "WEEKLY":
        first_monday = start_date - timedelta(days=start_date.weekday())
        from_monday = from_date - timedelta(days=from_date.weekday())
        periods = (from_monday - first_monday).days // 7 // interval
        return first_monday + timedelta(weeks=periods * interval) if periods else None
    months = (from_date.year - start_date.year) * 12 + from_date.month - start_date.month
    periods = months // interval
    if not periods:
        return None
    index = start_date.year * 12 + start_date.month - 1 + periods * interval
    return date(index // 12, index % 12 + 1, 1)


def _local_iter(
    rule: ParsedRule, start_date: date, local_time: time, from_date: date, tz: ZoneInfo
) -> Iterator[datetime]:
    """Naive local datetimes of the rule in order, starting at or somewhat before `from_date`."""
    if _never_occurs(rule, start_date):
        return iter(())
    wall = local_time.replace(tzinfo=None, microsecond=0)
    kwargs: dict[str, object] = {"interval": rule["interval"], "wkst": du.MO, "count": rule["count"]}
    byweekday = _byweekday(rule)
    if byweekday is not None:
        kwargs["byweekday"] = byweekday
    until = rule["until"]
    if isinstance(until, datetime):
        # Compared in local wall time with a day of slack; the exact UTC bound is applied after.
        kwargs["until"] = until.astimezone(tz).replace(tzinfo=None) + timedelta(days=1)
    elif until is not None:
        kwargs["until"] = datetime.combine(until, time.max)
    period = _period_start(rule, start_date, from_date)
    if period is None:
        dtstart = datetime.combine(start_date, wall)
    else:
        # Defaults dateutil would derive from dtstart must come from start_date instead.
        dtstart = datetime.combine(period, wall)
        if byweekday is None and rule["freq"] == "WEEKLY":
            kwargs["byweekday"] = start_date.weekday()
        elif byweekday is None and rule["freq"] == "MONTHLY":
            kwargs["bymonthday"] = start_date.day
    return iter(du.rrule(FREQUENCIES[rule["freq"]], dtstart=dtstart, **kwargs))  # type: ignore[arg-type]


def _instants(
    rule: ParsedRule, start_date: date, local_time: time, tz: ZoneInfo, from_instant: datetime
) -> Iterator[datetime]:
    """UTC instants of the rule from `from_instant` (inclusive) on, in order, honouring a UTC UNTIL."""
    from_date = from_instant.astimezone(tz).date() - timedelta(days=1)
    until = rule["until"]
    for naive in _local_iter(rule, start_date, local_time, from_date, tz):
        instant = localize(naive, tz)
        if isinstance(until, datetime) and instant > until:
            return
        if instant >= from_instant:
            yield instant


def _check_aware(**values: datetime) -> None:
    for name, value in values.items():
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"{name} must be an aware datetime")
        if not MIN_YEAR <= value.year <= MAX_YEAR:
            raise ValidationError(
                gettext("Dates must be between the years %(min)s and %(max)s.") % {"min": MIN_YEAR, "max": MAX_YEAR},
                code="out_of_range",
            )


def occurrences(
    *, rrule: str, start_date: date, local_time: time, time_zone: str, start: datetime, end: datetime
) -> list[datetime]:
    """The ritual's occurrences in [start, end), as aware UTC datetimes, sorted, each at most once.

    Raises ValidationError for an invalid rule or zone, and (code `range_too_long`) for a range
    longer than MAX_RANGE_DAYS.
    """
    _check_aware(start=start, end=end)
    if end - start > timedelta(days=MAX_RANGE_DAYS):
        raise ValidationError(
            gettext("Ask for at most %(days)s days at a time.") % {"days": MAX_RANGE_DAYS}, code="range_too_long"
        )
    if end <= start:
        return []
    rule, tz = _parsed(rrule), zone(time_zone)
    found: set[datetime] = set()
    for instant in _instants(rule, start_date, local_time, tz, start):
        # In order: a rule has at most one wall time per day and a DST shift is less than a day.
        if instant >= end:
            break
        found.add(instant)
    return sorted(found)


def occurrence_dates(
    *, rrule: str, start_date: date, local_time: time, time_zone: str, from_day: date
) -> Iterator[date]:
    """Local dates (in `time_zone`) of the occurrences from the local day `from_day` on, lazily and
    in order; a date may repeat where a zone skips a whole day. Streaks walk these."""
    tz = zone(time_zone)
    start, _ = local_day_bounds(from_day, time_zone)
    return (instant.astimezone(tz).date() for instant in _instants(_parsed(rrule), start_date, local_time, tz, start))


def next_occurrence_date_after(
    *, rrule: str, start_date: date, local_time: time, time_zone: str, day: date
) -> date | None:
    """The local date of the first occurrence after the local day `day`, or None once the rule has ended."""
    _, end = local_day_bounds(day, time_zone)
    instant = next_occurrence_after(
        rrule=rrule,
        start_date=start_date,
        local_time=local_time,
        time_zone=time_zone,
        after=end - timedelta(microseconds=1),
    )
    return None if instant is None else local_date(instant, time_zone)


def next_occurrence_after(
    *, rrule: str, start_date: date, local_time: time, time_zone: str, after: datetime
) -> datetime | None:
    """The first occurrence strictly after `after` (aware), or None once the rule has ended.

    Cheap at any distance from start_date: it expands from the period containing `after` (rules
    with COUNT walk from the start, at most MAX_COUNT occurrences).
    """
    _check_aware(after=after)
    rule, tz = _parsed(rrule), zone(time_zone)
    for instant in _instants(rule, start_date, local_time, tz, after):
        if instant > after:
            return instant
    return None


def is_occurrence(*, rrule: str, start_date: date, local_time: time, time_zone: str, at: datetime) -> bool:
    """Whether the aware instant `at` is exactly one of the ritual's occurrences."""
    _check_aware(at=at)
    found = next_occurrence_after(
        rrule=rrule,
        start_date=start_date,
        local_time=local_time,
        time_zone=time_zone,
        after=at - timedelta(microseconds=1),
    )
    return found == at


def first_occurrence(*, rrule: str, start_date: date, local_time: time, time_zone: str) -> datetime | None:
    """The ritual's first occurrence, or None when the rule never produces one (e.g. UNTIL before
    start_date)."""
    tz = zone(time_zone)
    start = localize(datetime.combine(start_date, time.min), tz)
    return next_occurrence_after(
        rrule=rrule,
        start_date=start_date,
        local_time=local_time,
        time_zone=time_zone,
        after=start - timedelta(microseconds=1),
    )


def local_day_bounds(day: date, time_zone: str) -> tuple[datetime, datetime]:
    """[start, end) of a local calendar day as UTC instants (23 or 25 hours long on DST days)."""
    tz = zone(time_zone)
    next_day = day + timedelta(days=1)
    return localize(datetime.combine(day, time.min), tz), localize(datetime.combine(next_day, time.min), tz)


def local_date(instant: datetime, time_zone: str) -> date:
    """The calendar date of an aware instant in a zone."""
    return instant.astimezone(zone(time_zone)).date()


def next_occurrence_key(
    *, rrule: str, start_date: date, local_time: time, time_zone: str, after: datetime
) -> tuple[object, ...]:
    """A key under which `next_occurrence_after`'s answer may be shared between rituals.

    Rituals due at the same instant in the same zone share their wall time and `after`; with a
    rule of INTERVAL 1 and no COUNT, once `after` lies more than a month past start_date (so the
    expansion starts from the period containing `after`, never from start_date itself), the start
    date matters only through the defaults dateutil would take from it: its weekday (WEEKLY
    without BYDAY) and its day of the month (MONTHLY without BYDAY). Everything else keys on the
    full start date. The reminder dispatcher memoizes per batch with it."""
    rule = _parsed(rrule)
    local_day = after.astimezone(zone(time_zone)).date()
    if rule["interval"] != 1 or rule["count"] is not None or (local_day - start_date).days <= 32:
        anchor: object = start_date
    else:
        weekly, monthly = rule["freq"] == "WEEKLY", rule["freq"] == "MONTHLY"
        anchor = (
            start_date.weekday() if weekly and not rule["byday"] else None,
            start_date.day if monthly and not rule["byday"] else None,
        )
    return (rule["text"], local_time, time_zone, after, anchor)
