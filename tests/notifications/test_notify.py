"""notifications.services.notify: one notification per dedupe key, with a time-ordered id."""

from typing import Any

import pytest

from messaging.catalog import notification_key
from notifications.models import Notification
from notifications.services import notify, notify_many
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
HUG: dict[str, Any] = {"kind": Notification.Kind.NUDGE, "message": notification_key(Notification.Kind.NUDGE, "hug")}


def test_a_dedupe_key_records_one_notification():
    user = UserFactory.create()
    for _ in range(2):  # a retried request or task
        notify(recipient=user, **HUG, params={"partner_name": "Sam"}, dedupe_key="nudge:1")

    assert Notification.objects.filter(recipient=user).count() == 1


def test_ids_are_time_ordered_so_inserts_append_to_the_primary_key():
    user = UserFactory.create()
    for n in range(3):
        notify_many(
            [
                {"recipient": user, **HUG, "dedupe_key": f"nudge:{n}:{k}"}
                for k in range(2)  # one INSERT of two rows
            ]
        )

    stored = list(Notification.objects.filter(recipient=user).order_by("created_at", "id"))
    assert [note.id.version for note in stored] == [7] * 6
    assert [note.id for note in stored] == sorted(note.id for note in stored)


def test_records_the_server_creates_get_time_ordered_ids_and_a_phones_own_id_is_kept(me, partner, couple):
    from rituals.models import CheckIn, Nudge

    mine = "0b7f8e6e-2c84-4c3a-9d0e-5f1c2a3b4d5e"  # random, as WatermelonDB makes them
    assert me.post("/api/v1/check-ins", {"mood": 4, "connection": 4}).status_code == 201
    assert me.post("/api/v1/check-ins", {"id": mine, "mood": 4, "connection": 4}).status_code == 201
    assert me.post("/api/v1/nudges", {"kind": "hug"}).status_code == 201

    assert sorted(str(pk) for pk in CheckIn.objects.values_list("id", flat=True) if pk.version == 4) == [mine]
    assert [pk.version for pk in Nudge.objects.values_list("id", flat=True)] == [7]
    assert {pk.version for pk in Notification.objects.values_list("id", flat=True)} == {7}
