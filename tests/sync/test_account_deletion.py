"""Deleting an account that has synced records: the deletion commits, the partner's phone learns of it.

Transactional on purpose: the bug this guards against was a deferred foreign key (a sync counter
re-stamped for the user being deleted) that only fails at COMMIT, which a rolled-back test never reaches.
"""

import pytest

from accounts.models import User
from sync.models import SyncCounter, SyncState
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_paired_user_with_synced_records_can_delete_the_account(me, me_user, partner, couple):
    ritual = me.post(
        "/api/v1/rituals",
        {"title": "Date night", "category": "date_night", "rrule": "FREQ=WEEKLY;BYDAY=SU", "local_time": "19:00"},
    )
    assert ritual.status_code == 201, ritual.content
    check_in = me.post("/api/v1/check-ins", {"mood": 4, "connection": 5, "note": "", "is_shared": True})
    assert check_in.status_code == 201, check_in.content
    cursor = partner.get("/api/v1/sync/pull").json()["timestamp"]
    user_id = me_user.id

    response = me.delete("/api/v1/me", {"password": PASSWORD}, format="json")

    assert response.status_code == 204, response.content
    assert not User.objects.filter(id=user_id).exists()
    assert not SyncCounter.objects.filter(user_id=user_id).exists()
    assert not SyncState.objects.filter(user_id=user_id).exists()
    # The partner's next pull removes the shared records and the ex-partner's profile.
    changes = partner.get(f"/api/v1/sync/pull?last_pulled_at={cursor}").json()["changes"]
    assert ritual.json()["id"] in changes["rituals"]["deleted"]
    assert check_in.json()["id"] in changes["check_ins"]["deleted"]
    assert str(user_id) in changes["partner_profiles"]["deleted"]
