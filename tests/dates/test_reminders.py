"""Date reminders through the one reminder schedule and dispatcher the rituals use.

The day before and one hour before, each partner with the time in their own zone; a memory prompt
two hours after the end; exactly once per (date, occurrence, stage, recipient) under duplicate
ticks, two dispatchers at once and a dispatcher killed mid-batch; moved with the date, gone once it
is off or the couple ends.
"""

import threading
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from unittest import mock

import pytest
import time_machine
from django.db import connection

from couples.models import Couple
from couples.services import couple_unpair
from dates.models import DatePlan
from dates.services import plans
from notifications import reminders
from notifications.models import Notification, ReminderSchedule
from rituals.models import Ritual
from tests.dates.helpers import make_plan
from tests.factories import UserFactory, pair

DAY = date(2031, 1, 15)  # Berlin +01:00, New York -05:00
STARTS = datetime(2031, 1, 15, 18, 30, tzinfo=UTC)  # 19:30 in Berlin, 13:30 in New York
PROPOSED_AT = datetime(2031, 1, 1, 12, tzinfo=UTC)


def _accepted(me_user, partner_user, couple) -> DatePlan:
    with time_machine.travel(PROPOSED_AT, tick=False):
        plan = make_plan(couple, me_user, on=DAY, at=time(19, 30), time_zone="Europe/Berlin")
        return plans.plan_transition(user=partner_user, plan_id=plan.pk, action="accept")


def _date_notes(plan: DatePlan) -> list[Notification]:
    return list(Notification.objects.filter(dedupe_key__startswith=f"reminder:date:{plan.pk}:").order_by("created_at"))


def test_accepting_schedules_the_day_before_and_cancelling_removes_it(me_user, partner_user, couple):
    plan = _accepted(me_user, partner_user, couple)
    row = ReminderSchedule.objects.get(date_plan=plan)
    assert (row.kind, row.stage, row.fire_at) == ("date", "day_before", STARTS - timedelta(days=1))

    with time_machine.travel(PROPOSED_AT, tick=False):
        plans.plan_transition(user=me_user, plan_id=plan.pk, action="cancel")
    assert not ReminderSchedule.objects.filter(date_plan=plan).exists()


def test_a_proposal_has_no_reminder_until_it_is_accepted(me_user, couple, partner_user):
    plan = make_plan(couple, me_user)
    plans.plan_transition(user=partner_user, plan_id=plan.pk, action="decline")
    assert not ReminderSchedule.objects.exists()


def test_each_stage_reaches_each_partner_once_in_their_own_zone(me_user, partner_user, couple):
    plan = _accepted(me_user, partner_user, couple)

    for tick in (STARTS - timedelta(days=1), STARTS - timedelta(days=1)):  # a duplicated tick
        reminders.dispatch_due_reminders(now=tick)
    day_before = _date_notes(plan)
    assert len(day_before) == 2
    bodies = {n.recipient_id: n.body for n in day_before}
    assert bodies[me_user.pk] == "Your date is tomorrow at 19:30."
    assert bodies[partner_user.pk] == "Your date is tomorrow at 13:30."
    assert {n.kind for n in day_before} == {"date_reminder"}
    assert {n.id.version for n in day_before} == {7}  # minted time-ordered (config.ids)
    assert ReminderSchedule.objects.get(date_plan=plan).stage == "hour_before"

    reminders.dispatch_due_reminders(now=STARTS - timedelta(hours=1))
    reminders.dispatch_due_reminders(now=STARTS - timedelta(hours=1))
    hour_before = _date_notes(plan)[2:]
    assert sorted(n.body for n in hour_before) == [
        "Your date starts in one hour, at 13:30.",
        "Your date starts in one hour, at 19:30.",
    ]

    reminders.dispatch_due_reminders(now=plan.ends_at + timedelta(hours=2))
    prompts = _date_notes(plan)[4:]
    assert [n.kind for n in prompts] == ["date_memory_prompt", "date_memory_prompt"]
    assert prompts[0].data == {
        "screen": "date",
        "date_id": str(plan.pk),
        "occurrence_at": plan.starts_at.isoformat(),
        "stage": "memory_prompt",
    }
    assert not ReminderSchedule.objects.filter(date_plan=plan).exists()
    assert len(_date_notes(plan)) == 6


def test_a_moved_date_moves_its_reminders(me_user, partner_user, couple, me):
    with time_machine.travel(PROPOSED_AT, tick=False):
        plan = make_plan(couple, me_user, on=DAY, at=time(19, 30))
        plans.plan_transition(
            user=partner_user,
            plan_id=plan.pk,
            action="counter",
            offer=plans.Offer(local_date=DAY + timedelta(days=2), local_time=time(20), time_zone="Europe/Berlin"),
        )
        plans.plan_transition(user=me_user, plan_id=plan.pk, action="accept")
    row = ReminderSchedule.objects.get(date_plan=plan)
    assert row.fire_at == datetime(2031, 1, 16, 19, tzinfo=UTC)


