"""Two reminder dispatchers at once, and a duplicated tick, over 300 due reminders (real PostgreSQL).

Each dispatcher runs `dispatch_due_reminders` in its own thread, hence its own database connection,
both released by one barrier, in small batches so their `SELECT … FOR UPDATE SKIP LOCKED` claims
interleave. Over several days of ticks this must give:

- exactly one notification per (ritual, occurrence, recipient): none missing, none twice;
- every due schedule claimed by exactly one dispatcher (the notifications written, counted by both
  dispatchers, add up to two per schedule) and moved once, to the next day's occurrence;
- exactly one push queued per notification, and only for notifications that exist;
- a second tick at the same instant writes and queues nothing;
- no exception in either dispatcher.
"""

import threading
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from accounts.models import User
from couples.models import Couple, Membership
from notifications import reminders
from notifications.models import Notification, ReminderSchedule
from rituals import recurrence
from rituals.models import Ritual

pytestmark = pytest.mark.django_db(transaction=True)

COUPLES = 150
RITUALS_PER_COUPLE = 2
BATCH_SIZE = 20
DAYS = 3
# Mid-January: no zone below changes its UTC offset during the days the test covers.
FIRST_FIRE = datetime(2031, 1, 15, 9, 0, tzinfo=UTC)
ZONES = ["Europe/Berlin", "America/New_York", "Asia/Kolkata", "Asia/Kathmandu", "Australia/Sydney", "UTC"]
OFFSETS = [0, 5, 15, 30, 60]

Triple = tuple[str, str, UUID]  # (ritual id, occurrence ISO instant, recipient id)


@pytest.fixture
def partners_by_couple() -> dict[UUID, list[UUID]]:
    """150 couples with two partners each; every couple has two daily rituals in some zone whose
    reminder (occurrence minus offset) first fires at FIRST_FIRE."""
    users = User.objects.bulk_create(
        User(email=f"dispatch-{n}@example.com", password="!", time_zone=ZONES[n % len(ZONES)])
        for n in range(COUPLES * 2)
    )
    couples = Couple.objects.bulk_create(Couple() for _ in range(COUPLES))
    Membership.objects.bulk_create(
        Membership(couple=couple, user=user) for n, couple in enumerate(couples) for user in users[2 * n : 2 * n + 2]
    )
    rituals, schedules = [], []
    for n in range(COUPLES * RITUALS_PER_COUPLE):
        zone, offset = ZONES[n % len(ZONES)], OFFSETS[n % len(OFFSETS)]
        occurrence = FIRST_FIRE + timedelta(minutes=offset)
        local = occurrence.astimezone(ZoneInfo(zone))
        ritual = Ritual(
            couple=couples[n // RITUALS_PER_COUPLE],
            title=f"Ritual {n}",
            category="check_in",
            rrule="FREQ=DAILY",
            start_date=local.date() - timedelta(days=7),
            local_time=local.time(),
            time_zone=zone,
            reminder_offset_minutes=offset,
        )
        assert recurrence.is_occurrence(
            rrule=ritual.rrule,
            start_date=ritual.start_date,
            local_time=ritual.local_time,
            time_zone=zone,
            at=occurrence,
        )
        rituals.append(ritual)
        schedules.append(ReminderSchedule(ritual=ritual, occurrence_at=occurrence, fire_at=FIRST_FIRE))
    Ritual.objects.bulk_create(rituals)
    ReminderSchedule.objects.bulk_create(schedules)
    return {couple.id: [user.id for user in users[2 * n : 2 * n + 2]] for n, couple in enumerate(couples)}


@pytest.fixture
def queued(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Notification ids handed to the push queue (after each dispatcher's commit)."""
    ids: list[str] = []
    lock = threading.Lock()

    def record(notification_ids: list[str], **_: object) -> None:
        with lock:
            ids.extend(notification_ids)

    monkeypatch.setattr("notifications.tasks.enqueue_pushes", record)
    return ids


def _dispatch_concurrently(now: datetime, dispatchers: int = 2) -> list[int]:
    """Runs the dispatchers at once; returns how many notifications each one wrote."""
    barrier = threading.Barrier(dispatchers)
    written: list[int] = [0] * dispatchers
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            written[index] = reminders.dispatch_due_reminders(batch_size=BATCH_SIZE, now=now)
        except BaseException as error:  # re-raised in the test thread below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(dispatchers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a dispatcher did not finish within 60 s"
    if errors:
        raise errors[0]
    return written


def _triples(notifications: Any) -> list[Triple]:
    return [
        (note.data["ritual_id"], note.data["occurrence_at"], note.recipient_id)
        for note in notifications.only("data", "recipient_id")
    ]


def _expected(day: int, partners_by_couple: dict[UUID, list[UUID]]) -> set[Triple]:
    expected: set[Triple] = set()
    for ritual in Ritual.objects.all():
        occurrence = FIRST_FIRE + timedelta(days=day, minutes=ritual.reminder_offset_minutes)
        expected.update((str(ritual.id), occurrence.isoformat(), user) for user in partners_by_couple[ritual.couple_id])
    return expected


def test_two_dispatchers_and_a_duplicated_tick_write_each_reminder_exactly_once(partners_by_couple, queued):
    rituals = COUPLES * RITUALS_PER_COUPLE
    for zone in ZONES:  # the days covered stay clear of DST changes, so "next day" is exact
        assert len({(FIRST_FIRE + timedelta(days=d)).astimezone(ZoneInfo(zone)).utcoffset() for d in range(DAYS)}) == 1
    both_worked = 0
    for day in range(DAYS):
        now = FIRST_FIRE + timedelta(days=day, seconds=30)
        before = set(Notification.objects.values_list("id", flat=True))
        queued.clear()

        written = _dispatch_concurrently(now)
        # A duplicated beat tick: the same instant once more, after both have committed.
        assert reminders.dispatch_due_reminders(batch_size=BATCH_SIZE, now=now) == 0

        new = Notification.objects.exclude(id__in=before)
        triples = _triples(new)
        assert sum(written) == 2 * rituals, f"day {day}: a schedule was claimed twice or never ({written})"
        assert [t for t, n in Counter(triples).items() if n > 1] == []
        assert set(triples) == _expected(day, partners_by_couple)
        assert sorted(queued) == sorted(str(pk) for pk in new.values_list("id", flat=True))
        # Written claimed for the queue messages that carry them, nothing sent yet.
        assert new.exclude(push_state=Notification.PushState.SENDING).count() == 0
        schedules = list(ReminderSchedule.objects.select_related("ritual"))
        assert len(schedules) == rituals
        for schedule in schedules:
            assert schedule.ritual is not None
            offset = timedelta(minutes=schedule.ritual.reminder_offset_minutes)
            assert schedule.fire_at == FIRST_FIRE + timedelta(days=day + 1), schedule.ritual_id
            assert schedule.occurrence_at == schedule.fire_at + offset
        both_worked += min(written) > 0

    assert Notification.objects.count() == DAYS * 2 * rituals
    # The dispatchers did overlap: on some day each of them claimed part of the work.
    assert both_worked > 0
