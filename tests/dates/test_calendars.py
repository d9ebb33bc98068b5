"""Calendars: a date's .ics and the private feed, parsed with a strict RFC 5545 parser (`ical`),
which shares no code with the `icalendar` library that writes them."""

import hashlib
import json
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from ical.calendar import Calendar
from ical.calendar_stream import IcsCalendarStream

from dates.models import CalendarFeed, DatePlan
from rituals.models import Ritual
from tests.dates.helpers import make_plan, url

FEED = "/api/v1/me/calendar-feed"


def _dt(value: object) -> datetime:
    assert isinstance(value, datetime)
    return value


def parse(body: bytes) -> Calendar:
    return IcsCalendarStream.calendar_from_ics(body.decode())


def _ics(client, plan: DatePlan) -> Calendar:
    response = client.get(f"/api/v1/dates/{plan.pk}.ics")
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/calendar")
    return parse(response.content)


@pytest.mark.parametrize(
    ("zone", "day", "offset_hours"),
    [
        ("Europe/Berlin", date(2027, 7, 10), 2),
        ("Europe/Berlin", date(2027, 12, 11), 1),
        ("America/New_York", date(2027, 7, 10), -4),
        ("America/New_York", date(2027, 12, 11), -5),
    ],
)
def test_a_dates_ics_is_one_event_at_its_wall_time_in_its_zone(me, me_user, couple, zone, day, offset_hours):
    plan = make_plan(couple, me_user, status="accepted", on=day, at=time(19, 30), time_zone=zone)

    cal = _ics(me, plan)

    (event,) = cal.events
    assert event.uid == f"{plan.pk}@couples.app"
    assert event.sequence == plan.version
    assert event.summary == "Dinner at Enzo's"
    assert _dt(event.dtstart).replace(tzinfo=None) == datetime.combine(day, time(19, 30))
    assert str(_dt(event.dtstart).tzinfo) == zone or getattr(_dt(event.dtstart).tzinfo, "key", None) == zone
    assert _dt(event.dtstart).utcoffset() == timedelta(hours=offset_hours)
    assert _dt(event.dtstart).astimezone(UTC) == plan.starts_at
    assert [tz.tz_id for tz in cal.timezones] == [zone]
    assert b"TZID=" + zone.encode() in me.get(f"/api/v1/dates/{plan.pk}.ics").content


def test_a_date_across_a_dst_change_keeps_its_local_start_and_its_length(me, me_user, couple):
    # Berlin falls back at 03:00 on 31 Oct 2027: a date from 01:30 lasting 3 hours ends at 03:30 CET.
    plan = make_plan(couple, me_user, status="accepted", on=date(2027, 10, 31), at=time(1, 30), duration_minutes=180)
    (event,) = _ics(me, plan).events
    assert _dt(event.dtstart).replace(tzinfo=None) == datetime(2027, 10, 31, 1, 30)  # noqa: DTZ001 (a wall time)
    assert _dt(event.dtend).astimezone(UTC) - _dt(event.dtstart).astimezone(UTC) == timedelta(hours=3)
    assert _dt(event.dtend).replace(tzinfo=None) == datetime(2027, 10, 31, 3, 30)  # noqa: DTZ001


def test_a_cancelled_date_is_status_cancelled_with_a_higher_sequence(me, partner, me_user, couple):
    plan = make_plan(couple, me_user, status="accepted")
    partner.post(url(plan, "cancel"))
    plan.refresh_from_db()
    (event,) = _ics(me, plan).events
    assert (str(event.status), event.sequence) in {("EventStatus.CANCELLED", 2), ("CANCELLED", 2)}


def test_another_couples_ics_is_a_404(stranger, me_user, couple):
    plan = make_plan(couple, me_user, status="accepted")
    assert stranger.get(f"/api/v1/dates/{plan.pk}.ics").status_code == 404


def _token(feed_url: str) -> str:
    return feed_url.rsplit("/", 1)[1].removesuffix(".ics")


def test_the_feed_url_is_shown_once_and_only_its_hash_is_stored(me, me_user, couple, anon):
    response = me.post(FEED, {}, format="json")
    assert response.status_code == 201
    token = _token(response.json()["url"])
    stored = CalendarFeed.objects.get(user=me_user)
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in stored.token_hash
    assert anon.get(f"/api/v1/calendar-feeds/{token}.ics").status_code == 200


def test_the_feed_has_accepted_dates_and_ritual_occurrences_of_the_next_sixty_days(me, me_user, couple, anon):
    soon = datetime.now(UTC).date() + timedelta(days=3)
    accepted = make_plan(couple, me_user, status="accepted", on=soon, title="Picnic")
    make_plan(couple, me_user, status="proposed", on=soon, title="Not yet")
    make_plan(couple, me_user, status="accepted", on=soon + timedelta(days=90), title="Too far")
    Ritual.objects.create(
        couple=couple,
        title="Weekly date night",
        category="date_night",
        rrule="FREQ=WEEKLY;BYDAY=FR",
        start_date=soon,
        local_time=time(20, 0),
        time_zone="America/New_York",
    )
    token = _token(me.post(FEED, {}, format="json").json()["url"])

    cal = parse(anon.get(f"/api/v1/calendar-feeds/{token}.ics").content)

    titles = [e.summary for e in cal.events]
    assert "Picnic" in titles
    assert "Not yet" not in titles
    assert "Too far" not in titles
    fridays = [e for e in cal.events if e.summary == "Weekly date night"]
    assert 8 <= len(fridays) <= 9
    assert all(_dt(e.dtstart).astimezone(ZoneInfo("America/New_York")).time() == time(20) for e in fridays)
    assert {tz.tz_id for tz in cal.timezones} == {"Europe/Berlin", "America/New_York"}
    assert any(e.uid == f"{accepted.pk}@couples.app" for e in cal.events)


