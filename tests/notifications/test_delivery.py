"""The push pipeline against a fake FCM server on loopback (the real FCM provider)."""

from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine
from django.utils import timezone

from accounts.models import Device
from notifications import delivery
from notifications.models import Notification, NotificationPreference
from notifications.tasks import push_pump
from tests.factories import DeviceFactory, UserFactory

pytestmark = pytest.mark.django_db
State = Notification.PushState


def _note(user, key="n1", kind=Notification.Kind.NUDGE, title="Alex sent you a hug", body="💞"):
    return Notification.objects.create(
        recipient=user, kind=kind, title=title, body=body, dedupe_key=key, data={"screen": "nudges"}
    )


@pytest.fixture
def user():
    return UserFactory.create(time_zone="Europe/Berlin")


def test_a_push_reaches_every_active_device_and_is_marked_sent(fcm, user):
    phone = DeviceFactory.create(user=user, push_token="phone-token")
    DeviceFactory.create(user=user, push_token="tablet-token")
    DeviceFactory.create(user=user, push_token="old-token", is_active=False)
    note = _note(user)

    assert delivery.deliver([str(note.id)]) == {"sent": 1}

    assert sorted(fcm.tokens()) == ["phone-token", "tablet-token"]
    message = fcm.received[0]["message"]
    assert message["notification"] == {"title": "Alex sent you a hug", "body": "💞"}
    assert message["data"]["notification_id"] == str(note.id)
    assert message["data"]["screen"] == "nudges"
    assert message["android"]["collapse_key"] == str(note.id)
    note.refresh_from_db()
    assert note.push_state == State.SENT
    assert note.push_attempts == 1
    assert note.push_sent_at is not None
    phone.refresh_from_db()
    assert phone.is_active


@pytest.mark.parametrize("token", ["unregistered-abc", "invalid-abc"])
def test_unregistered_and_invalid_tokens_deactivate_the_device_without_retry(fcm, user, token):
    device = DeviceFactory.create(user=user, push_token=token)
    note = _note(user)

    delivery.deliver([str(note.id)])

    device.refresh_from_db()
    note.refresh_from_db()
    assert not device.is_active
    assert note.push_state == State.SKIPPED
    assert note.push_not_before is None
    assert len(fcm.received) == 1


def test_one_bad_token_does_not_stop_the_good_one(fcm, user):
    DeviceFactory.create(user=user, push_token="unregistered-old-phone")
    DeviceFactory.create(user=user, push_token="new-phone")
    note = _note(user)

    delivery.deliver([str(note.id)])

    note.refresh_from_db()
    assert note.push_state == State.SENT
    assert list(Device.objects.filter(user=user, is_active=True).values_list("push_token", flat=True)) == ["new-phone"]


@pytest.mark.parametrize("token", ["unavailable-x", "quota-x", "error500-x"])
def test_transient_errors_are_retried_later_with_backoff(fcm, user, token, settings):
    DeviceFactory.create(user=user, push_token=token)
    note = _note(user)
    before = timezone.now()

    delivery.deliver([str(note.id)])

    note.refresh_from_db()
    device = Device.objects.get(user=user)
    assert device.is_active
    assert note.push_state == State.PENDING
    assert note.push_attempts == 1
    assert token.split("-")[0] in note.push_last_error.lower() or note.push_last_error
    delay = note.push_not_before - before
    assert timedelta(0) < delay <= timedelta(seconds=settings.PUSH_RETRY_BASE_SECONDS + 1)
    # Not due yet: a second delivery does nothing.
    assert delivery.deliver([str(note.id)]) == {}
    assert len(fcm.received) == 1


