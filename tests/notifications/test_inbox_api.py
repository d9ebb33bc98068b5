import base64
from datetime import timedelta

import pytest
from django.utils import timezone

from notifications.models import Notification, NotificationPreference

pytestmark = pytest.mark.django_db


def _note(user, key, **fields):
    return Notification.objects.create(recipient=user, kind="nudge", title=f"note {key}", dedupe_key=key, **fields)


def test_the_inbox_lists_my_notifications_newest_first(me, partner):
    now = timezone.now()
    old = _note(me.user, "old", created_at=now - timedelta(hours=2))
    new = _note(me.user, "new", created_at=now)
    _note(partner.user, "theirs")

    body = me.get("/api/v1/notifications").json()

    assert [item["id"] for item in body["results"]] == [str(new.id), str(old.id)]
    assert body["results"][0]["is_read"] is False
    assert set(body) == {"next", "previous", "results"}


def test_the_inbox_is_cursor_paginated_with_a_capped_page_size(me):
    for index in range(5):
        _note(me.user, f"n{index}", created_at=timezone.now() - timedelta(minutes=index))

    first = me.get("/api/v1/notifications?page_size=2").json()
    second = me.get(first["next"]).json()

    assert len(first["results"]) == 2
    assert len(second["results"]) == 2
    assert not {i["id"] for i in first["results"]} & {i["id"] for i in second["results"]}
    assert len(me.get("/api/v1/notifications?page_size=1000").json()["results"]) == 5


def test_reading_one_and_all_updates_the_unread_count(me):
    first, _second, _third = (_note(me.user, key) for key in ("a", "b", "c"))
    assert me.get("/api/v1/notifications/unread-count").json() == {"unread_count": 3}

    response = me.post(f"/api/v1/notifications/{first.id}/read")
    assert response.status_code == 200
    assert response.json()["is_read"] is True
    read_at = response.json()["read_at"]
    assert me.post(f"/api/v1/notifications/{first.id}/read").json()["read_at"] == read_at  # idempotent
    assert me.get("/api/v1/notifications/unread-count").json() == {"unread_count": 2}

    assert me.post("/api/v1/notifications/read-all").json() == {"marked_read": 2}
    assert me.get("/api/v1/notifications/unread-count").json() == {"unread_count": 0}


def test_someone_elses_notification_is_a_404(me, partner):
    theirs = _note(partner.user, "theirs")
    assert me.post(f"/api/v1/notifications/{theirs.id}/read").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_preferences_start_with_the_defaults(me):
    assert me.get("/api/v1/me/notification-preferences").json() == {
        "push_enabled": True,
        "muted_kinds": [],
        "quiet_hours_start": None,
        "quiet_hours_end": None,
        "lock_screen": "full",
    }


def test_preferences_are_replaced_by_put(me):
    body = {
        "push_enabled": True,
        "muted_kinds": ["nudge", "goal_proposed", "nudge"],
        "quiet_hours_start": "22:00",
        "quiet_hours_end": "07:00",
        "lock_screen": "partner",
    }
    response = me.put("/api/v1/me/notification-preferences", body)

    assert response.status_code == 200
    assert response.json()["muted_kinds"] == ["goal_proposed", "nudge"]
    assert response.json()["quiet_hours_start"] == "22:00:00"
    stored = NotificationPreference.objects.get(user=me.user)
    assert stored.lock_screen == "partner"
    assert me.get("/api/v1/me/notification-preferences").json()["quiet_hours_end"] == "07:00:00"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"muted_kinds": ["not_a_kind"]}, "muted_kinds.0"),
        ({"lock_screen": "everything"}, "lock_screen"),
        ({"quiet_hours_start": "25:00"}, "quiet_hours_start"),
        ({"quiet_hours_start": "22:00", "quiet_hours_end": None}, "quiet_hours_end"),
        ({"quiet_hours_start": "22:00", "quiet_hours_end": "22:00"}, "quiet_hours_end"),
        ({"push_enabled": "maybe"}, "push_enabled"),
    ],
)
def test_bad_preferences_are_a_400_naming_the_field(me, change, field):
    body = {
        "push_enabled": True,
        "muted_kinds": [],
        "quiet_hours_start": None,
        "quiet_hours_end": None,
        "lock_screen": "full",
    } | change
    response = me.put("/api/v1/me/notification-preferences", body)

    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert not NotificationPreference.objects.filter(user=me.user).exists()


def test_a_put_that_leaves_out_fields_is_a_400_naming_them(me):
    """PUT replaces all preferences; a partial body once reached the service and answered 500."""
    body: dict[str, object] = {"muted_kinds": [], "quiet_hours_start": None, "quiet_hours_end": None}

    response = me.put("/api/v1/me/notification-preferences", body)

    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"push_enabled", "lock_screen"}
    assert not NotificationPreference.objects.filter(user=me.user).exists()


@pytest.mark.parametrize("count", [1, 30])
def test_inbox_queries_are_constant(me, count, django_assert_num_queries):
    for index in range(count):
        _note(me.user, f"n{index}")
    with django_assert_num_queries(2):  # session+user, page
        assert me.get("/api/v1/notifications").status_code == 200
    with django_assert_num_queries(2):
        assert me.get("/api/v1/notifications/unread-count").json() == {"unread_count": count}


def test_paging_both_ways_sees_every_notification_once_newest_first(me):
    now = timezone.now()
    for index in range(7):
        _note(me.user, f"n{index}", created_at=now - timedelta(minutes=index), read_at=now if index % 2 else None)

    url, pages = "https://testserver/api/v1/notifications?page_size=3", []
    while url:
        body = me.get(url, secure=True).json()
        pages.append([item["title"] for item in body["results"]])
        url = body["next"]
    assert pages == [["note n0", "note n1", "note n2"], ["note n3", "note n4", "note n5"], ["note n6"]]
    assert [item["is_read"] for item in me.get("/api/v1/notifications").json()["results"]] == [
        index % 2 == 1 for index in range(7)
    ]
    url, back = body["previous"], []
    while url:  # and back, through the previous links (reversed cursors)
        body = me.get(url, secure=True).json()
        back.append([item["title"] for item in body["results"]])
        url = body["previous"]
    assert back == pages[-2::-1]


def test_notifications_sharing_a_timestamp_across_pages_are_each_seen_once(me):
    # DRF's cursor then carries an offset: that page is read by the ORM, the others compiled (CompiledPage).
    now = timezone.now()
    for index in range(8):
        _note(me.user, f"n{index}", created_at=now - timedelta(minutes=0 if index < 5 else index))

    url, seen = "https://testserver/api/v1/notifications?page_size=3", []
    while url:
        body = me.get(url, secure=True).json()
        seen += [item["title"] for item in body["results"]]
        url = body["next"]

    assert sorted(seen) == sorted(f"note n{index}" for index in range(8))
    assert seen[5:] == ["note n5", "note n6", "note n7"]


def test_a_tampered_cursor_is_refused_as_before(me):
    _note(me.user, "one")
    cursor = base64.b64encode(b"o=0&p=not-a-date").decode()

    response = me.get(f"/api/v1/notifications?cursor={cursor}")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
