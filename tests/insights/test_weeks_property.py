"""Property tests: weeks across zones 25 hours apart, DST weeks and a zone change mid-week; every
event is counted in exactly one week."""

from datetime import date, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import time_machine
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from couples.models import Couple
from insights import services
from insights.models import WeeklyReport
from tests.factories import UserFactory, pair
from tests.insights.helpers import at, check_in, nudge, schedule_week

ZONES = ["Pacific/Kiritimati", "Pacific/Pago_Pago", "Europe/Berlin", "America/New_York", "Australia/Sydney", "UTC"]
# Mondays of weeks holding a DST change (Berlin and New York spring/autumn, Sydney both) and a plain one.
MONDAYS = [
    date(2025, 3, 3),
    date(2025, 3, 24),
    date(2025, 10, 20),
    date(2025, 10, 27),
    date(2025, 3, 31),
    date(2025, 9, 29),
    date(2026, 6, 8),
]


class _Rollback(Exception):
    pass


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    zone=st.sampled_from(ZONES),
    moved_to=st.none() | st.sampled_from(ZONES),
    monday=st.sampled_from(MONDAYS),
    minutes=st.lists(st.integers(min_value=-36 * 60, max_value=22 * 24 * 60), max_size=25),
    days=st.lists(st.integers(min_value=-2, max_value=22), max_size=10),
)
def test_every_event_counts_in_exactly_one_week(db, zone, moved_to, monday, minutes, days):
    try:
        with transaction.atomic():
            _check(zone, moved_to, monday, minutes, days)
            raise _Rollback
    except _Rollback:
        pass


def _check(zone: str, moved_to: str | None, monday: date, minutes: list[int], days: list[int]) -> None:
    me = UserFactory.create(time_zone="Pacific/Kiritimati")
    partner = UserFactory.create(time_zone="Pacific/Pago_Pago")  # 25 hours behind me
    couple = pair(me, partner)
    couple.time_zone = zone
    couple.save()
    schedule = schedule_week(couple, monday)
    origin = schedule.starts_at
    instants = [origin + timedelta(minutes=m) for m in minutes]
    for index, instant in enumerate(instants):
        sender, recipient = (me, partner) if index % 2 else (partner, me)
        nudge(couple, sender, recipient, instant)
    check_in_days = [monday + timedelta(days=d) for d in days]
    for day in check_in_days:
        check_in(me, couple, day, shared=True)

    # Week 1 ends; the couple moves zone in the middle of week 2; weeks 2 and 3 end.
    for week in range(3):
        if week == 1 and moved_to:
            with time_machine.travel(couple_schedule(couple).starts_at + timedelta(days=3), tick=False):
                couple.time_zone = moved_to
                couple.save()
        due = couple_schedule(couple).due_at
        with time_machine.travel(due + timedelta(minutes=1), tick=False):
            assert services.reports_finalise_due() == 1

    reports = list(WeeklyReport.objects.filter(couple=couple).order_by("week_start"))
    assert [r.week_start for r in reports] == [monday + timedelta(weeks=n) for n in range(3)]
    # Contiguous windows, each ending at Monday 00:00 in the zone of its end.
    assert reports[0].starts_at == origin
    for previous, following in pairwise(reports):
        assert following.starts_at == previous.ends_at
    for r in reports:
        local_end = r.ends_at.astimezone(ZoneInfo(r.time_zone))
        assert (local_end.weekday(), local_end.hour, local_end.minute) == (0, 0, 0)
        assert local_end.date() == r.week_start + timedelta(days=7)
        assert r.starts_at < r.ends_at
    start, end = reports[0].starts_at, reports[-1].ends_at
    for instant in instants:
        holding = [r for r in reports if r.starts_at <= instant < r.ends_at]
        assert len(holding) == (1 if start <= instant < end else 0)
    assert sum(r.shared["bids"]["sent"] for r in reports) == sum(1 for i in instants if start <= i < end)
    last_day = monday + timedelta(days=20)
    counted = sum(entry["count"] for r in reports for entry in r.shared["shared_check_ins"])
    assert counted == sum(1 for day in check_in_days if monday <= day <= last_day)


def couple_schedule(couple: Couple):
    from insights.models import ReportSchedule

    return ReportSchedule.objects.get(couple=couple)


def test_a_week_across_the_dateline_is_the_couples_week_in_its_zone(db):
    """Kiritimati (+14) and Pago Pago (-11): the same instant is Monday for one and Sunday for the other;
    the couple's zone decides, for both partners alike."""
    me = UserFactory.create(time_zone="Pacific/Kiritimati")
    partner = UserFactory.create(time_zone="Pacific/Pago_Pago")
    couple = pair(me, partner)
    couple.time_zone = "Pacific/Kiritimati"
    couple.save()
    schedule_week(couple, date(2026, 11, 23))
    # Sunday 29 Nov 23:30 in Kiritimati = 09:30Z = Saturday 28 Nov 22:30 in Pago Pago: this week.
    nudge(couple, partner, me, at("2026-11-29T09:30"))
    # Monday 30 Nov 00:30 in Kiritimati = 10:30Z: next week, though still Sunday in Pago Pago.
    nudge(couple, partner, me, at("2026-11-29T10:30"))
    with time_machine.travel(at("2026-11-29T10:01"), tick=False):
        assert services.reports_finalise_due() == 1
    report = WeeklyReport.objects.get(couple=couple)
    assert report.ends_at == at("2026-11-29T10:00")
    assert report.shared["bids"]["sent"] == 1
