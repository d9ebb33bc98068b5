"""couple/milestones, couple/special-dates, the milestone push and the widget."""

import json
import logging
from datetime import date, time

import pytest
import time_machine

from insights.milestones import milestone_pushes_send
from insights.models import SpecialDate
from insights.selectors import milestones_between
from notifications.models import Notification, NotificationPreference
from rituals.models import DailyPrompt, Prompt, PromptAnswer, PromptDeck
from tests.conftest import AppClient
from tests.factories import DeviceFactory
from tests.insights.helpers import at, check_in, complete, daily_ritual


def test_milestones_are_100_day_marks_half_years_anniversaries_and_special_dates():
    found = milestones_between(
        together_since=date(2024, 2, 29),
        specials=[SpecialDate(id=None, title="Sam's birthday", date=date(1990, 3, 1))],
        start=date(2025, 2, 1),
        end=date(2025, 9, 30),
    )
    assert [(m.kind, m.date.isoformat(), m.title) for m in found] == [
        ("special_date", "2025-03-01", "Sam's birthday"),
        ("days_100", "2025-04-04", "400 days together"),
        ("days_100", "2025-07-13", "500 days together"),
        ("half_year", "2025-08-29", "1½ years together"),
    ]  # no anniversary: 29 February 2025 does not exist


def test_get_milestones_counts_days_together_in_the_couples_zone(me, couple, django_assert_num_queries):
    couple.together_since, couple.time_zone = date(2025, 12, 4), "Pacific/Kiritimati"
    couple.save()
    SpecialDate.objects.create(couple=couple, title="First date", kind="first_date", date=date(2025, 11, 1))
    with time_machine.travel(at("2026-12-03T11:00"), tick=False):  # already 4 December in Kiritimati
        client = AppClient().sign_in(me.user)
        with django_assert_num_queries(2):
            body = client.get("/api/v1/couple/milestones").json()
    assert body["today"] == "2026-12-04"
    assert body["days_together"] == 365
    assert body["upcoming"][0] == {
        "kind": "anniversary",
        "date": "2026-12-04",
        "title": "1 year together",
        "days_together": 365,
        "special_date_id": None,
    }
    assert [m["kind"] for m in body["upcoming"]][:3] == ["anniversary", "days_100", "days_100"]
    assert any(m["kind"] == "special_date" and m["date"] == "2027-11-01" for m in body["upcoming"])


def test_special_dates_crud_is_shared_by_both_partners(me, partner):
    created = me.post(
        "/api/v1/couple/special-dates",
        {"title": "Sam's birthday", "kind": "birthday", "date": "1990-03-01"},
        format="json",
    )
    assert created.status_code == 201
    special_id = created.json()["id"]
    assert [d["id"] for d in partner.get("/api/v1/couple/special-dates").json()] == [special_id]
    patched = partner.patch(f"/api/v1/couple/special-dates/{special_id}", {"title": "Sam's 36th"}, format="json")
    assert patched.json()["title"] == "Sam's 36th"
    assert me.get(f"/api/v1/couple/special-dates/{special_id}").json()["title"] == "Sam's 36th"
    assert partner.delete(f"/api/v1/couple/special-dates/{special_id}").status_code == 204
    assert me.get(f"/api/v1/couple/special-dates/{special_id}").status_code == 404


def test_a_replayed_special_date_create_is_a_no_op(me, couple):
    body = {"id": "5b0c3a3e-2b53-4c44-9f64-9c5e1e3a7a10", "title": "First date", "date": "2020-05-04"}
    assert me.post("/api/v1/couple/special-dates", body, format="json").status_code == 201
    assert me.post("/api/v1/couple/special-dates", body, format="json").status_code == 200
    assert SpecialDate.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "x"}, "date"),
        ({"date": "2020-01-01"}, "title"),
        ({"title": "x", "date": "2020-01-01", "kind": "nope"}, "kind"),
    ],
)
def test_special_dates_are_validated(me, couple, body, field):
    response = me.post("/api/v1/couple/special-dates", body, format="json")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


def test_each_partner_gets_the_milestone_push_on_their_own_morning_once(couple, me_user, partner_user):
    couple.together_since = date(2026, 8, 26)  # 100 days on 4 December 2026
    couple.save()
    # Me in Berlin: 09:00 is 08:00Z. Partner in New York: 09:00 is 14:00Z.
    with time_machine.travel(at("2026-12-04T07:59"), tick=False):
        assert milestone_pushes_send() == 0
    with time_machine.travel(at("2026-12-04T08:00"), tick=False):
        assert milestone_pushes_send() == 1
        assert milestone_pushes_send() == 0
    with time_machine.travel(at("2026-12-04T14:30"), tick=False):
        assert milestone_pushes_send() == 1
    sent = Notification.objects.filter(kind=Notification.Kind.MILESTONE).order_by("created_at")
    assert [n.recipient for n in sent] == [me_user, partner_user]
    assert sent[0].title == "Happy 100 days together!"
    assert sent[0].dedupe_key == f"milestone:{couple.id}:days_100:2026-12-04:{me_user.pk}"


