"""The ritual reminder dispatcher: right instants across DST, stop conditions, downtime, queries."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from celery.signals import task_prerun

from notifications.models import Notification, ReminderSchedule
from notifications.reminders import dispatch_due_reminders, reminder_reschedule
from notifications.tasks import dispatch_reminders
from rituals.models import Ritual
from sync.changes import current_version
from sync.pull import pull
from tests.factories import DeviceFactory, UserFactory, pair

pytestmark = pytest.mark.django_db


def _ritual(couple, *, rrule="FREQ=WEEKLY;BYDAY=SU", at=time(19), zone="Europe/Berlin", offset=0, start=None, **extra):
    ritual = Ritual.objects.create(
        couple=couple,
        title="Date night",
        category="date_night",
        rrule=rrule,
        start_date=start or date(2026, 1, 1),
        local_time=at,
        time_zone=zone,
        reminder_offset_minutes=offset,
        **extra,
    )
    return ritual


@pytest.fixture
def couple():
    return pair(UserFactory.create(), UserFactory.create())


def _reminders(ritual):
    return Notification.objects.filter(kind="ritual_reminder", data__ritual_id=str(ritual.id))


def _run_year(ritual, start: datetime, days: int = 366, step: timedelta = timedelta(hours=1)) -> list[datetime]:
    """Ticks the dispatcher every `step` for `days`; returns the instants reminders were written."""
    fired: list[datetime] = []
    moment, end = start, start + timedelta(days=days)
    with time_machine.travel(start, tick=False) as traveller:
        reminder_reschedule(ritual=ritual)
        while moment < end:
            schedule = ReminderSchedule.objects.filter(ritual=ritual).first()
            if schedule is None or schedule.fire_at >= end:
                break
            # Jump straight to the next fire time (what a 15 s beat would do), then tick.
            moment = max(moment + step, schedule.fire_at)
            traveller.move_to(moment)
            if dispatch_due_reminders(now=moment):
                fired.append(moment)
    return fired


@pytest.mark.parametrize("zone", ["Europe/Berlin", "America/New_York", "Australia/Sydney", "Asia/Kolkata"])
def test_a_weekly_1900_reminder_fires_at_1900_local_all_year_across_dst(couple, zone):
    ritual = _ritual(couple, zone=zone)

    fired = _run_year(ritual, datetime(2026, 1, 1, tzinfo=UTC))

    local_times = {instant.astimezone(ZoneInfo(zone)).strftime("%a %H:%M") for instant in fired}
    assert local_times == {"Sun 19:00"}
    assert 52 <= len(fired) <= 53
    # Each firing wrote one reminder per partner, with the UTC instant of 19:00 local that day.
    notes = list(_reminders(ritual))
    assert len(notes) == 2 * len(fired)
    for note in notes:
        occurrence = datetime.fromisoformat(note.data["occurrence_at"])
        assert occurrence.astimezone(ZoneInfo(zone)).time() == time(19)


def test_offsets_fire_before_the_occurrence(couple):
    ritual = _ritual(couple, rrule="FREQ=DAILY", at=time(8, 30), offset=45)

    fired = _run_year(ritual, datetime(2026, 3, 1, tzinfo=UTC), days=3)

    assert [f.astimezone(ZoneInfo("Europe/Berlin")).time() for f in fired] == [time(7, 45)] * 3


def test_a_daily_reminder_at_a_nonexistent_time_fires_once_at_the_shifted_time(couple):
    # Berlin springs forward on 2026-03-29: 02:30 does not exist that day; it happens at 03:30 CEST.
    ritual = _ritual(couple, rrule="FREQ=DAILY", at=time(2, 30))

    fired = _run_year(ritual, datetime(2026, 3, 27, 12, tzinfo=UTC), days=4)

    berlin = [f.astimezone(ZoneInfo("Europe/Berlin")) for f in fired]
    assert [b.date() for b in berlin] == [date(2026, 3, 28), date(2026, 3, 29), date(2026, 3, 30), date(2026, 3, 31)]
    assert berlin[1].time() == time(3, 30)
    assert [b.time() for b in berlin if b.date() != date(2026, 3, 29)] == [time(2, 30)] * 3


def test_a_daily_reminder_at_an_ambiguous_time_fires_once(couple):
    # Berlin falls back on 2026-10-25: 02:30 happens twice that night; the reminder fires once.
    ritual = _ritual(couple, rrule="FREQ=DAILY", at=time(2, 30))

    fired = _run_year(ritual, datetime(2026, 10, 24, 12, tzinfo=UTC), days=2, step=timedelta(minutes=10))

    assert [f.astimezone(ZoneInfo("Europe/Berlin")).date() for f in fired] == [date(2026, 10, 25), date(2026, 10, 26)]
    assert _reminders(ritual).count() == 4


def test_a_duplicated_tick_writes_nothing_twice(couple):
    ritual = _ritual(couple)
    moment = datetime(2026, 1, 4, 18, 0, 5, tzinfo=UTC)  # Sunday 19:00:05 Berlin
    with time_machine.travel(datetime(2026, 1, 1, tzinfo=UTC)):
        reminder_reschedule(ritual=ritual)

    assert dispatch_due_reminders(now=moment) == 2
    assert dispatch_due_reminders(now=moment) == 0
    assert {note.id.version for note in _reminders(ritual)} == {7}  # minted time-ordered (config.ids)
    # Even if the schedule were put back (a replayed transaction), the unique key holds.
    ReminderSchedule.objects.filter(ritual=ritual).update(
        occurrence_at=datetime(2026, 1, 4, 18, tzinfo=UTC), fire_at=datetime(2026, 1, 4, 18, tzinfo=UTC)
    )
    dispatch_due_reminders(now=moment)
    assert _reminders(ritual).count() == 2


@pytest.mark.parametrize(("rituals", "helpers"), [(5, 2), (1, 0)])
def test_a_burst_starts_helper_dispatchers_that_start_no_more(rituals, helpers, settings):
    """The beat's run starts REMINDER_DISPATCHERS - 1 helpers when its first batch is full, and only
    then; helpers never start others. Together they write each reminder once."""
    settings.REMINDER_BATCH_SIZE, settings.REMINDER_DISPATCHERS = 2, 3
    with time_machine.travel(datetime(2026, 1, 1, tzinfo=UTC)):
        made = [_ritual(pair(UserFactory.create(), UserFactory.create())) for _ in range(rituals)]
        for ritual in made:
            reminder_reschedule(ritual=ritual)
    runs: list[dict] = []

    def record(sender=None, kwargs=None, **_):
        if sender is not None and sender.name == "notifications.dispatch_reminders":
            runs.append(dict(kwargs or {}))

    task_prerun.connect(record, weak=False)
    try:
        with time_machine.travel(datetime(2026, 1, 4, 18, 0, 5, tzinfo=UTC), tick=False):
            dispatch_reminders.delay()  # what the beat sends (eager in tests: helpers run inline)
    finally:
        task_prerun.disconnect(record)

    assert runs == [{}] + [{"fan_out": False}] * helpers
    for ritual in made:
        assert _reminders(ritual).count() == 2
    assert not ReminderSchedule.objects.filter(fire_at__lte=datetime(2026, 1, 4, 18, 0, 5, tzinfo=UTC)).exists()


@pytest.mark.parametrize("stop", ["pause", "delete", "unpair"])
def test_pausing_deleting_or_unpairing_stops_reminders_at_once(couple, stop, me, partner):
    from couples.models import Couple
    from rituals.services.rituals import ritual_delete, ritual_update

    our_couple = Couple.objects.get(memberships__user=me.user, status="active")
    ritual = _ritual(our_couple)
    with time_machine.travel(datetime(2026, 1, 1, tzinfo=UTC)):
        reminder_reschedule(ritual=ritual)
        assert ReminderSchedule.objects.filter(ritual=ritual).exists()
        if stop == "pause":
            ritual_update(user=me.user, ritual_id=ritual.pk, data={"status": "paused"})
        elif stop == "delete":
            ritual_delete(ritual=ritual)
        else:
            me.sign_in(me.user)  # a token minted on the travelled clock
            assert me.post("/api/v1/couple/unpair", {"confirm": True}).status_code == 204

    assert not ReminderSchedule.objects.filter(ritual=ritual).exists()
    assert dispatch_due_reminders(now=datetime(2026, 1, 4, 18, 1, tzinfo=UTC)) == 0
    assert not _reminders(ritual).exists()


def test_resuming_a_paused_ritual_schedules_its_next_reminder(couple):
    from rituals.services.rituals import ritual_update

    ritual = _ritual(couple, status="paused")
    with time_machine.travel(datetime(2026, 1, 1, tzinfo=UTC)):
        member = couple.memberships.first().user
        ritual_update(user=member, ritual_id=ritual.pk, data={"status": "active"})
    schedule = ReminderSchedule.objects.get(ritual=ritual)
    assert schedule.fire_at == datetime(2026, 1, 4, 18, tzinfo=UTC)


def test_after_downtime_recent_reminders_go_out_and_stale_ones_are_recorded_as_missed(couple, settings):
    settings.REMINDER_GRACE_MINUTES = 30
    recent = _ritual(couple, rrule="FREQ=DAILY", at=time(9))
    stale = _ritual(couple, rrule="FREQ=DAILY", at=time(7))
    with time_machine.travel(datetime(2026, 2, 1, tzinfo=UTC)):
        reminder_reschedule(ritual=recent)
        reminder_reschedule(ritual=stale)

    # The dispatcher was down from 05:00 to 08:20 UTC (06:00-09:20 Berlin).
    dispatch_due_reminders(now=datetime(2026, 2, 1, 8, 20, tzinfo=UTC))

    sent = list(_reminders(recent))
    missed = list(_reminders(stale))
    # Written claimed for the queue message that will carry them (sent after commit).
    assert [n.push_state for n in sent] == ["sending", "sending"]
    assert all(n.push_lease_until is not None and n.read_at is None for n in sent)
    assert [n.push_state for n in missed] == ["skipped", "skipped"]
    assert all(n.push_last_error.startswith("missed") and n.read_at is not None for n in missed)
    # Both move on to the next day; nothing is sent late.
    assert ReminderSchedule.objects.get(ritual=stale).fire_at == datetime(2026, 2, 2, 6, tzinfo=UTC)


def test_partners_in_different_zones_get_the_reminder_at_the_same_instant(couple):
    ritual = _ritual(couple, rrule="FREQ=DAILY", at=time(20), zone="America/New_York")
    with time_machine.travel(datetime(2026, 2, 1, tzinfo=UTC)):
        reminder_reschedule(ritual=ritual)

    dispatch_due_reminders(now=datetime(2026, 2, 2, 1, 0, tzinfo=UTC))  # 20:00 New York

    recipients = set(_reminders(ritual).values_list("recipient_id", flat=True))
    assert recipients == set(couple.memberships.values_list("user_id", flat=True))


@pytest.mark.parametrize("rituals", [1, 40])
def test_a_dispatch_batch_costs_the_same_number_of_queries_whatever_its_size(rituals, django_assert_num_queries):
    with time_machine.travel(datetime(2026, 1, 1, tzinfo=UTC)):
        for _ in range(rituals):
            ritual = _ritual(pair(UserFactory.create(), UserFactory.create()))
            reminder_reschedule(ritual=ritual)
    # savepoint, claim (lock + ritual), partners, insert notifications, advance schedules, release.
    # + 1 for sync: the counter bump with the state upsert (one statement, sync.changes); the recipients of the new
    # notifications are known without reading them back.
    # + 1: the message copy of the batch (messaging.render.Copy.load).
    with django_assert_num_queries(8):
        assert dispatch_due_reminders(now=datetime(2026, 1, 4, 18, 0, tzinfo=UTC), batch_size=50) == 2 * rituals


def test_a_reminder_already_written_is_neither_pushed_nor_synced_again(
    couple, monkeypatch, django_capture_on_commit_callbacks
):
    queued: list[str] = []
    monkeypatch.setattr("notifications.tasks.enqueue_pushes", lambda ids, **_: queued.extend(ids))
    ritual = _ritual(couple, rrule="FREQ=DAILY", zone="UTC")
    with time_machine.travel(datetime(2026, 1, 5, 12, tzinfo=UTC)):
        reminder_reschedule(ritual=ritual)
    sent = ReminderSchedule.objects.get(ritual=ritual)
    with django_capture_on_commit_callbacks(execute=True):
        assert dispatch_due_reminders(now=sent.fire_at) == 2
    versions = [current_version(member.user_id) for member in couple.memberships.all()]
    # The schedule points at the occurrence already reminded of again (say, an edit racing the
    # dispatcher): the unique dedupe key keeps the notifications, and nothing else happens either.
    ReminderSchedule.objects.filter(ritual=ritual).update(occurrence_at=sent.occurrence_at, fire_at=sent.fire_at)

    with django_capture_on_commit_callbacks(execute=True):
        assert dispatch_due_reminders(now=sent.fire_at) == 0

    assert _reminders(ritual).count() == 2
    assert sorted(queued) == sorted(str(pk) for pk in _reminders(ritual).values_list("id", flat=True))
    assert [current_version(member.user_id) for member in couple.memberships.all()] == versions


def test_new_reminders_reach_each_partners_next_sync_pull(couple):
    ritual = _ritual(couple, rrule="FREQ=DAILY", zone="UTC")
    with time_machine.travel(datetime(2026, 1, 5, 12, tzinfo=UTC)):
        reminder_reschedule(ritual=ritual)
    members = [membership.user for membership in couple.memberships.all()]
    cursors = {member.pk: current_version(member.pk) for member in members}

    dispatch_due_reminders(now=ReminderSchedule.objects.get(ritual=ritual).fire_at)

    for member in members:
        changes = pull(user=member, last_pulled_at=cursors[member.pk])["changes"]["notifications"]
        assert [row["id"] for row in changes["updated"]] == [str(_reminders(ritual).get(recipient=member).pk)]
        assert changes["deleted"] == []


def test_a_due_reminder_reaches_both_phones_through_its_claimed_message(
    couple, fcm, django_capture_on_commit_callbacks
):
    """The whole path: dispatcher → rows written `sending` under the message's claim → the push
    task (eager) sends them without claiming again → `sent` after one attempt."""
    for membership in couple.memberships.all():
        DeviceFactory.create(user=membership.user, push_token=f"phone-of-{membership.user_id}")
    ritual = _ritual(couple, rrule="FREQ=DAILY", zone="UTC", at=time(12))
    with time_machine.travel(datetime(2026, 1, 5, 11, tzinfo=UTC)):
        reminder_reschedule(ritual=ritual)
    with (
        time_machine.travel(datetime(2026, 1, 5, 12, 0, 2, tzinfo=UTC), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert dispatch_due_reminders() == 2

    rows = list(_reminders(ritual))
    assert {(row.push_state, row.push_attempts) for row in rows} == {("sent", 1)}
    assert sorted(fcm.collapse_ids()) == sorted(str(row.id) for row in rows)
    assert sorted(fcm.tokens()) == sorted(f"phone-of-{row.recipient_id}" for row in rows)
