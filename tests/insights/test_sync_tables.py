"""The read-only sync tables `weekly_reports` and `weekly_reflections`: same visibility as REST."""

import json
from datetime import date

import time_machine

from insights import services
from insights.models import WeeklyReport
from tests.insights.helpers import at, check_in, schedule_week
from tests.sync.test_pull import pull


def _finalise(couple, me_user):
    couple.time_zone = "UTC"
    couple.save()
    schedule_week(couple, date(2026, 11, 23))
    check_in(me_user, couple, date(2026, 11, 24), shared=False, mood=1, connection=2)
    with time_machine.travel(at("2026-11-30T00:05"), tick=False):
        services.reports_finalise_due()
    return WeeklyReport.objects.get(couple=couple)


def test_a_finalised_week_reaches_both_phones_each_with_its_own_personal_part(me, partner, couple, me_user):
    cursor_me, cursor_partner = pull(me)["timestamp"], pull(partner)["timestamp"]
    report = _finalise(couple, me_user)
    (mine,) = pull(me, cursor_me)["changes"]["weekly_reports"]["updated"]
    (theirs,) = pull(partner, cursor_partner)["changes"]["weekly_reports"]["updated"]
    assert mine["id"] == theirs["id"] == str(report.id)
    assert mine["shared"] == theirs["shared"]
    assert json.loads(mine["personal"])["check_ins"] == 1
    assert json.loads(theirs["personal"])["check_ins"] == 0


def test_reflections_sync_with_the_mutual_reveal(me, partner, couple, me_user):
    report = _finalise(couple, me_user)
    cursor = pull(partner)["timestamp"]
    me.post(f"/api/v1/reports/weekly/{report.id}/reflection", {"text": "the walk"}, format="json")
    (hidden,) = pull(partner, cursor)["changes"]["weekly_reflections"]["updated"]
    assert (hidden["text"], hidden["revealed"]) == ("", False)
    cursor = pull(me)["timestamp"]
    partner.post(f"/api/v1/reports/weekly/{report.id}/reflection", {"text": "your soup"}, format="json")
    revealed = {r["user_id"]: r for r in pull(me, cursor)["changes"]["weekly_reflections"]["updated"]}
    assert revealed[str(partner.user.pk)]["text"] == "your soup"
    assert revealed[str(me_user.pk)]["revealed"] is True


def test_a_phone_cannot_write_the_report_tables(me, couple, me_user):
    report = _finalise(couple, me_user)
    last = pull(me)["timestamp"]
    changes = {"weekly_reports": {"created": [], "updated": [{"id": str(report.id), "shared": "{}"}], "deleted": []}}
    response = me.post(
        f"/api/v1/sync/push?last_pulled_at={last}", {"changes": changes, "lastPulledAt": last}, format="json"
    )
    assert response.status_code == 200
    report.refresh_from_db()
    assert report.shared != {}
