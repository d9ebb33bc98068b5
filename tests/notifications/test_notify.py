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