def test_a_milestone_push_waits_for_the_end_of_quiet_hours(couple, me_user):
    from notifications import delivery

    couple.together_since = date(2026, 8, 26)
    couple.save()
    DeviceFactory.create(user=me_user)
    NotificationPreference.objects.create(user=me_user, quiet_hours_start=time(22, 0), quiet_hours_end=time(10, 0))
    with time_machine.travel(at("2026-12-04T08:00"), tick=False):  # 09:00 in Berlin, inside quiet hours
        milestone_pushes_send()
        notification = Notification.objects.get(kind=Notification.Kind.MILESTONE, recipient=me_user)
        delivery.deliver([str(notification.pk)])
    notification.refresh_from_db()
    assert notification.push_state == Notification.PushState.HELD
    assert notification.push_not_before == at("2026-12-04T09:00")


def test_the_widget_is_small_pinned_and_answers_304_when_unchanged(
    couple, me_user, partner_user, django_assert_num_queries
):
    couple.together_since, couple.time_zone = date(2026, 1, 1), "UTC"
    couple.save()
    ritual = daily_ritual(couple, title="Kiss", local_time=time(20, 0))
    deck = PromptDeck.objects.create(title="Deck", is_published=True)
    daily = DailyPrompt.objects.create(
        couple=couple, day=date(2026, 12, 4), prompt=Prompt.objects.create(deck=deck, text="?")
    )
    check_in(partner_user, couple, date(2026, 12, 3), shared=True, mood=5, connection=4)
    check_in(partner_user, couple, date(2026, 12, 4), shared=False, mood=1, connection=1, note="private")
    with time_machine.travel(at("2026-12-04T12:00"), tick=False):
        me = AppClient().sign_in(me_user)
        complete(ritual, partner_user, at("2026-12-04T20:00"))
        # A silent push is no inbox item: the widget counts unread as the inbox does.
        Notification.objects.create(recipient=me_user, kind=Notification.Kind.ENTITLEMENT_CHANGED, title="", body="")
        with django_assert_num_queries(8):  # session, sync counter, the six reads of widget_view
            response = me.get("/api/v1/widget")
        body = response.json()
        assert body["unread_notifications"] == me.get("/api/v1/notifications/unread-count").json()["unread_count"]
        assert body["days_together"] == 337
        assert body["next_ritual"]["title"] == "Kiss"
        assert (body["next_ritual"]["me_done"], body["next_ritual"]["partner_done"]) == (False, True)
        assert body["daily_question"] == "your_turn"
        assert body["partner_check_in"]["mood"] == 5  # the latest SHARED one, not the private one
        assert again(me, response["ETag"]).status_code == 304
        PromptAnswer.objects.create(couple=couple, daily_prompt=daily, user=me_user, text="a")
        assert me.get("/api/v1/widget").json()["daily_question"] == "waiting_for_partner"
        PromptAnswer.objects.create(couple=couple, daily_prompt=daily, user=partner_user, text="b")
        changed = again(me, response["ETag"])
        assert changed.status_code == 200
        assert changed.json()["daily_question"] == "revealed"


def again(client: AppClient, etag: str):
    return client.get("/api/v1/widget", HTTP_IF_NONE_MATCH=etag)


def test_an_unpaired_user_has_no_widget(loner):
    assert loner.get("/api/v1/widget").json()["error"]["code"] == "not_paired"


def test_a_partners_completion_wakes_my_widget_with_a_silent_push(
    couple, me_user, partner_user, django_capture_on_commit_callbacks, caplog
):
    DeviceFactory.create(user=me_user)
    DeviceFactory.create(user=partner_user)
    ritual = daily_ritual(couple, title="Kiss")
    with caplog.at_level(logging.INFO, logger="notifications.push"), django_capture_on_commit_callbacks(execute=True):
        complete(ritual, partner_user, at("2026-12-04T08:00"))
    (pushed,) = [r.getMessage() for r in caplog.records if r.name == "notifications.push"]
    # The console provider logs the token's end, title, body and data: to me, nothing to show.
    assert pushed == f"push to …{me_user.devices.get().push_token[-6:]}:  |  | {{'kind': 'widget_refresh'}}"
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="notifications.push"), django_capture_on_commit_callbacks(execute=True):
        check_in(partner_user, couple, date(2026, 12, 4), shared=False)  # private: nobody's business
    assert not [r for r in caplog.records if r.name == "notifications.push"]


def test_a_silent_push_is_data_only_on_fcm_and_a_background_push_on_apns():
    from notifications.push import PushMessage
    from notifications.push.fcm import encode

    message = PushMessage(token="t", title="", body="", data={"kind": "widget_refresh"}, collapse_id="w", silent=True)
    body = json.loads(encode(message))["message"]
    assert "notification" not in body
    assert body["data"] == {"kind": "widget_refresh"}
    assert body["android"] == {"priority": "high", "collapse_key": "w"}
    assert body["apns"] == {
        "headers": {"apns-push-type": "background", "apns-priority": "5", "apns-collapse-id": "w"},
        "payload": {"aps": {"content-available": 1}},
    }
