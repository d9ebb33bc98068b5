"""Finalising weeks: what a report holds, who sees what, and that a replay changes nothing."""

from datetime import date, timedelta

import pytest
import time_machine

from couples.models import Couple
from insights import report, services, tasks
from insights.models import ReportDelivery, ReportSchedule, WeeklyReport, WeeklyReportPersonal
from notifications.models import Notification
from rituals.models import DailyPrompt, Nudge, Prompt, PromptAnswer, PromptDeck, RitualTemplate
from tests.insights.helpers import at, check_in, complete, daily_ritual, nudge, schedule_week

MONDAY = date(2026, 11, 23)


@pytest.fixture
def week(couple: Couple, me_user, partner_user):
    """A week of activity of me and partner (couple in UTC)."""
    couple.time_zone = "UTC"
    couple.save()
    schedule_week(couple, MONDAY)
    # Bids: me sends 3 (partner saw 2, answered 1); partner sends 2 (me saw both, answered both);
    # one of partner's is an appreciation. One nudge the week before and one the week after: not counted.
    nudge(
        couple,
        me_user,
        partner_user,
        at("2026-11-23T09:00"),
        seen_at=at("2026-11-23T10:00"),
        responded_at=at("2026-11-23T10:05"),
        response="heart",
    )
    nudge(couple, me_user, partner_user, at("2026-11-24T09:00"), seen_at=at("2026-11-24T10:00"))
    nudge(couple, me_user, partner_user, at("2026-11-25T09:00"))  # never seen: not turned away
    nudge(
        couple,
        partner_user,
        me_user,
        at("2026-11-26T09:00"),
        kind=Nudge.Kind.APPRECIATION,
        seen_at=at("2026-11-26T09:30"),
        responded_at=at("2026-11-26T09:31"),
        response="heart",
    )
    nudge(
        couple,
        partner_user,
        me_user,
        at("2026-11-29T23:59:59"),
        seen_at=at("2026-11-29T23:59:59"),
        responded_at=at("2026-11-30T00:10"),
        response="hug_back",
    )
    nudge(couple, me_user, partner_user, at("2026-11-22T23:59:59"))
    nudge(couple, me_user, partner_user, at("2026-11-30T00:00"))
    hug = daily_ritual(couple, title="Six-second kiss", category="affection")
    for day in range(4):
        complete(hug, me_user, at(f"2026-11-{23 + day}T08:00"), connection_rating=5, note="lovely")
    complete(hug, partner_user, at("2026-11-23T08:00"), connection_rating=1, note="meh")
    check_in(me_user, couple, MONDAY, shared=True, mood=4, connection=5)
    check_in(me_user, couple, MONDAY + timedelta(days=1), shared=False, mood=1, connection=1, note="secret")
    check_in(partner_user, couple, MONDAY + timedelta(days=2), shared=True, mood=2, connection=3)
    deck = PromptDeck.objects.create(title="Deck", is_published=True)
    prompt = Prompt.objects.create(deck=deck, text="What made you smile?")
    for offset, answered_by in ((0, (me_user, partner_user)), (1, (me_user,))):
        daily = DailyPrompt.objects.create(couple=couple, day=MONDAY + timedelta(days=offset), prompt=prompt)
        for user in answered_by:
            PromptAnswer.objects.create(couple=couple, daily_prompt=daily, user=user, text="you")
    return hug


