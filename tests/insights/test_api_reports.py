"""reports/weekly, reports/weekly/{week_start}, reports/current, reflections, me/report-preferences."""

from datetime import date, timedelta

import pytest
import time_machine

from couples.models import Couple
from insights import services
from insights.models import ReportDelivery, WeeklyReport
from tests.conftest import AppClient
from tests.insights.helpers import at, check_in, nudge, schedule_week

MONDAY = date(2026, 11, 23)


@pytest.fixture
def finalised(couple: Couple, me_user, partner_user) -> WeeklyReport:
    couple.time_zone = "UTC"
    couple.save()
    schedule_week(couple, MONDAY)
    nudge(couple, me_user, partner_user, at("2026-11-24T09:00"), seen_at=at("2026-11-24T09:01"))
    check_in(me_user, couple, MONDAY, shared=False, mood=1, connection=1, note="private")
    with time_machine.travel(at("2026-11-30T00:05"), tick=False):
        services.reports_finalise_due()
    return WeeklyReport.objects.get(couple=couple, week_start=MONDAY)


def test_the_list_shows_each_partner_their_own_personal_part(finalised, me, partner, django_assert_num_queries):
    with django_assert_num_queries(4):  # session+user+membership, the page, personal parts, reflections
        body = me.get("/api/v1/reports/weekly").json()
    (mine,) = body["results"]
    assert mine["week_start"] == "2026-11-23"
    assert mine["status"] == "final"
    assert mine["personal"]["check_ins"] == 1
    assert mine["personal"]["bids_sent"] == 1
    (theirs,) = partner.get("/api/v1/reports/weekly").json()["results"]
    assert theirs["personal"]["check_ins"] == 0
    assert theirs["personal"]["bids_seen"] == 1
    assert theirs["shared"] == mine["shared"]


def test_the_list_takes_the_same_queries_for_many_weeks(finalised, me, couple, django_assert_num_queries):
    for weeks in range(1, 6):
        WeeklyReport.objects.create(
            couple=couple,
            week_start=MONDAY - timedelta(weeks=weeks),
            starts_at=at("2026-01-01T00:00"),
            ends_at=at("2026-01-01T00:00"),
            time_zone="UTC",
            algorithm_version=1,
            shared=finalised.shared,
        )
    with django_assert_num_queries(4):
        body = me.get("/api/v1/reports/weekly?page_size=3").json()
    assert [r["week_start"] for r in body["results"]] == ["2026-11-23", "2026-11-16", "2026-11-09"]
    assert body["next"]


def test_a_week_has_an_etag_and_answers_304_when_unchanged(finalised, me, django_assert_num_queries):
    with django_assert_num_queries(4):
        response = me.get("/api/v1/reports/weekly/2026-11-23")
    assert response.status_code == 200
    etag = response["ETag"]
    again = me.get("/api/v1/reports/weekly/2026-11-23", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    me.post(f"/api/v1/reports/weekly/{finalised.id}/reflection", {"text": "the walk"}, format="json")
    changed = me.get("/api/v1/reports/weekly/2026-11-23", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag


def test_a_week_the_couple_has_no_report_for_is_404(finalised, me):
    response = me.get("/api/v1/reports/weekly/2026-11-16")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert me.get("/api/v1/reports/weekly/2026-13-45").status_code == 404


def test_the_current_week_is_computed_live(finalised, couple, me_user, partner_user):
    with time_machine.travel(at("2026-12-02T12:00"), tick=False):
        me = AppClient().sign_in(me_user)
        nudge(couple, partner_user, me_user, at("2026-12-01T09:00"))
        body = me.get("/api/v1/reports/current").json()
        by_date = me.get("/api/v1/reports/weekly/2026-11-30").json()
    assert body["status"] == "live"
    assert body["id"] is None
    assert body["week_start"] == "2026-11-30"
    assert body["shared"]["bids"]["sent"] == 1
    assert body["personal"]["bids_received"] == 1
    assert by_date == body
    assert not WeeklyReport.objects.filter(week_start=date(2026, 11, 30)).exists()


def test_an_unpaired_user_has_no_current_report(loner):
    response = loner.get("/api/v1/reports/current")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_paired"


def test_reflections_are_revealed_when_both_wrote_one(finalised, me, partner):
    url = f"/api/v1/reports/weekly/{finalised.id}/reflection"
    first = me.post(url, {"text": "our Sunday walk"}, format="json")
    assert first.status_code == 201
    assert first.json()["my_reflection"]["text"] == "our Sunday walk"
    seen_by_partner = partner.get("/api/v1/reports/weekly/2026-11-23").json()
    assert seen_by_partner["partner_reflection"] == {
        "written": True,
        "text": None,
        "updated_at": seen_by_partner["partner_reflection"]["updated_at"],
    }
    assert partner.post(url, {"text": "you cooked"}, format="json").status_code == 201
    mine = me.get("/api/v1/reports/weekly/2026-11-23").json()
    assert mine["partner_reflection"]["text"] == "you cooked"
    rewrite = me.post(url, {"text": "our long Sunday walk"}, format="json")
    assert rewrite.status_code == 200
    assert rewrite.json()["my_reflection"]["text"] == "our long Sunday walk"


@pytest.mark.parametrize(("body", "field"), [({"text": "   "}, "text"), ({}, "text"), ({"text": "x" * 1001}, "text")])
def test_a_reflection_needs_text(finalised, me, body, field):
    response = me.post(f"/api/v1/reports/weekly/{finalised.id}/reflection", body, format="json")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


def test_report_preferences_default_to_sunday_evening_and_move_pending_deliveries(me, couple, me_user):
    assert me.get("/api/v1/me/report-preferences").json() == {
        "enabled": True,
        "delivery_weekday": 6,
        "delivery_time": "19:00",
    }
    services._deliveries_create([(couple.id, MONDAY, (me_user.pk,))])
    response = me.put(
        "/api/v1/me/report-preferences",
        {"enabled": True, "delivery_weekday": 5, "delivery_time": "09:30"},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["delivery_weekday"] == 5
    # Saturday 28 November 09:30 in Berlin.
    assert ReportDelivery.objects.get(user=me_user).deliver_at == at("2026-11-28T08:30")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"enabled": True, "delivery_weekday": 7, "delivery_time": "09:00"}, "delivery_weekday"),
        ({"enabled": True, "delivery_weekday": 1, "delivery_time": "25:00"}, "delivery_time"),
        ({"delivery_weekday": 1, "delivery_time": "09:00"}, "enabled"),
    ],
)
def test_report_preferences_are_validated(me, body, field):
    response = me.put("/api/v1/me/report-preferences", body, format="json")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