def test_a_discreet_feed_shows_time_together_and_no_place(me, me_user, couple, anon):
    make_plan(couple, me_user, status="accepted", on=datetime.now(UTC).date() + timedelta(days=2), place="Hotel Adlon")
    token = _token(me.post(FEED, {"discreet": True}, format="json").json()["url"])
    body = anon.get(f"/api/v1/calendar-feeds/{token}.ics").content
    (event,) = parse(body).events
    assert event.summary == "Time together"
    assert not event.location
    assert b"Adlon" not in body
    assert b"Enzo" not in body


def test_a_wrong_revoked_or_replaced_token_is_a_404(me, couple, anon):
    first = _token(me.post(FEED, {}, format="json").json()["url"])
    second = _token(me.post(FEED, {}, format="json").json()["url"])
    assert anon.get(f"/api/v1/calendar-feeds/{first}.ics").status_code == 404
    assert anon.get(f"/api/v1/calendar-feeds/{second[:-1]}x.ics").status_code == 404
    assert anon.get(f"/api/v1/calendar-feeds/{second}.ics").status_code == 200
    assert me.delete(FEED).status_code == 204
    assert anon.get(f"/api/v1/calendar-feeds/{second}.ics").status_code == 404


def test_a_wrong_token_costs_the_same_queries_as_any_other_wrong_token(anon, me, couple, django_assert_num_queries):
    real = _token(me.post(FEED, {}, format="json").json()["url"])
    # One indexed lookup by hash: a near miss (all but the last character right) and a wild guess
    # run the same statement and get the same answer.
    for guess in (real[:-1] + ("A" if real[-1] != "A" else "B"), "x" * 43):
        with django_assert_num_queries(1):
            response = anon.get(f"/api/v1/calendar-feeds/{guess}.ics")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"


def test_a_right_and_a_wrong_token_are_looked_up_the_same_way(anon, me, couple, monkeypatch):
    """No timing oracle by construction: the token never reaches the database, only its SHA-256
    does, through the same single statement whether or not it matches; nothing compares the token
    itself. (Structure, not wall-clock: a timing assertion would only be noise on a shared machine.)"""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from dates.services import calendar_feeds

    real = _token(me.post(FEED, {}, format="json").json()["url"])
    wrong = real[:-1] + ("A" if real[-1] != "A" else "B")
    hashed: list[str] = []
    original = calendar_feeds.token_hash

    def spy(token: str) -> str:
        hashed.append(token)
        return original(token)

    monkeypatch.setattr(calendar_feeds, "token_hash", spy)
    lookups = {}
    for token, expected in ((real, 200), (wrong, 404)):
        with CaptureQueriesContext(connection) as queries:
            assert anon.get(f"/api/v1/calendar-feeds/{token}.ics").status_code == expected
        lookup = queries.captured_queries[0]["sql"]
        digest = hashlib.sha256(token.encode()).hexdigest()
        assert token not in lookup
        assert digest in lookup
        lookups[token] = lookup.replace(digest, "<hash>")

    assert hashed == [real, wrong]
    assert lookups[real] == lookups[wrong]
    assert lookups[real].count("<hash>") == 1


def test_creating_feed_urls_is_rate_limited(me, couple, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "calendar_feed_create": "2/3600"}
    assert [me.post(FEED, {}, format="json").status_code for _ in range(3)] == [201, 201, 429]


def test_the_feed_has_a_constant_number_of_queries(me, me_user, couple, anon, django_assert_num_queries):
    token = _token(me.post(FEED, {}, format="json").json()["url"])
    soon = datetime.now(UTC).date() + timedelta(days=3)
    make_plan(couple, me_user, status="accepted", on=soon)
    with django_assert_num_queries(4):
        anon.get(f"/api/v1/calendar-feeds/{token}.ics")
    for days in range(5):
        make_plan(couple, me_user, status="accepted", on=soon + timedelta(days=days))
    with django_assert_num_queries(4):
        anon.get(f"/api/v1/calendar-feeds/{token}.ics")


def test_a_calendar_app_asking_for_text_calendar_gets_it(me, me_user, couple, anon):
    plan = make_plan(couple, me_user, status="accepted")
    token = _token(me.post(FEED, {}, format="json").json()["url"])
    assert me.get(f"/api/v1/dates/{plan.pk}.ics", HTTP_ACCEPT="text/calendar").status_code == 200
    assert anon.get(f"/api/v1/calendar-feeds/{token}.ics", HTTP_ACCEPT="text/calendar").status_code == 200
    missing = anon.get("/api/v1/calendar-feeds/nope.ics", HTTP_ACCEPT="text/calendar")
    assert missing.status_code == 404
    assert json.loads(missing.content)["error"]["code"] == "not_found"