def test_a_finalised_week_holds_what_both_may_see_and_each_partners_own_part(week, couple, me_user, partner_user):
    with time_machine.travel(at("2026-11-30T00:05"), tick=False):
        assert services.reports_finalise_due() == 1
    stored = WeeklyReport.objects.get(couple=couple)
    assert stored.week_start == MONDAY
    assert (stored.starts_at, stored.ends_at) == (at("2026-11-23T00:00"), at("2026-11-30T00:00"))
    shared = stored.shared
    assert shared["bids"] == {"sent": 5, "seen": 4, "turned_toward": 3}
    moments = shared["positive_moments"]
    assert moments["appreciations"] == 1
    assert moments["answered_bids"] == 3
    assert moments["affection_rituals"] == 4  # occurrences done (one partner suffices: not both-confirmed)
    assert moments["questions_both_answered"] == 1
    assert moments["total"] == 1 + 3 + 4 + 0 + 1
    assert moments["trend"] is None  # no earlier week to compare with
    assert shared["rituals"] == [
        {"ritual_id": str(week.id), "title": "Six-second kiss", "due": 7, "done": 4, "streak": 0, "streak_change": None}
    ]
    assert shared["suggestion"]["kind"] == "reschedule"
    by_user = {entry["user_id"]: entry for entry in shared["shared_check_ins"]}
    assert by_user[str(me_user.pk)] == {"user_id": str(me_user.pk), "count": 1, "mood_avg": 4.0, "connection_avg": 5.0}
    assert by_user[str(partner_user.pk)]["count"] == 1
    assert "secret" not in str(shared)
    assert "lovely" not in str(shared)

    mine = WeeklyReportPersonal.objects.get(report=stored, user=me_user).data
    assert mine == {
        "bids_sent": 3,
        "bids_received": 2,
        "bids_seen": 2,
        "turned_toward": 2,
        "check_ins": 2,  # the private one too: it is mine
        "mood_avg": 2.5,
        "connection_avg": 3.0,
        "completion_rating_avg": 5.0,
    }
    theirs = WeeklyReportPersonal.objects.get(report=stored, user=partner_user).data
    # Partner saw 2 of my 3 bids and answered 1; the unseen one does not count against them.
    assert (theirs["bids_received"], theirs["bids_seen"], theirs["turned_toward"]) == (3, 2, 1)
    assert theirs["completion_rating_avg"] == 1.0


def test_the_schedule_moves_a_week_on_and_the_next_weeks_deliveries_are_written(week, couple, me_user, partner_user):
    with time_machine.travel(at("2026-11-30T00:05"), tick=False):
        services.reports_finalise_due()
    schedule = ReportSchedule.objects.get(couple=couple)
    assert (schedule.week_start, schedule.starts_at, schedule.due_at) == (
        MONDAY + timedelta(days=7),
        at("2026-11-30T00:00"),
        at("2026-12-07T00:00"),
    )
    deliveries = {d.user_id: d.deliver_at for d in ReportDelivery.objects.filter(couple=couple)}
    # Sunday 6 December, 19:00 in each partner's own zone.
    assert deliveries == {me_user.pk: at("2026-12-06T18:00"), partner_user.pk: at("2026-12-07T00:00")}


def test_a_week_not_over_is_not_finalised(week, couple):
    with time_machine.travel(at("2026-11-29T23:59"), tick=False):
        assert services.reports_finalise_due() == 0
    assert not WeeklyReport.objects.exists()


def test_a_replayed_finalise_changes_nothing_and_sends_no_second_push(week, couple, me_user, partner_user):
    with time_machine.travel(at("2026-11-30T00:05"), tick=False):
        services.reports_finalise_due()
    with time_machine.travel(at("2026-12-07T01:00"), tick=False):
        assert services.deliveries_send_due() == 2
    before = list(WeeklyReport.objects.values())
    notifications = Notification.objects.filter(kind=Notification.Kind.WEEKLY_REPORT_READY).count()
    # Replay: the same week's schedule handed back (a duplicated tick that raced the first one).
    schedule_week(couple, MONDAY)
    ReportDelivery.objects.update(sent_at=None)
    with time_machine.travel(at("2026-11-30T00:06"), tick=False):
        assert services.reports_finalise_due() == 1
    with time_machine.travel(at("2026-12-07T01:00"), tick=False):
        services.deliveries_send_due()
    assert list(WeeklyReport.objects.values()) == before
    assert WeeklyReportPersonal.objects.count() == 2
    assert Notification.objects.filter(kind=Notification.Kind.WEEKLY_REPORT_READY).count() == notifications == 2