def test_after_an_outage_a_stale_reminder_is_recorded_as_missed_and_the_next_stage_still_fires(
    me_user, partner_user, couple
):
    plan = _accepted(me_user, partner_user, couple)
    reminders.dispatch_due_reminders(now=STARTS - timedelta(hours=3))  # 21 h late for the day before
    missed = _date_notes(plan)
    assert {(n.push_state, n.read_at is not None) for n in missed} == {("skipped", True)}
    reminders.dispatch_due_reminders(now=STARTS - timedelta(minutes=59))
    assert {n.push_state for n in _date_notes(plan)[2:]} == {"sending"}


def test_unpairing_stops_the_reminders(me_user, partner_user, couple):
    plan = _accepted(me_user, partner_user, couple)
    couple_unpair(user=me_user)
    assert not ReminderSchedule.objects.filter(date_plan=plan).exists()


def test_a_dispatcher_killed_mid_batch_writes_nothing_and_the_next_run_writes_once(me_user, partner_user, couple):
    plan = _accepted(me_user, partner_user, couple)
    with (
        mock.patch("notifications.reminders.touch_notifications", side_effect=SystemExit("killed")),
        pytest.raises(SystemExit),
    ):
        reminders.dispatch_due_reminders(now=STARTS - timedelta(days=1))
    assert _date_notes(plan) == []
    assert ReminderSchedule.objects.get(date_plan=plan).stage == "day_before"
    reminders.dispatch_due_reminders(now=STARTS - timedelta(days=1))
    assert len(_date_notes(plan)) == 2


@pytest.mark.django_db(transaction=True)
def test_two_dispatchers_over_mixed_rituals_and_dates_write_each_reminder_exactly_once():
    couples: list[tuple[Couple, list]] = []
    due = STARTS - timedelta(days=1)
    for index in range(30):
        a, b = UserFactory.create(time_zone="Europe/Berlin"), UserFactory.create(time_zone="America/New_York")
        couple = pair(a, b)
        with time_machine.travel(PROPOSED_AT, tick=False):
            plan = make_plan(couple, a, on=DAY, at=time(19, 30))
            plans.plan_transition(user=b, plan_id=plan.pk, action="accept")
            ritual = Ritual.objects.create(
                couple=couple,
                title=f"Walk {index}",
                rrule="FREQ=DAILY",
                start_date=DAY - timedelta(days=5),
                local_time=time(19, 30),
                time_zone="Europe/Berlin",
                reminder_offset_minutes=0,
            )
            reminders.reminder_reschedule(ritual=ritual, after=due - timedelta(minutes=1))
        couples.append((couple, [plan, ritual]))
    assert ReminderSchedule.objects.filter(kind="date", fire_at=due).count() == 30

    barrier, errors = threading.Barrier(2), []
    written: Counter[str] = Counter()

    def run(name: str) -> None:
        try:
            barrier.wait()
            for _ in range(2):  # and a duplicated tick each
                written[name] += reminders.dispatch_due_reminders(batch_size=7, now=due)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    keys = Counter(Notification.objects.filter(dedupe_key__startswith="reminder:").values_list("dedupe_key", flat=True))
    assert all(count == 1 for count in keys.values())
    dates = [k for k in keys if k.startswith("reminder:date:")]
    assert len(dates) == 60
    assert len(keys) - len(dates) == 60
    assert sum(written.values()) == 120
    assert ReminderSchedule.objects.filter(kind="date", stage="hour_before").count() == 30


@pytest.mark.parametrize(
    ("level", "title", "body"),
    [
        ("full", "Dinner at Enzo's", "Your date is tomorrow at 19:30."),
        ("partner", "A date is coming up", None),
        ("generic", "You have a new notification", None),
    ],
)
def test_a_date_reminder_push_respects_the_lock_screen_level(fcm, me_user, partner_user, couple, level, title, body):
    from notifications import delivery
    from notifications.models import NotificationPreference
    from tests.factories import DeviceFactory

    DeviceFactory.create(user=me_user)
    NotificationPreference.objects.create(user=me_user, lock_screen=level)
    plan = _accepted(me_user, partner_user, couple)
    with time_machine.travel(STARTS - timedelta(days=1), tick=False):
        reminders.dispatch_due_reminders()
        note = Notification.objects.get(recipient=me_user, kind="date_reminder")
        assert delivery.deliver([str(note.id)], lease_until=note.push_lease_until) == {"sent": 1}

    sent = fcm.received[0]["message"]["notification"]
    assert (sent.get("title"), sent.get("body")) == (title, body)
    assert plan.pk


def test_a_date_reminder_in_quiet_hours_is_held_until_they_end(fcm, me_user, partner_user, couple):
    from notifications import delivery
    from notifications.models import NotificationPreference
    from tests.factories import DeviceFactory

    # The day-before reminder fires at 18:30Z: 13:30 in New York, inside the partner's quiet hours.
    DeviceFactory.create(user=partner_user)
    NotificationPreference.objects.create(user=partner_user, quiet_hours_start=time(13), quiet_hours_end=time(14))
    _accepted(me_user, partner_user, couple)
    with time_machine.travel(STARTS - timedelta(days=1), tick=False):
        reminders.dispatch_due_reminders()
        note = Notification.objects.get(recipient=partner_user, kind="date_reminder")
        delivery.deliver([str(note.id)], lease_until=note.push_lease_until)
    note.refresh_from_db()
    assert note.push_state == "held"
    assert note.push_not_before == datetime(2031, 1, 14, 19, tzinfo=UTC)  # 14:00 in New York
    assert fcm.received == []