def test_retries_back_off_exponentially_and_give_up_at_the_cap(fcm, user, settings):
    settings.PUSH_MAX_ATTEMPTS = 4
    DeviceFactory.create(user=user, push_token="unavailable-x")
    note = _note(user)
    ceilings = []
    moment = timezone.now()
    for attempt in range(1, 5):
        with time_machine.travel(moment, tick=False):
            delivery.deliver([str(note.id)])
        note.refresh_from_db()
        assert note.push_attempts == attempt
        if attempt < 4:
            assert note.push_state == State.PENDING
            ceilings.append(settings.PUSH_RETRY_BASE_SECONDS * 2 ** (attempt - 1))
            assert note.push_not_before - moment <= timedelta(seconds=ceilings[-1])
            moment = note.push_not_before + timedelta(seconds=1)
    assert note.push_state == State.FAILED
    assert len(fcm.received) == 4


def test_the_backoff_is_capped(settings):
    settings.PUSH_RETRY_CAP_SECONDS = 600
    assert all(delivery.retry_delay(attempts) <= timedelta(seconds=600) for attempts in range(1, 30) for _ in range(20))


def test_a_notification_is_claimed_once_even_if_delivered_twice(fcm, user):
    DeviceFactory.create(user=user, push_token="phone")
    note = _note(user)

    delivery.deliver([str(note.id)])
    delivery.deliver([str(note.id)])

    assert len(fcm.received) == 1


def test_push_off_and_muted_kinds_are_skipped_but_stay_in_the_inbox(fcm, user):
    DeviceFactory.create(user=user)
    NotificationPreference.objects.create(user=user, muted_kinds=["nudge"])
    muted = _note(user, "muted")
    goal = _note(user, "goal", kind=Notification.Kind.GOAL_PROPOSED, title="Sam proposed a goal")

    delivery.deliver([str(muted.id), str(goal.id)])

    assert Notification.objects.get(id=muted.id).push_state == State.SKIPPED
    assert Notification.objects.get(id=goal.id).push_state == State.SENT
    NotificationPreference.objects.filter(user=user).update(push_enabled=False)
    later = _note(user, "later", kind=Notification.Kind.GOAL_ACCEPTED)
    delivery.deliver([str(later.id)])
    assert Notification.objects.get(id=later.id).push_state == State.SKIPPED
    assert Notification.objects.filter(recipient=user).count() == 3


def test_no_device_means_skipped(fcm, user):
    note = _note(user)
    delivery.deliver([str(note.id)])
    note.refresh_from_db()
    assert note.push_state == State.SKIPPED
    assert note.push_last_error == "no active device"


@pytest.mark.parametrize(
    ("level", "kind", "title", "body"),
    [
        ("full", Notification.Kind.NUDGE, "Alex sent you a hug", "💞"),
        ("partner", Notification.Kind.NUDGE, "Your partner sent you something", None),
        ("partner", Notification.Kind.RITUAL_REMINDER, "A ritual is coming up", None),
        ("generic", Notification.Kind.NUDGE, "You have a new notification", None),
    ],
)
def test_the_lock_screen_shows_only_what_the_recipient_allows(fcm, user, level, kind, title, body):
    DeviceFactory.create(user=user)
    NotificationPreference.objects.create(user=user, lock_screen=level)
    note = _note(user, kind=kind)

    delivery.deliver([str(note.id)])

    sent = fcm.received[0]["message"]["notification"]
    assert sent.get("title") == title
    assert sent.get("body") == body


def test_quiet_hours_across_midnight_hold_the_push_until_they_end(fcm, user):
    DeviceFactory.create(user=user)
    NotificationPreference.objects.create(user=user, quiet_hours_start=time(22), quiet_hours_end=time(7))
    # 23:30 in Berlin (CET, UTC+1).
    with time_machine.travel(datetime(2026, 11, 23, 22, 30, tzinfo=UTC), tick=False):
        note = _note(user)
        delivery.deliver([str(note.id)])
        note.refresh_from_db()
        assert note.push_state == State.HELD
        assert note.push_not_before == datetime(2026, 11, 24, 6, 0, tzinfo=UTC)  # 07:00 Berlin
        assert fcm.received == []
        assert push_pump() == 0  # still quiet
    with time_machine.travel(datetime(2026, 11, 24, 6, 0, 1, tzinfo=UTC), tick=False):
        assert push_pump() == 1  # eager Celery: the pump's send ran too
    note.refresh_from_db()
    assert note.push_state == State.SENT
    assert len(fcm.received) == 1