def test_weekly_report_ready_goes_out_at_each_partners_chosen_time_once(couple, me_user, partner_user):
    couple.time_zone = "UTC"
    couple.save()
    services._deliveries_create([(couple.id, MONDAY, (me_user.pk, partner_user.pk))])
    # Me (Berlin) at 18:00Z, partner (New York) at 00:00Z Monday.
    with time_machine.travel(at("2026-11-29T17:59"), tick=False):
        assert services.deliveries_send_due() == 0
    with time_machine.travel(at("2026-11-29T18:00"), tick=False):
        assert services.deliveries_send_due() == 1
        assert services.deliveries_send_due() == 0
    (sent,) = Notification.objects.filter(kind=Notification.Kind.WEEKLY_REPORT_READY)
    assert sent.recipient == me_user
    assert sent.dedupe_key == f"weekly_report:{couple.id}:2026-11-23:{me_user.pk}"
    assert sent.data == {"screen": "weekly_report", "week_start": "2026-11-23"}


def test_a_partner_who_turned_reports_off_gets_no_notification(couple, me_user, partner_user):
    services.report_preference_update(
        user=partner_user, enabled=False, delivery_weekday=6, delivery_time=None or __import__("datetime").time(19)
    )
    services._deliveries_create([(couple.id, MONDAY, (me_user.pk, partner_user.pk))])
    with time_machine.travel(at("2026-11-30T12:00"), tick=False):
        assert services.deliveries_send_due() == 2
    assert list(Notification.objects.filter(kind="weekly_report_ready").values_list("recipient", flat=True)) == [
        me_user.pk
    ]


def test_trend_compares_with_the_previous_four_weeks(week, couple):
    for weeks_back, total in ((1, 2), (2, 4), (3, 6), (4, 8), (5, 100)):
        WeeklyReport.objects.create(
            couple=couple,
            week_start=MONDAY - timedelta(weeks=weeks_back),
            starts_at=at("2026-01-01T00:00"),
            ends_at=at("2026-01-01T00:00"),
            time_zone="UTC",
            algorithm_version=1,
            shared={"positive_moments": {"total": total}, "rituals": []},
        )
    with time_machine.travel(at("2026-11-30T00:05"), tick=False):
        services.reports_finalise_due()
    moments = WeeklyReport.objects.get(couple=couple, week_start=MONDAY).shared["positive_moments"]
    assert (moments["previous_weeks_average"], moments["trend"]) == (5.0, "up")


def test_without_missed_rituals_the_suggestion_is_a_template_the_couple_does_not_keep(couple):
    couple.time_zone = "UTC"
    couple.save()
    schedule_week(couple, MONDAY)
    RitualTemplate.objects.create(
        title="Draft",
        slug="draft",
        description="d",
        why_it_helps="w",
        category="gratitude",
        suggested_rrule="FREQ=DAILY",
        is_published=False,
        ordering=1,
    )
    published = RitualTemplate.objects.create(
        title="Stress-reducing talk",
        slug="talk",
        description="d",
        why_it_helps="w",
        category="conversation",
        suggested_rrule="FREQ=DAILY",
        is_published=True,
    )
    with time_machine.travel(at("2026-11-30T00:05"), tick=False):
        services.reports_finalise_due()
    suggestion = WeeklyReport.objects.get(couple=couple).shared["suggestion"]
    assert suggestion == {
        "kind": "try_template",
        "ritual_id": None,
        "template_id": str(published.id),
        "title": "Stress-reducing talk",
    }


def test_an_ended_couple_is_not_finalised(week, couple):
    couple.status, couple.ended_at = Couple.Status.ENDED, at("2026-11-28T00:00")
    couple.save()
    with time_machine.travel(at("2026-11-30T00:05"), tick=False):
        assert services.reports_finalise_due() == 1
    assert not WeeklyReport.objects.exists()
    assert not ReportSchedule.objects.filter(couple=couple).exists()


