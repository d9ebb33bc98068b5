"""Retention purges (docs/privacy.md): what goes after how long, in batches, and what must stay."""

from datetime import timedelta

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.utils import timezone

from accounts.models import AuthSession, TombstoneWatermark
from accounts.services import retention
from notifications.models import Notification
from notifications.retention import notifications_purge_old
from sync.models import SyncCounter, SyncState
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)


def _notification(user, age_days, state=Notification.PushState.SENT, n=0):
    return Notification.objects.create(
        recipient=user,
        kind=Notification.Kind.choices[0][0],
        title="t",
        dedupe_key=f"test:{user.pk}:{age_days}:{state}:{n}",
        created_at=timezone.now() - age_days * DAY,
        push_state=state,
    )


def test_old_notifications_go_in_batches_and_leave_the_phones_as_tombstones(settings):
    settings.NOTIFICATION_RETENTION_DAYS = 180
    settings.RETENTION_BATCH_SIZE = 2
    user = UserFactory.create()
    old = [_notification(user, 200, n=i) for i in range(5)]
    recent = _notification(user, 10)
    waiting = _notification(user, 200, Notification.PushState.PENDING)
    held = _notification(user, 200, Notification.PushState.HELD)

    assert notifications_purge_old() == 5

    assert set(Notification.objects.values_list("id", flat=True)) == {recent.id, waiting.id, held.id}
    tombstones = SyncState.objects.filter(user=user, deleted=True, table="notifications")
    assert set(tombstones.values_list("record_id", flat=True)) == {str(n.id) for n in old}
    assert notifications_purge_old() == 0  # safe to run twice


def test_ended_sessions_go_after_their_retention_live_ones_stay(settings):
    settings.ENDED_SESSION_RETENTION_DAYS = 30
    user = UserFactory.create()
    now = timezone.now()
    old_ended = AuthSession.objects.create(user=user, revoked_at=now - 31 * DAY, created_at=now - 40 * DAY)
    new_ended = AuthSession.objects.create(user=user, revoked_at=now - 2 * DAY)
    live = AuthSession.objects.create(user=user)

    retention.sessions_purge_ended(now=now)

    assert set(AuthSession.objects.values_list("id", flat=True)) == {new_ended.id, live.id}
    assert not AuthSession.objects.filter(id=old_ended.id).exists()


def test_the_admin_audit_trail_is_kept_for_its_retention(settings):
    settings.ADMIN_AUDIT_RETENTION_DAYS = 730
    staff = UserFactory.create(is_staff=True)
    for age in (800, 10):
        entry = LogEntry.objects.create(user=staff, object_repr="x", action_flag=CHANGE, change_message="c")
        LogEntry.objects.filter(pk=entry.pk).update(action_time=timezone.now() - age * DAY)

    assert retention.staff_logs_purge(now=timezone.now()) == 1
    assert LogEntry.objects.count() == 1


def test_sync_tombstones_go_only_once_older_than_the_retention(settings):
    settings.SYNC_TOMBSTONE_RETENTION_DAYS = 30
    user = UserFactory.create()
    SyncCounter.objects.create(user=user, version=5)
    old = SyncState.objects.create(user=user, table="rituals", record_id="old", version=3, deleted=True)
    alive = SyncState.objects.create(user=user, table="rituals", record_id="alive", version=4, deleted=False)
    start = timezone.now()

    # First sight of the user: a watermark at version 5, nothing purged (no tombstone is known old yet).
    assert retention.sync_tombstones_purge(now=start) == 0
    assert TombstoneWatermark.objects.get(user=user).version == 5
    SyncCounter.objects.filter(user=user).update(version=8)
    newer = SyncState.objects.create(user=user, table="rituals", record_id="newer", version=7, deleted=True)

    assert retention.sync_tombstones_purge(now=start + 29 * DAY) == 0
    assert retention.sync_tombstones_purge(now=start + 31 * DAY) == 1

    assert set(SyncState.objects.filter(user=user).values_list("id", flat=True)) == {alive.id, newer.id}
    assert not SyncState.objects.filter(id=old.id).exists()
    watermark = TombstoneWatermark.objects.get(user=user)
    assert (watermark.purged_through, watermark.version) == (5, 8)


def test_sync_tombstones_are_kept_while_the_retention_is_off(settings):
    settings.SYNC_TOMBSTONE_RETENTION_DAYS = 0
    user = UserFactory.create()
    SyncState.objects.create(user=user, table="rituals", record_id="old", version=1, deleted=True)

    assert retention.sync_tombstones_purge(now=timezone.now() + 3650 * DAY) == 0
    assert SyncState.objects.count() == 1


def test_purge_all_runs_every_accounts_purge():
    assert set(retention.purge_all()) == {"ended_sessions", "staff_logs", "sync_tombstones"}