def test_partners_in_different_zones_get_quiet_hours_in_their_own_zone(fcm):
    berlin = UserFactory.create(time_zone="Europe/Berlin")
    new_york = UserFactory.create(time_zone="America/New_York")
    for person in (berlin, new_york):
        DeviceFactory.create(user=person)
        NotificationPreference.objects.create(user=person, quiet_hours_start=time(22), quiet_hours_end=time(7))
    # 03:00 UTC: 04:00 in Berlin (quiet), 22:00 the evening before in New York (quiet just started).
    # 02:00 UTC: 03:00 in Berlin (quiet), 21:00 in New York (not quiet).
    with time_machine.travel(datetime(2026, 11, 24, 2, 0, tzinfo=UTC), tick=False):
        a, b = _note(berlin, "a"), _note(new_york, "b")
        delivery.deliver([str(a.id), str(b.id)])
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.push_state == State.HELD
    assert b.push_state == State.SENT


def test_the_sweeper_resends_a_row_a_dead_worker_left_sending(fcm, user, settings):
    DeviceFactory.create(user=user)
    note = _note(user)
    assert delivery.claim([str(note.id)])  # a worker claimed it and died before sending
    assert push_pump() == 0  # the lease is still running: nobody else may send it
    with time_machine.travel(timezone.now() + timedelta(seconds=settings.PUSH_LEASE_SECONDS + 1)):
        assert push_pump() == 1
    note.refresh_from_db()
    assert note.push_state == State.SENT
    assert note.push_attempts == 2
    assert len(fcm.received) == 1


def test_the_pump_leaves_freshly_queued_rows_to_their_message_and_requeues_lost_ones(fcm, user, settings):
    """A row queued on commit is on the broker already: the pump must not queue it again during a
    burst (hundreds of thousands of such rows). If no worker claimed it within a lease, its
    message was lost (broker down at commit): then the pump queues it."""
    DeviceFactory.create(user=user)
    note = _note(user)
    assert push_pump() == 0
    with time_machine.travel(timezone.now() + timedelta(seconds=settings.PUSH_LEASE_SECONDS + 1)):
        assert push_pump() == 1
    note.refresh_from_db()
    assert note.push_state == State.SENT
    assert len(fcm.received) == 1


def test_a_claim_skips_rows_that_are_not_due_and_leaves_them_untouched(fcm, user):
    later = timezone.now() + timedelta(minutes=5)
    retry = Notification.objects.create(
        recipient=user, kind=Notification.Kind.NUDGE, title="t", dedupe_key="retry", push_not_before=later
    )
    sent = Notification.objects.create(
        recipient=user, kind=Notification.Kind.NUDGE, title="t", dedupe_key="sent", push_state=State.SENT
    )
    due = _note(user, key="due")

    claimed = delivery.claim([str(retry.id), str(sent.id), str(due.id)])

    assert [row.id for row in claimed] == [due.id]
    assert claimed[0].push_state == State.SENDING
    states = dict(Notification.objects.values_list("dedupe_key", "push_state"))
    assert states == {"retry": State.PENDING, "sent": State.SENT, "due": State.SENDING}
    assert Notification.objects.get(pk=retry.pk).push_attempts == 0


@pytest.mark.parametrize("count", [1, 20])
def test_a_batch_costs_the_same_number_of_queries_whatever_its_size(fcm, count, django_assert_num_queries):
    ids = []
    for index in range(count):
        person = UserFactory.create()
        DeviceFactory.create(user=person)
        ids.append(str(_note(person, f"n{index}").id))
    # claim: savepoint, lock+select, update, release; preferences; devices with their recipient's
    # locale; the message copy of the batch; one update per outcome.
    with django_assert_num_queries(8):
        assert delivery.deliver(ids) == {"sent": count}