@pytest.mark.parametrize("couples", [2, 6])
def test_finalise_takes_a_fixed_number_of_queries_per_batch(couples, django_assert_num_queries, me_user):
    from tests.factories import UserFactory, pair

    for _ in range(couples):
        couple = pair(UserFactory.create(), UserFactory.create())
        couple.time_zone = "UTC"
        couple.save()
        schedule_week(couple, MONDAY)
        daily_ritual(couple)
    # The claim, members, history, 6 reads of the week, the writes, the sync stamp (one statement),
    # the schedules; an empty claim.
    with time_machine.travel(at("2026-11-30T00:05"), tick=False), django_assert_num_queries(21):
        assert services.reports_finalise_due(batch_size=10) == couples


def test_weeks_of_an_older_algorithm_are_recomputed_in_the_background(week, couple, me_user):
    with time_machine.travel(at("2026-11-30T00:05"), tick=False):
        services.reports_finalise_due()
    stored = WeeklyReport.objects.get(couple=couple)
    expected = stored.shared
    WeeklyReport.objects.filter(pk=stored.pk).update(algorithm_version=0, shared={"stale": True})
    WeeklyReportPersonal.objects.filter(report=stored).update(data={"stale": True})
    with time_machine.travel(at("2026-11-30T00:05"), tick=False):
        assert tasks.recompute_reports() == 1
        assert tasks.recompute_reports() == 0
    stored.refresh_from_db()
    assert stored.algorithm_version == report.ALGORITHM_VERSION
    assert stored.shared == expected
    assert WeeklyReportPersonal.objects.get(report=stored, user=me_user).data["check_ins"] == 2


def test_unpairing_stops_the_couples_reports_and_pending_deliveries(week, couple, me):
    services._deliveries_create([(couple.id, MONDAY, (me.user.pk,))])
    assert me.post("/api/v1/couple/unpair", {"confirm": True}, format="json").status_code == 204
    assert not ReportSchedule.objects.filter(couple=couple).exists()
    assert not ReportDelivery.objects.filter(couple=couple).exists()


def test_the_export_holds_my_weeks_with_my_personal_part_only(week, couple, me, me_user):
    with time_machine.travel(at("2026-11-30T00:05"), tick=False):
        services.reports_finalise_due()
    report_row = WeeklyReport.objects.get(couple=couple)
    me.post(f"/api/v1/reports/weekly/{report_row.id}/reflection", {"text": "the walk"}, format="json")
    exported = me.get("/api/v1/me/export").json()
    (week_entry,) = exported["weekly_reports"]
    assert week_entry["week_start"] == "2026-11-23"
    assert week_entry["personal"]["check_ins"] == 2
    assert [r["text"] for r in exported["weekly_reflections"]] == ["the walk"]


def test_a_recomputed_week_trends_against_the_weeks_before_it_only(couple):
    couple.time_zone = "UTC"
    couple.save()
    for weeks_back, total in ((-1, 50), (1, 4), (2, 6)):  # a later week, and two earlier ones
        WeeklyReport.objects.create(
            couple=couple,
            week_start=MONDAY - timedelta(weeks=weeks_back),
            starts_at=at("2026-01-01T00:00"),
            ends_at=at("2026-01-01T00:00"),
            time_zone="UTC",
            algorithm_version=report.ALGORITHM_VERSION,
            shared={"positive_moments": {"total": total}, "rituals": []},
        )
    starts_at, ends_at = report.week_bounds(MONDAY, "UTC")
    WeeklyReport.objects.create(
        couple=couple,
        week_start=MONDAY,
        starts_at=starts_at,
        ends_at=ends_at,
        time_zone="UTC",
        algorithm_version=0,
        shared={},
    )
    services.reports_recompute()
    moments = WeeklyReport.objects.get(couple=couple, week_start=MONDAY).shared["positive_moments"]
    assert moments["previous_weeks_average"] == 5.0
