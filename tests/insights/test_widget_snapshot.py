"""The widget's kept snapshot (insights.widget.widget_snapshot): a poll costs the session and the sync
counter, and anything the widget shows that changes, changes it at once."""

from datetime import date, time

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from notifications.models import Notification
from tests.conftest import AppClient
from tests.factories import PASSWORD
from tests.insights.helpers import at, check_in, complete, daily_ritual

pytestmark = pytest.mark.django_db
WIDGET = "/api/v1/widget"


@pytest.fixture
def utc_couple(couple):
    couple.together_since, couple.time_zone = date(2026, 1, 1), "UTC"
    couple.save()
    return couple


@pytest.fixture
def me_utc(me_user):
    me_user.time_zone = "UTC"
    me_user.save()
    return me_user


def test_a_poll_costs_the_session_and_the_counter_and_answers_the_same(
    utc_couple, me_utc, partner_user, django_assert_num_queries
):
    daily_ritual(utc_couple, title="Kiss", local_time=time(20, 0))
    with time_machine.travel(at("2026-12-04T12:00"), tick=False):
        me = AppClient().sign_in(me_utc)
        with django_assert_num_queries(7):  # session, counter, then the five reads of widget_view
            first = me.get(WIDGET)
        with django_assert_num_queries(2):  # session, counter
            second = me.get(WIDGET)
    assert second.json() == first.json()
    assert second["ETag"] == first["ETag"]


def test_what_the_partner_does_shows_at_the_next_poll(utc_couple, me_utc, partner_user):
    ritual = daily_ritual(utc_couple, title="Kiss", local_time=time(20, 0))
    with time_machine.travel(at("2026-12-04T12:00"), tick=False):
        me = AppClient().sign_in(me_utc)
        assert me.get(WIDGET).json()["next_ritual"]["partner_done"] is False
        complete(ritual, partner_user, at("2026-12-04T20:00"))
        assert me.get(WIDGET).json()["next_ritual"]["partner_done"] is True
        assert me.get(WIDGET).json()["partner_check_in"] is None
        check_in(partner_user, utc_couple, date(2026, 12, 4), shared=True, mood=4, connection=5)
        assert me.get(WIDGET).json()["partner_check_in"]["mood"] == 4


def test_reading_my_notifications_shows_at_the_next_poll(utc_couple, me_utc, partner_user):
    Notification.objects.create(recipient=me_utc, kind=Notification.Kind.NUDGE, title="Hug", body="")
    with time_machine.travel(at("2026-12-04T12:00"), tick=False):
        me = AppClient().sign_in(me_utc)
        assert me.get(WIDGET).json()["unread_notifications"] == 1
        assert me.post("/api/v1/notifications/read-all").status_code == 200
        assert me.get(WIDGET).json()["unread_notifications"] == 0


def test_time_moves_the_next_ritual_and_the_day_without_any_write(utc_couple, me_utc, partner_user):
    daily_ritual(utc_couple, title="Morning", local_time=time(9, 0))
    daily_ritual(utc_couple, title="Evening", local_time=time(20, 0))
    me = AppClient().sign_in(me_utc)
    seen = []
    for moment in ("2026-12-04T08:00", "2026-12-04T08:59", "2026-12-04T09:01", "2026-12-04T23:59"):
        with time_machine.travel(at(moment), tick=False):
            body = me.sign_in(me_utc).get(WIDGET).json()
            seen.append((body["today"], body["next_ritual"]["title"], body["days_together"]))
    with time_machine.travel(at("2026-12-05T00:01"), tick=False):
        body = me.sign_in(me_utc).get(WIDGET).json()
        seen.append((body["today"], body["next_ritual"]["title"], body["days_together"]))
    assert seen == [
        ("2026-12-04", "Morning", 337),
        ("2026-12-04", "Morning", 337),
        ("2026-12-04", "Evening", 337),
        ("2026-12-04", "Morning", 337),  # both missed: the first not done (insights.widget's rule)
        ("2026-12-05", "Morning", 338),
    ]


def _computed(client: AppClient) -> tuple[bool, dict]:
    """GET the widget; whether widget_view ran (more than the session and the counter), and the body."""
    with CaptureQueriesContext(connection) as queries:
        body = client.get(WIDGET).json()
    return len(queries) > 2, body


def test_a_clock_moved_back_and_a_new_zone_are_never_served_a_kept_snapshot(utc_couple, me_utc, partner_user):
    daily_ritual(utc_couple, title="Kiss", local_time=time(20, 0))
    with time_machine.travel(at("2026-12-04T12:00"), tick=False):
        me = AppClient().sign_in(me_utc)
        assert _computed(me)[0] is True
        assert _computed(me)[0] is False
    with time_machine.travel(at("2026-12-04T11:00"), tick=False):
        assert _computed(me.sign_in(me_utc))[0] is True
    with time_machine.travel(at("2026-12-04T12:00"), tick=False):
        me.sign_in(me_utc)
        assert _computed(me)[0] is False
        assert me.patch("/api/v1/me", {"time_zone": "Asia/Tokyo"}, format="json").status_code == 200
        recomputed, body = _computed(me)
    assert recomputed is True
    assert body["next_ritual"]["title"] == "Kiss"


def test_an_unpaired_user_is_never_served_the_couples_snapshot(utc_couple, me_utc, partner_user):
    with time_machine.travel(at("2026-12-04T12:00"), tick=False):
        me = AppClient().sign_in(me_utc)
        assert me.get(WIDGET).status_code == 200
        assert cache.get(f"widget:{me_utc.pk}") is not None
        assert me.post("/api/v1/couple/unpair", {"confirm": True}, format="json").status_code in (200, 204)
        assert me.get(WIDGET).json()["error"]["code"] == "not_paired"


def test_a_cache_that_fails_costs_the_snapshot_not_the_widget(utc_couple, me_utc, partner_user, settings, monkeypatch):
    from insights import widget

    monkeypatch.setattr(widget, "_cache_down_until", 0.0)
    settings.CACHES = {  # a Redis nobody listens on: every call fails at once
        "default": {"BACKEND": "config.cache.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
    }
    daily_ritual(utc_couple, title="Kiss", local_time=time(20, 0))
    with time_machine.travel(at("2026-12-04T12:00"), tick=False):
        me = AppClient().sign_in(me_utc)
        first, second = me.get(WIDGET), me.get(WIDGET)
    assert (first.status_code, second.status_code) == (200, 200)
    assert second.json()["next_ritual"]["title"] == "Kiss"
    assert widget._cache_down_until > 0  # left alone for a while after the failure


def test_the_kept_snapshot_goes_with_the_account_and_lives_no_longer_than_it_can_be_served(
    utc_couple, me_utc, partner_user
):
    daily_ritual(utc_couple, title="Kiss", local_time=time(20, 0))
    with time_machine.travel(at("2026-12-04T12:00"), tick=False):
        me = AppClient().sign_in(me_utc)
        me.get(WIDGET)
        key = f"widget:{me_utc.pk}"
        assert cache.get(key)[2] == at("2026-12-04T20:00")  # served until the ritual starts
        assert me.delete("/api/v1/me", {"password": PASSWORD}, format="json").status_code == 204
    assert cache.get(key) is None
