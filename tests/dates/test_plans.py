"""Date plans: proposing, counter-offers with their history, the state machine, notifications, races."""

import uuid
from datetime import UTC, datetime, time, timedelta
from functools import partial

import pytest
from django.utils import timezone

from accounts.models import User
from couples.models import Couple
from dates.models import DatePlan
from notifications.models import Notification
from rituals.models import Ritual
from tests.concurrency import race
from tests.conftest import AppClient
from tests.dates.helpers import DATES, make_plan, next_week, offer_body, url
from tests.factories import UserFactory, pair

# The contract written out independently of dates.services.plans.TRANSITIONS:
# (status, action) -> (new status, who may do it: "turn" = the partner who did not make the offer).
CONTRACT = {
    ("proposed", "accept"): ("accepted", "turn"),
    ("proposed", "decline"): ("declined", "turn"),
    ("proposed", "counter"): ("proposed", "turn"),
    ("proposed", "withdraw"): ("withdrawn", "proposer"),
    ("accepted", "cancel"): ("cancelled", "either"),
    ("accepted", "done"): ("done", "either"),
}
STATUSES = ["proposed", "accepted", "declined", "withdrawn", "cancelled", "done"]


def test_proposing_a_date_tells_the_partner_and_keeps_the_offer(me, partner, partner_user, couple):
    response = me.post(DATES, offer_body(title="Dinner at Enzo's"), format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "proposed"
    assert body["local_time"] == "19:30"
    assert body["time_zone"] == "Europe/Berlin"
    assert body["my_turn"] is False
    assert body["allowed_actions"] == ["withdraw", "edit"]
    assert len(body["offers"]) == 1
    assert body["offers"][0]["place"] == "Trattoria da Enzo"
    assert response.headers["ETag"] == '"1"'
    note = Notification.objects.get(recipient=partner_user)
    assert (note.kind, note.body) == ("date_proposed", "Dinner at Enzo's")
    seen = partner.get(url(body["id"])).json()
    assert seen["my_turn"] is True
    assert seen["allowed_actions"] == ["accept", "decline", "counter", "edit"]


def test_the_start_is_the_local_time_in_the_zone_across_dst(me, couple):
    # 31 Oct 2027 is the day Berlin falls back: 19:30 that evening is +01:00, the week before +02:00.
    before = me.post(DATES, offer_body(title="a", local_date="2027-10-24"), format="json").json()
    after = me.post(DATES, offer_body(title="b", local_date="2027-10-31"), format="json").json()
    assert before["starts_at"].startswith("2027-10-24T17:30:00")
    assert after["starts_at"].startswith("2027-10-31T18:30:00")
    assert before["local_time"] == after["local_time"] == "19:30"


def test_a_proposal_from_an_idea_takes_its_title(me, couple):
    from dates.demo_content import load_date_ideas
    from dates.models import DateIdea

    load_date_ideas()
    idea = DateIdea.objects.get(slug="stargazing")
    body = me.post(DATES, offer_body(idea_id=str(idea.pk)), format="json").json()
    assert (body["title"], body["idea_id"]) == ("Stargazing from a dark spot", str(idea.pk))


def test_an_untitled_proposal_from_an_idea_takes_its_title_in_the_proposers_language(me, partner, couple):
    from dates.demo_content import load_date_ideas
    from dates.models import DateIdea

    load_date_ideas()
    idea = DateIdea.objects.get(slug="stargazing")
    body = me.post(DATES, offer_body(idea_id=str(idea.pk)), format="json", HTTP_ACCEPT_LANGUAGE="de").json()
    assert body["title"] == "Sterne schauen, wo es richtig dunkel ist"  # stored: both partners see these words
    assert partner.get(f"{DATES}/{body['id']}").json()["title"] == body["title"]


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        ({"local_date": "2020-01-01"}, "local_date", "in_past"),
        ({"time_zone": "+02:00"}, "time_zone", "invalid_time_zone"),
        ({"duration_minutes": 5}, "duration_minutes", "min_value"),
        ({"title": ""}, "title", "required"),
        ({"idea_id": str(uuid.uuid4())}, "idea_id", "unknown_idea"),
        ({"ritual_id": str(uuid.uuid4())}, "ritual_id", "unknown_ritual"),
    ],
)
def test_an_invalid_proposal_is_a_400_naming_the_field(me, couple, fields, field, code):
    body = {**offer_body(title="x"), **fields}
    response = me.post(DATES, body, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"][field][0]["code"] == code


def test_a_replayed_create_with_the_same_id_returns_the_first(me, couple):
    plan_id = str(uuid.uuid4())
    first = me.post(DATES, offer_body(id=plan_id, title="x"), format="json")
    again = me.post(DATES, offer_body(id=plan_id, title="x"), format="json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert DatePlan.objects.count() == 1
    assert Notification.objects.count() == 1


def test_an_unpaired_user_cannot_propose(loner):
    assert loner.post(DATES, offer_body(title="x"), format="json").status_code == 404


def test_a_counter_offer_flips_the_turn_and_keeps_the_history(me, partner, couple, me_user):
    plan_id = me.post(DATES, offer_body(title="Dinner"), format="json").json()["id"]

    countered = partner.post(url(plan_id, "counter"), offer_body(local_time="20:00", place="Sushi bar"), format="json")

    assert countered.status_code == 200, countered.content
    body = countered.json()
    assert (body["status"], body["local_time"], body["place"], body["version"]) == (
        "proposed",
        "20:00",
        "Sushi bar",
        2,
    )
    assert [o["place"] for o in body["offers"]] == ["Trattoria da Enzo", "Sushi bar"]
    assert body["my_turn"] is False
    assert Notification.objects.get(recipient=me_user).kind == "date_countered"
    # Now it is my turn: I accept the counter-offer; the partner (who countered) cannot.
    assert partner.post(url(plan_id, "accept")).json()["error"]["code"] == "not_your_turn"
    accepted = me.post(url(plan_id, "accept")).json()
    assert (accepted["status"], accepted["local_time"]) == ("accepted", "20:00")


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("action", ["accept", "decline", "withdraw", "cancel", "done"])
@pytest.mark.parametrize("actor", ["proposer", "partner"])
def test_every_transition_follows_the_contract(status, action, actor, me, partner, me_user, couple):
    started = datetime.now(UTC).date() - timedelta(days=1)
    plan = make_plan(couple, me_user, status=status, on=started if action == "done" else None)
    client = me if actor == "proposer" else partner

    response = client.post(url(plan, action))

    rule = CONTRACT.get((status, action))
    may = rule is not None and (rule[1] == "either" or (rule[1] == "proposer") == (actor == "proposer"))
    if rule is not None and rule[1] == "turn":
        may = actor == "partner"
    plan.refresh_from_db()
    if may:
        assert response.status_code == 200, response.content
        assert rule is not None
        assert plan.status == rule[0] == response.json()["status"]
        assert plan.version == 2
    else:
        assert response.status_code == 409
        error = response.json()["error"]
        assert error["code"] in {"invalid_transition", "not_your_turn"}
        assert (error["current_status"], error["version"]) == (status, 1)
        assert plan.status == status
        assert plan.version == 1


def test_done_before_the_start_is_refused_with_the_state(me, me_user, couple):
    plan = make_plan(couple, me_user, status="accepted")
    response = me.post(url(plan, "done"))
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "not_started"
    assert "done" not in me.get(url(plan)).json()["allowed_actions"]


def test_a_stale_if_match_is_a_412_and_changes_nothing(me, partner, me_user, couple):
    plan = make_plan(couple, me_user)
    response = partner.post(url(plan, "accept"), HTTP_IF_MATCH='"7"')
    assert response.status_code == 412
    assert response.json()["error"]["code"] == "version_mismatch"
    assert partner.post(url(plan, "accept"), HTTP_IF_MATCH='"1"').status_code == 200


def test_cancelling_an_accepted_date_tells_the_partner(me, partner, me_user, partner_user, couple):
    plan = make_plan(couple, me_user, status="accepted")
    assert partner.post(url(plan, "cancel")).status_code == 200
    assert Notification.objects.get(recipient=me_user).kind == "date_cancelled"


def test_a_date_links_to_a_date_night_ritual_occurrence(me, me_user, couple):
    ritual = Ritual.objects.create(
        couple=couple,
        title="Sunday date night",
        category="date_night",
        rrule="FREQ=WEEKLY;BYDAY=SU",
        start_date=datetime.now(UTC).date(),
        local_time=time(19, 0),
        time_zone="Europe/Berlin",
    )
    plan = make_plan(couple, me_user)
    sunday = next_week() + timedelta(days=(6 - next_week().weekday()))
    occurrence = datetime.combine(sunday, time(19), tzinfo=ritual_zone()).astimezone(UTC)

    ok = me.patch(
        url(plan), {"ritual_id": str(ritual.pk), "ritual_occurrence_at": occurrence.isoformat()}, format="json"
    )
    wrong = me.patch(
        url(plan),
        {"ritual_id": str(ritual.pk), "ritual_occurrence_at": (occurrence + timedelta(hours=1)).isoformat()},
        format="json",
    )

    assert ok.status_code == 200
    assert ok.json()["ritual_id"] == str(ritual.pk)
    assert wrong.status_code == 400
    assert wrong.json()["error"]["fields"]["ritual_occurrence_at"][0]["code"] == "not_an_occurrence"


def ritual_zone():
    from zoneinfo import ZoneInfo

    return ZoneInfo("Europe/Berlin")


def test_list_filters_by_status_with_a_constant_number_of_queries(me, me_user, couple, django_assert_num_queries):
    for _ in range(3):
        make_plan(couple, me_user)
    make_plan(couple, me_user, status="accepted")
    me.get(DATES)  # warm the per-process caches (session check)

    with django_assert_num_queries(4):
        few = me.get(DATES + "?status=proposed")
    for _ in range(5):
        make_plan(couple, me_user)
    with django_assert_num_queries(4):
        many = me.get(DATES + "?status=proposed")

    assert len(few.json()["results"]) == 3
    assert len(many.json()["results"]) == 8


def test_another_couples_date_is_a_404(stranger, me_user, couple):
    plan = make_plan(couple, me_user)
    assert stranger.get(url(plan)).status_code == 404
    assert stranger.post(url(plan, "accept")).status_code == 404


# Races: both phones act at the same instant; exactly one wins, the other gets the current state.


def _couple_with_a_plan(status: str = "proposed", started: bool = False) -> tuple[AppClient, AppClient, DatePlan]:
    proposer, other = UserFactory.create(), UserFactory.create()
    couple: Couple = pair(proposer, other)
    day = timezone.now().date() - timedelta(days=1) if started else None
    plan = make_plan(couple, proposer, status=status, on=day)
    return AppClient().sign_in(proposer), AppClient().sign_in(other), plan


def _one_winner(responses, plan: DatePlan) -> None:
    assert sorted(r.status_code for r in responses) == [200, 409], [r.content for r in responses]
    winner = next(r for r in responses if r.status_code == 200).json()
    loser = next(r for r in responses if r.status_code == 409).json()["error"]
    plan.refresh_from_db()
    assert plan.status == winner["status"] == loser["current_status"]
    assert plan.version == winner["version"] == loser["version"] == 2
    assert loser["code"] in {"invalid_transition", "not_your_turn"}


@pytest.mark.django_db(transaction=True)
def test_accept_racing_withdraw_has_exactly_one_winner():
    for _ in range(5):
        proposer, other, plan = _couple_with_a_plan()
        responses = race(partial(proposer.post, url(plan, "withdraw")), partial(other.post, url(plan, "accept")))
        _one_winner(responses, plan)
        assert Notification.objects.filter(dedupe_key__startswith=f"date:{plan.pk}:").count() == 1


@pytest.mark.django_db(transaction=True)
def test_counter_racing_accept_has_exactly_one_winner():
    for _ in range(5):
        _proposer, other, plan = _couple_with_a_plan()
        other2 = AppClient().sign_in(User.objects.get(pk=other.user.pk))
        responses = race(
            partial(other.post, url(plan, "counter"), offer_body(local_time="21:00"), format="json"),
            partial(other2.post, url(plan, "accept")),
        )
        _one_winner(responses, plan)
        assert plan.offers.count() == (2 if plan.status == "proposed" else 1)


@pytest.mark.django_db(transaction=True)
def test_two_accepts_have_exactly_one_winner():
    for _ in range(5):
        _, other, plan = _couple_with_a_plan()
        tablet = AppClient().sign_in(User.objects.get(pk=other.user.pk))
        responses = race(partial(other.post, url(plan, "accept")), partial(tablet.post, url(plan, "accept")))
        _one_winner(responses, plan)
        assert Notification.objects.filter(dedupe_key__startswith=f"date:{plan.pk}:").count() == 1


@pytest.mark.django_db(transaction=True)
def test_cancel_racing_done_has_exactly_one_winner():
    for _ in range(5):
        proposer, other, plan = _couple_with_a_plan(status="accepted", started=True)
        responses = race(partial(proposer.post, url(plan, "cancel")), partial(other.post, url(plan, "done")))
        _one_winner(responses, plan)


def test_plans_reach_both_phones_by_sync_and_leave_them_on_unpair(me, partner, me_user, couple):
    from couples.services import couple_unpair

    plan_id = me.post(DATES, offer_body(title="Synced date"), format="json").json()["id"]
    first = partner.get("/api/v1/sync/pull").json()
    (row,) = first["changes"]["date_plans"]["updated"]
    assert (row["id"], row["title"], row["status"]) == (plan_id, "Synced date", "proposed")

    partner.post(url(plan_id, "accept"))
    later = me.get(f"/api/v1/sync/pull?last_pulled_at={first['timestamp']}").json()
    assert [r["status"] for r in later["changes"]["date_plans"]["updated"]] == ["accepted"]

    couple_unpair(user=me_user)
    gone = partner.get(f"/api/v1/sync/pull?last_pulled_at={first['timestamp']}").json()
    assert plan_id in gone["changes"]["date_plans"]["deleted"]
