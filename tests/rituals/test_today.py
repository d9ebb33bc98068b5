"""GET /rituals/today: the requester's rituals for THEIR local day, with each partner's state."""

from datetime import UTC, date, datetime, time, timedelta

import time_machine

from couples.models import Couple
from rituals.models import Completion, Ritual
from rituals.services.streaks import streak_checkpoints_refresh
from tests.conftest import AppClient
from tests.rituals.test_api_rituals import make_ritual

# 03:00 UTC on Tuesday 10 March 2026: 04:00 on Tuesday in Berlin (me), but 23:00 on Monday the 9th
# in New York (partner; summer time started there on the 8th).
NOW = datetime(2026, 3, 10, 3, tzinfo=UTC)


def today(client: AppClient) -> dict:
    response = client.get("/api/v1/rituals/today")
    assert response.status_code == 200, response.content
    return response.json()


@time_machine.travel(NOW, tick=False)
def test_partners_in_different_zones_each_see_their_own_local_day(me_user, partner_user, couple):
    me, partner = AppClient().sign_in(me_user), AppClient().sign_in(partner_user)
    # 20:00 Berlin every day (19:00 UTC), and a Tuesday-only ritual.
    daily = make_ritual(couple, me_user, title="Appreciation", rrule="FREQ=DAILY", local_time=time(20))
    tuesday = make_ritual(couple, me_user, title="Tuesday walk", rrule="FREQ=WEEKLY;BYDAY=TU", local_time=time(8))

    mine, theirs = today(me), today(partner)

    assert (mine["date"], mine["time_zone"]) == ("2026-03-10", "Europe/Berlin")
    assert [(e["ritual"]["title"], e["occurrence_at"], e["local_start"]) for e in mine["results"]] == [
        ("Tuesday walk", "2026-03-10T07:00:00Z", "2026-03-10T08:00:00+01:00"),
        ("Appreciation", "2026-03-10T19:00:00Z", "2026-03-10T20:00:00+01:00"),
    ]
    assert (theirs["date"], theirs["time_zone"]) == ("2026-03-09", "America/New_York")
    # Monday in New York: no Tuesday walk, and the daily one of the Berlin Monday, shown in NY time.
    assert [(e["ritual"]["id"], e["occurrence_at"], e["local_start"]) for e in theirs["results"]] == [
        (str(daily.pk), "2026-03-09T19:00:00Z", "2026-03-09T15:00:00-04:00"),
    ]
    assert str(tuesday.pk) not in str(theirs)


def test_each_partners_state(me_user, partner_user, couple):
    ritual = make_ritual(couple, me_user, rrule="FREQ=DAILY", local_time=time(20), requires_both_confirmation=True)
    with time_machine.travel(datetime(2026, 3, 10, 12, tzinfo=UTC), tick=False):
        me, partner = AppClient().sign_in(me_user), AppClient().sign_in(partner_user)
        occurrence_at = "2026-03-10T19:00:00Z"
        done = partner.post(
            f"/api/v1/rituals/{ritual.pk}/completions", {"occurrence_at": occurrence_at, "note": "mine"}, format="json"
        ).json()

        entry = today(me)["results"][0]

        assert entry["occurrence_at"] == occurrence_at
        assert entry["me"] == {
            "completed": False,
            "completion_id": None,
            "completed_at": None,
            "note": None,
            "connection_rating": None,
        }
        assert entry["partner"] == {"completed": True, "completion_id": done["id"], "completed_at": done["created_at"]}
        assert entry["done"] is False  # both must confirm

        mine = me.post(f"/api/v1/rituals/{ritual.pk}/completions", {"occurrence_at": occurrence_at}, format="json")
        entry = today(me)["results"][0]
        assert entry["me"]["completion_id"] == mine.json()["id"]
        assert entry["done"] is True
        assert entry["ritual"]["streak"] == {"current": 1, "longest": 1}
        assert today(partner)["results"][0]["me"]["note"] == "mine"


@time_machine.travel(NOW, tick=False)
def test_paused_deleted_and_other_couples_rituals_are_not_in_today(me_user, couple, stranger_user):
    me = AppClient().sign_in(me_user)
    live = make_ritual(couple, me_user, rrule="FREQ=DAILY")
    make_ritual(couple, me_user, rrule="FREQ=DAILY", status=Ritual.Status.PAUSED)
    make_ritual(couple, me_user, rrule="FREQ=DAILY", deleted_at=NOW)
    make_ritual(couple, me_user, rrule="FREQ=DAILY", start_date=date(2026, 3, 11))  # starts tomorrow
    make_ritual(Couple.objects.get(memberships__user=stranger_user), rrule="FREQ=DAILY")

    assert [e["ritual"]["id"] for e in today(me)["results"]] == [str(live.pk)]


@time_machine.travel(NOW, tick=False)
def test_an_unpaired_user_has_no_today(loner):
    loner.sign_in(loner.user)

    response = loner.get("/api/v1/rituals/today")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_paired"


@time_machine.travel(NOW, tick=False)
def test_today_takes_three_queries_whatever_the_number_of_rituals_and_their_history(
    me_user, partner_user, couple, django_assert_num_queries
):
    me = AppClient().sign_in(me_user)
    for count, days in ((1, 9), (30, 9), (2, 60)):
        Ritual.objects.all().delete()
        for _ in range(count):
            ritual = make_ritual(couple, me_user, rrule="FREQ=DAILY", local_time=time(20), start_date=date(2025, 1, 1))
            for day in range(days):
                Completion.objects.create(
                    couple=couple,
                    ritual=ritual,
                    user=partner_user,
                    occurrence_at=datetime(2026, 3, 9, 19, tzinfo=UTC) - timedelta(days=day),
                )
        streak_checkpoints_refresh(ritual_ids=Ritual.objects.values_list("pk", flat=True))

        # session+user with membership+couple, rituals (with their stored streaks), the completions
        # around today (each partner's state)
        with django_assert_num_queries(3):
            body = today(me)

        assert len(body["results"]) == count
        assert body["results"][0]["ritual"]["streak"] == {"current": days, "longest": days}
