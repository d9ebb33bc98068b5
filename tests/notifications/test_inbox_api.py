import base64
import json
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from config.api.pagination import CreatedAtCursorPagination
from notifications.api.serializers import NotificationOutputSerializer, notifications_output
from notifications.models import Notification, NotificationPreference
from notifications.selectors import INBOX_COLUMNS, inbox_of

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


def test_the_inbox_renders_each_notification_as_its_output_serializer_does(me):
    """The list builds plain dicts on its hot path; they must be exactly the documented serializer's."""
    now = timezone.now()
    _note(me.user, "unread", created_at=now.replace(microsecond=0), data={"ritual_id": "r1", "n": [1, {"a": None}]})
    _note(me.user, "read", created_at=now - timedelta(minutes=3), read_at=now, body="Partner finished it ✓")
    _note(me.user, "empty", created_at=now - timedelta(days=400), data={})

    body = me.get("/api/v1/notifications").json()

    mine = Notification.objects.filter(recipient=me.user).order_by("-created_at")
    expected = NotificationOutputSerializer(mine, many=True).data
    assert body["results"] == json.loads(JSONRenderer().render(expected))
    assert [list(item) for item in body["results"]] == [list(NotificationOutputSerializer().fields)] * 3


def _orm_page(user, url):
    """The page DRF's cursor paginator makes of the ORM queryset the inbox list used to read."""
    request = Request(APIRequestFactory().get(url, secure=True, HTTP_HOST="testserver"))
    paginator = CreatedAtCursorPagination()
    rows: list[dict[str, Any]] = paginator.paginate_queryset(inbox_of(user=user).values(*INBOX_COLUMNS), request) or []
    return json.loads(JSONRenderer().render(paginator.get_paginated_response(notifications_output(rows)).data))


def test_paging_both_ways_matches_the_orm_queryset_page_for_page(me):
    now = timezone.now()
    for index in range(7):
        _note(me.user, f"n{index}", created_at=now - timedelta(minutes=index), read_at=now if index % 2 else None)

    url, seen = "https://testserver/api/v1/notifications?page_size=3", []
    while url:
        body = me.get(url, secure=True).json()
        assert body == _orm_page(me.user, url)
        seen.append(url)
        url = body["next"]
    assert len(seen) == 3
    url = me.get(seen[-1], secure=True).json()["previous"]
    while url:  # and back, through the previous links (reversed cursors)
        body = me.get(url, secure=True).json()
        assert body == _orm_page(me.user, url)
        url = body["previous"]


def test_a_tampered_cursor_is_refused_as_before(me):
    _note(me.user, "one")
    cursor = base64.b64encode(b"o=0&p=not-a-date").decode()

    response = me.get(f"/api/v1/notifications?cursor={cursor}")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