def _born_claimed(user, key, lease_until):
    """A row as the reminder dispatcher writes it: `sending`, claimed for its queue message."""
    return Notification.objects.create(
        recipient=user,
        kind=Notification.Kind.RITUAL_REMINDER,
        title="Evening walk",
        body="Your ritual starts now.",
        dedupe_key=key,
        push_state=State.SENDING,
        push_attempts=1,
        push_lease_until=lease_until,
    )


@pytest.mark.parametrize("count", [1, 20])
def test_rows_claimed_at_birth_are_sent_by_their_message_without_a_claim_write(
    fcm, count, django_assert_num_queries, settings
):
    lease_until = timezone.now() + timedelta(seconds=settings.PUSH_QUEUE_LEASE_SECONDS)
    ids = []
    for index in range(count):
        person = UserFactory.create()
        DeviceFactory.create(user=person)
        ids.append(str(_born_claimed(person, f"r{index}", lease_until).id))
    # the rows; preferences; devices with their recipient's locale; the message copy of the batch;
    # one update per outcome.
    with django_assert_num_queries(5):
        assert delivery.deliver(ids, lease_until=lease_until) == {"sent": count}
    assert Notification.objects.filter(push_state=State.SENT, push_attempts=1, push_lease_until=None).count() == count
    assert len(fcm.received) == count

    # The same message again (a worker lost after recording): nothing is sent twice.
    assert delivery.deliver(ids, lease_until=lease_until) == {}
    assert len(fcm.received) == count


def test_a_row_claimed_for_another_message_or_too_late_is_not_sent(fcm, user, settings):
    DeviceFactory.create(user=user)
    lease_until = timezone.now() + timedelta(seconds=settings.PUSH_QUEUE_LEASE_SECONDS)
    note = _born_claimed(user, "r1", lease_until)

    # Another claim (e.g. the sweeper handed the row on and a worker claimed it anew).
    assert delivery.deliver([str(note.id)], lease_until=lease_until - timedelta(seconds=1)) == {}
    # Too little of the claim left to finish within the task's time limit: the sweeper's turn.
    late = lease_until - timedelta(seconds=settings.PUSH_TASK_TIME_LIMIT - 1)
    with time_machine.travel(late, tick=False):
        assert delivery.deliver([str(note.id)], lease_until=lease_until) == {}
    assert fcm.received == []
    assert Notification.objects.get(pk=note.pk).push_state == State.SENDING

    with time_machine.travel(lease_until + timedelta(seconds=1)):
        assert push_pump() == 1  # swept back to pending, queued and sent (eager Celery)
    note.refresh_from_db()
    assert note.push_state == State.SENT
    assert note.push_attempts == 2
    assert len(fcm.received) == 1


def test_an_outcome_is_recorded_only_under_the_lease_the_push_was_sent_under(user):
    """A slow worker whose row was swept and claimed anew (another lease) must not overwrite the
    new holder's row with its own late outcome."""
    note = _note(user)
    [row] = delivery.claim([str(note.id)])
    held_under = row.push_lease_until
    assert held_under is not None
    newer = held_under + timedelta(minutes=5)
    Notification.objects.filter(pk=note.pk).update(push_lease_until=newer)  # swept, claimed anew

    failed = delivery._Decision(State.FAILED, "late answer")
    delivery._record({note.id: failed}, {note.id: held_under}, timezone.now())

    note.refresh_from_db()
    assert (note.push_state, note.push_lease_until, note.push_last_error) == (State.SENDING, newer, "")
    delivery._record({note.id: delivery._Decision(State.SENT)}, {note.id: newer}, timezone.now())
    assert Notification.objects.get(pk=note.pk).push_state == State.SENT
