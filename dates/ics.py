"""iCalendar (RFC 5545) output of dates and ritual occurrences, built with the `icalendar` library.

Each event is written in its own zone (`DTSTART;TZID=Europe/Berlin:20261025T190000`) with the
matching VTIMEZONE, so a calendar shows the date at its wall time even across a DST change. A
plan's UID is its id and its SEQUENCE its version, so a moved or cancelled date updates the same
event (STATUS:CANCELLED). `discreet` shows "Time together" instead of titles and places.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from rituals import recurrence

PRODID = "-//Couples//Dates//EN"
UID_DOMAIN = "couples.app"


@dataclass(frozen=True)
class CalendarItem:
    uid: str
    title: str
    start_utc: datetime
    duration: timedelta
    time_zone: str
    sequence: int = 0
    place: str = ""
    cancelled: bool = False
    updated_at: datetime | None = None


def calendar(items: Iterable[CalendarItem], *, discreet: bool, name: str) -> bytes:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    for item in items:
        cal.add_component(_event(item, discreet=discreet))
    # One VTIMEZONE per TZID used, generated from the zoneinfo database.
    cal.add_missing_timezones()
    return cal.to_ical()


def _event(item: CalendarItem, *, discreet: bool) -> Event:
    event = Event()
    tz = recurrence.zone(item.time_zone)
    start = item.start_utc.astimezone(tz)
    event.add("uid", f"{item.uid}@{UID_DOMAIN}")
    event.add("dtstamp", (item.updated_at or item.start_utc).astimezone(UTC))
    event.add("dtstart", start)
    # Elapsed time, not wall-clock arithmetic: a date across a DST change ends after its duration.
    event.add("dtend", (item.start_utc + item.duration).astimezone(tz))
    event.add("sequence", item.sequence)
    event.add("summary", _("Time together") if discreet else item.title)
    if item.place and not discreet:
        event.add("location", item.place)
    event.add("status", "CANCELLED" if item.cancelled else "CONFIRMED")
    return event
