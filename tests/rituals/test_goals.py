"""Shared goals: proposing, editing, the state machine, its notifications and its races."""

import uuid
from datetime import date, time
from functools import partial
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import User
from couples.models import Couple
from couples.services import couple_unpair
from notifications.models import Notification
from rituals.models import Goal, Ritual
from tests.concurrency import race
from tests.conftest import AppClient
from tests.factories import UserFactory, pair

GOALS = "/api/v1/goals"

# The contract of DESIGN §3, written out independently of rituals.services.goals.TRANSITIONS so a
# mistake in that table fails here: (status, action) -> (new status, who may do it).
CONTRACT = {
    ("proposed", "accept"): ("accepted", "partner"),
    ("proposed", "decline"): ("declined", "partner"),
    ("proposed", "withdraw"): ("withdrawn", "proposer"),
    ("accepted", "complete"): ("completed", "either"),
    ("accepted", "abandon"): ("abandoned", "either"),
}
STATUSES = ["proposed", "accepted", "declined", "withdrawn", "completed", "abandoned"]
ACTIONS = ["accept", "decline", "withdraw", "complete", "abandon"]
ACTORS = ["proposer", "partner"]
EDITORS = {"proposed": {"proposer"}, "accepted": {"proposer", "partner"}}


def _may(actor: str, who: str) -> bool:
    return who == "either" or who == actor


def _ritual(couple: Couple, **fields: Any) -> Ritual:
    defaults: dict[str, Any] = {
        "title": "Sunday date night",
        "category": "date_night",
        "rrule": "FREQ=WEEKLY;BYDAY=SU",
        "start_date": date(2025, 1, 5),
        "local_time": time(19, 0),
        "time_zone": "Europe/Berlin",
    }
    return Ritual.objects.create(couple=couple, **{**defaults, **fields})


def _goal(couple: Couple, proposed_by: User, **fields: Any) -> Goal:
    return Goal.objects.create(couple=couple, proposed_by=proposed_by, title="Save for Lisbon", **fields)


def _url(goal: Goal | str, action: str = "") -> str:
    goal_id = goal.pk if isinstance(goal, Goal) else goal
    return f"{GOALS}/{goal_id}" + (f"/{action}" if action else "")


def _error(response: Any) -> tuple[int, str]:
    return response.status_code, response.json()["error"]["code"]


# Proposing --------------------------------------------------------------------------------------


def test_proposing_a_goal_creates_it_and_tells_the_partner(me, partner, couple):
    ritual = _ritual(couple)
    body = {
        "title": "Save for Lisbon",
        "description": "A week in spring",
        "target_date": "2026-04-01",
        "ritual_ids": [str(ritual.pk)],
    }

    response = me.post(GOALS, body)

    assert response.status_code == 201
    data = response.json()
    goal = Goal.objects.get()
    assert data == {
        "id": str(goal.pk),
        "title": "Save for Lisbon",
        "description": "A week in spring",
        "status": "proposed",
        "proposed_by": str(me.user.pk),
        "proposed_by_me": True,
        "target_date": "2026-04-01",
        "ritual_ids": [str(ritual.pk)],
        "created_at": data["created_at"],
        "updated_at": data["updated_at"],
        "version": 1,
        "allowed_actions": ["withdraw", "edit"],
    }
    assert response["ETag"] == '"1"'
    assert (goal.couple_id, goal.proposed_by_id, goal.status) == (couple.pk, me.user.pk, "proposed")
    assert list(goal.rituals.all()) == [ritual]
    note = Notification.objects.get()
    assert (note.recipient_id, note.kind, note.dedupe_key) == (
        partner.user.pk,
        "goal_proposed",
        f"goal:{goal.pk}:proposed",
    )
    assert note.data == {"screen": "goal", "goal_id": str(goal.pk)}
    assert note.body == "Save for Lisbon"

    seen_by_partner = partner.get(_url(goal)).json()
    assert seen_by_partner["proposed_by_me"] is False
    assert seen_by_partner["allowed_actions"] == ["accept", "decline"]


def test_a_minimal_proposal_needs_only_a_title(me, partner):
    response = me.post(GOALS, {"title": "More walks"})

    assert response.status_code == 201
    assert response.json()["description"] == ""
    assert response.json()["target_date"] is None
    assert response.json()["ritual_ids"] == []


def test_status_proposer_couple_and_version_in_the_body_are_ignored(me, partner, stranger_user):
    other_couple = Couple.objects.get(memberships__user=stranger_user)
    body = {
        "title": "Sneaky",
        "status": "accepted",
        "proposed_by": str(partner.user.pk),
        "couple": str(other_couple.pk),
        "version": 99,
        "allowed_actions": ["complete"],
    }

    data = me.post(GOALS, body).json()

    goal = Goal.objects.get()
    assert (data["status"], data["proposed_by"], data["version"]) == ("proposed", str(me.user.pk), 1)
    assert (goal.status, goal.proposed_by_id, goal.version, goal.couple_id) == (
        "proposed",
        me.user.pk,
        1,
        Couple.objects.get(memberships__user=me.user).pk,
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "title"),
        ({"title": ""}, "title"),
        ({"title": "x" * 121}, "title"),
        ({"title": "ok", "description": "x" * 2001}, "description"),
        ({"title": "ok", "target_date": "next spring"}, "target_date"),
        ({"title": "ok", "ritual_ids": "not-a-list"}, "ritual_ids"),
        ({"title": "ok", "ritual_ids": ["not-a-uuid"]}, "ritual_ids.0"),
        ({"title": "ok", "ritual_ids": [str(uuid.uuid4()) for _ in range(21)]}, "ritual_ids"),
    ],
)
def test_invalid_proposals_are_400s_naming_the_field(me, partner, body, field):
    response = me.post(GOALS, body)

    assert _error(response) == (400, "validation_error")
    assert field in response.json()["error"]["fields"]
    assert not Goal.objects.exists()


def test_linked_rituals_must_be_live_rituals_of_our_couple(me, partner, couple, stranger_user):
    theirs = _ritual(Couple.objects.get(memberships__user=stranger_user))
    deleted = _ritual(couple, deleted_at=timezone.now())
    for ritual_id in (theirs.pk, deleted.pk, uuid.uuid4()):
        response = me.post(GOALS, {"title": "x", "ritual_ids": [str(ritual_id)]})

        assert _error(response) == (400, "validation_error")
        assert response.json()["error"]["fields"]["ritual_ids"][0]["code"] == "unknown_ritual"
        assert str(theirs.title) not in response.content.decode()
    assert not Goal.objects.exists()
    assert not Notification.objects.exists()


def test_the_same_ritual_twice_is_linked_once(me, partner, couple):
    ritual = _ritual(couple)

    response = me.post(GOALS, {"title": "x", "ritual_ids": [str(ritual.pk), str(ritual.pk)]})

    assert response.json()["ritual_ids"] == [str(ritual.pk)]


def test_a_replayed_proposal_returns_the_first_one_and_notifies_once(me, partner):
    goal_id = str(uuid.uuid4())
    first = me.post(GOALS, {"id": goal_id, "title": "Save for Lisbon"})
    replay = me.post(GOALS, {"id": goal_id, "title": "Something else"})

    assert (first.status_code, replay.status_code) == (201, 200)
    assert replay.json() == first.json()
    assert Goal.objects.get().title == "Save for Lisbon"
    assert Notification.objects.count() == 1


def test_an_id_used_by_someone_else_is_a_conflict_that_reveals_nothing(me, partner, stranger):
    goal_id = me.post(GOALS, {"id": str(uuid.uuid4()), "title": "Ours"}).json()["id"]

    for other in (partner, stranger):
        response = other.post(GOALS, {"id": goal_id, "title": "Theirs"})
        assert _error(response) == (409, "id_conflict")
        assert "Ours" not in response.content.decode()
    assert Goal.objects.get().title == "Ours"


def test_an_unpaired_user_cannot_propose(loner):
    assert _error(loner.post(GOALS, {"title": "Alone"})) == (404, "not_paired")


# The state machine, every (status, actor, action) -----------------------------------------------


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("status", STATUSES)
def test_every_transition_of_the_state_machine(me, partner, couple, status, actor, action):
    goal = _goal(couple, me.user, status=status)
    client, other = (me, partner) if actor == "proposer" else (partner, me)

    response = client.post(_url(goal, action))

    goal.refresh_from_db()
    rule = CONTRACT.get((status, action))
    if rule is not None and _may(actor, rule[1]):
        new_status = rule[0]
        assert response.status_code == 200, response.json()
        assert (response.json()["status"], response.json()["version"]) == (new_status, 2)
        assert response["ETag"] == '"2"'
        assert (goal.status, goal.version) == (new_status, 2)
        note = Notification.objects.get()
        assert (note.recipient_id, note.kind) == (other.user.pk, f"goal_{new_status}")
        assert note.dedupe_key == f"goal:{goal.pk}:{new_status}"
        assert note.data == {"screen": "goal", "goal_id": str(goal.pk)}
    else:
        expected_code = "not_your_turn" if rule is not None else "invalid_transition"
        assert _error(response) == (409, expected_code)
        error = response.json()["error"]
        assert (error["current_status"], error["version"]) == (status, 1)
        assert error["allowed_actions"] == client.get(_url(goal)).json()["allowed_actions"]
        assert (goal.status, goal.version) == (status, 1)
        assert not Notification.objects.exists()


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("status", STATUSES)
def test_allowed_actions_follow_the_state_machine(me, partner, couple, status, actor):
    goal = _goal(couple, me.user, status=status)
    client = me if actor == "proposer" else partner

    allowed = client.get(_url(goal)).json()["allowed_actions"]

    expected = {a for (s, a), (_, who) in CONTRACT.items() if s == status and _may(actor, who)}
    if actor in EDITORS.get(status, set()):
        expected.add("edit")
    assert set(allowed) == expected


def test_a_goal_whose_proposer_is_gone_can_still_be_answered_by_either(me, partner, couple):
    # proposed_by is SET_NULL; nobody is then "the proposer", so only non-proposer steps remain.
    goal = _goal(couple, me.user)
    Goal.objects.filter(pk=goal.pk).update(proposed_by=None)

    assert set(me.get(_url(goal)).json()["allowed_actions"]) == {"accept", "decline"}
    assert _error(me.post(_url(goal, "withdraw"))) == (409, "not_your_turn")


def test_a_replayed_transition_is_a_clear_conflict_and_notifies_once(me, partner, couple):
    goal = _goal(couple, me.user)

    assert partner.post(_url(goal, "accept")).status_code == 200
    replay = partner.post(_url(goal, "accept"))

    assert _error(replay) == (409, "invalid_transition")
    assert replay.json()["error"]["current_status"] == "accepted"
    assert Notification.objects.filter(kind="goal_accepted").count() == 1


def test_a_full_life_of_a_goal(me, partner, couple):
    goal_id = me.post(GOALS, {"title": "Run a 10k together"}).json()["id"]
    assert partner.post(_url(goal_id, "accept")).json()["status"] == "accepted"
    done = me.post(_url(goal_id, "complete")).json()

    assert (done["status"], done["version"], done["allowed_actions"]) == ("completed", 3, [])
    kinds = list(Notification.objects.order_by("created_at").values_list("recipient_id", "kind"))
    assert kinds == [
        (partner.user.pk, "goal_proposed"),
        (me.user.pk, "goal_accepted"),
        (partner.user.pk, "goal_completed"),
    ]


# Editing ----------------------------------------------------------------------------------------


def test_the_proposer_edits_a_proposal_and_the_version_moves(me, partner, couple):
    goal = _goal(couple, me.user)
    ritual = _ritual(couple)

    response = me.patch(
        _url(goal), {"title": "Save for Porto", "target_date": "2026-05-01", "ritual_ids": [str(ritual.pk)]}
    )

    assert response.status_code == 200
    data = response.json()
    assert (data["title"], data["target_date"], data["ritual_ids"], data["version"]) == (
        "Save for Porto",
        "2026-05-01",
        [str(ritual.pk)],
        2,
    )
    assert response["ETag"] == '"2"'
    goal.refresh_from_db()
    assert (goal.title, goal.target_date, goal.version) == ("Save for Porto", date(2026, 5, 1), 2)
    assert list(goal.rituals.all()) == [ritual]
    assert goal.updated_at > goal.created_at


def test_the_partner_cannot_reword_a_proposal_but_either_edits_an_accepted_goal(me, partner, couple):
    goal = _goal(couple, me.user)

    refused = partner.patch(_url(goal), {"title": "Something else"})
    assert _error(refused) == (409, "not_your_turn")
    assert refused.json()["error"]["current_status"] == "proposed"

    Goal.objects.filter(pk=goal.pk).update(status="accepted")
    assert partner.patch(_url(goal), {"title": "Something else"}).json()["title"] == "Something else"
    assert me.patch(_url(goal), {"description": "Both agreed"}).json()["version"] == 3


@pytest.mark.parametrize("status", ["declined", "withdrawn", "completed", "abandoned"])
def test_a_closed_goal_cannot_be_edited(me, partner, couple, status):
    goal = _goal(couple, me.user, status=status)

    response = me.patch(_url(goal), {"title": "Rewrite history"})

    assert _error(response) == (409, "goal_not_editable")
    assert response.json()["error"]["current_status"] == status
    goal.refresh_from_db()
    assert (goal.title, goal.version) == ("Save for Lisbon", 1)


def test_editing_clears_the_target_date_and_unlinks_rituals(me, partner, couple):
    ritual = _ritual(couple)
    goal = _goal(couple, me.user, target_date=date(2026, 1, 1))
    goal.rituals.add(ritual)

    data = me.patch(_url(goal), {"target_date": None, "ritual_ids": []}).json()

    assert (data["target_date"], data["ritual_ids"]) == (None, [])
    assert not goal.rituals.exists()


def test_an_edit_that_changes_nothing_keeps_the_version(me, partner, couple):
    goal = _goal(couple, me.user)

    assert me.patch(_url(goal), {"title": "Save for Lisbon"}).json()["version"] == 1
    assert me.patch(_url(goal), {}).json()["version"] == 1


def test_status_and_version_cannot_be_patched(me, partner, couple):
    goal = _goal(couple, me.user)

    data = me.patch(_url(goal), {"status": "completed", "version": 40, "proposed_by": str(partner.user.pk)}).json()

    goal.refresh_from_db()
    assert (data["status"], data["version"], goal.status, goal.version, goal.proposed_by_id) == (
        "proposed",
        1,
        "proposed",
        1,
        me.user.pk,
    )


def test_a_patch_with_a_bad_ritual_is_a_400_and_changes_nothing(me, partner, couple, stranger_user):
    goal = _goal(couple, me.user)
    theirs = _ritual(Couple.objects.get(memberships__user=stranger_user))

    response = me.patch(_url(goal), {"title": "New", "ritual_ids": [str(theirs.pk)]})

    assert _error(response) == (400, "validation_error")
    assert "ritual_ids" in response.json()["error"]["fields"]
    goal.refresh_from_db()
    assert (goal.title, goal.version) == ("Save for Lisbon", 1)


def test_if_match_makes_edits_and_answers_exact(me, partner, couple):
    goal = _goal(couple, me.user)

    assert me.patch(_url(goal), {"title": "v2"}, HTTP_IF_MATCH='"1"').status_code == 200
    stale = me.patch(_url(goal), {"title": "lost update"}, HTTP_IF_MATCH='"1"')
    assert _error(stale) == (412, "version_mismatch")
    assert (stale.json()["error"]["version"], stale.json()["error"]["current_status"]) == (2, "proposed")

    # The partner accepts only the wording they saw: the proposer changed it meanwhile.
    assert _error(partner.post(_url(goal, "accept"), HTTP_IF_MATCH='"1"')) == (412, "version_mismatch")
    assert partner.post(_url(goal, "accept"), HTTP_IF_MATCH='W/"2"').json()["status"] == "accepted"
    goal.refresh_from_db()
    assert (goal.title, goal.status, goal.version) == ("v2", "accepted", 3)


def test_a_malformed_if_match_is_a_400(me, partner, couple):
    goal = _goal(couple, me.user)

    response = me.patch(_url(goal), {"title": "x"}, HTTP_IF_MATCH="yesterday")

    assert _error(response) == (400, "validation_error")
    assert "If-Match" in response.json()["error"]["fields"]


# Reading ----------------------------------------------------------------------------------------


def test_the_list_filters_by_status(me, partner, couple):
    for status in STATUSES:
        _goal(couple, me.user, status=status)

    def statuses(query: str) -> list[str]:
        return sorted(g["status"] for g in me.get(f"{GOALS}{query}").json()["results"])

    assert statuses("") == sorted(STATUSES)
    assert statuses("?status=accepted") == ["accepted"]
    assert statuses("?status=proposed,accepted") == ["accepted", "proposed"]
    response = me.get(f"{GOALS}?status=accepted,bogus")
    assert _error(response) == (400, "validation_error")
    assert "status" in response.json()["error"]["fields"]


def test_a_deleted_ritual_leaves_the_goals_it_was_linked_to(me, partner, couple):
    kept, deleted = _ritual(couple, title="kept"), _ritual(couple, title="deleted")
    goal = _goal(couple, me.user)
    goal.rituals.add(kept, deleted)
    Ritual.objects.filter(pk=deleted.pk).update(deleted_at=timezone.now())

    assert me.get(_url(goal)).json()["ritual_ids"] == [str(kept.pk)]
    assert me.get(GOALS).json()["results"][0]["ritual_ids"] == [str(kept.pk)]


def test_goals_of_another_couple_or_an_ended_couple_are_404(me, partner, couple, stranger):
    goal = _goal(couple, me.user)

    for action in ("", *ACTIONS):
        response = stranger.post(_url(goal, action)) if action else stranger.get(_url(goal))
        assert _error(response) == (404, "not_found")
    assert stranger.get(GOALS).json()["results"] == []

    couple_unpair(user=partner.user)
    assert _error(me.get(_url(goal))) == (404, "not_found")
    assert _error(partner.post(_url(goal, "accept"))) == (404, "not_found")
    assert me.get(GOALS).json()["results"] == []
    goal.refresh_from_db()
    assert goal.status == "proposed"


def test_the_export_has_the_goals_i_proposed_and_not_my_partners(me, partner, couple):
    ritual = _ritual(couple)
    mine = _goal(couple, me.user)
    mine.rituals.add(ritual)
    _goal(couple, partner.user, description="partner's own idea")

    export = me.get("/api/v1/me/export").json()

    assert [g["id"] for g in export["goals_proposed"]] == [str(mine.pk)]
    assert export["goals_proposed"][0]["ritual_ids"] == [str(ritual.pk)]
    assert "partner's own idea" not in str(export)


# Query counts -----------------------------------------------------------------------------------


def _goals_with_rituals(couple: Couple, proposer: User, count: int) -> None:
    ritual = _ritual(couple)
    for _ in range(count):
        _goal(couple, proposer).rituals.add(ritual)


@pytest.mark.parametrize("count", [1, 30])
def test_listing_goals_takes_three_queries_whatever_their_number(me, partner, couple, count, django_assert_num_queries):
    _goals_with_rituals(couple, me.user, count)

    with django_assert_num_queries(3):  # session+user with membership+couple, goals page, linked rituals
        response = me.get(f"{GOALS}?page_size=100")

    assert len(response.json()["results"]) == count


def test_reading_one_goal_takes_a_fixed_number_of_queries(me, partner, couple, django_assert_num_queries):
    goal = _goal(couple, me.user)

    with django_assert_num_queries(3):  # session+user with membership+couple, goal, linked rituals
        assert me.get(_url(goal)).status_code == 200


@pytest.mark.parametrize("count", [1, 20])
def test_proposing_takes_a_fixed_number_of_queries(me, partner, couple, count, django_assert_num_queries):
    rituals = [str(_ritual(couple).pk) for _ in range(count)]

    # session+user with membership+couple and the partner, savepoint, rituals check, insert, links,
    # notification, release (no savepoint around the insert: a conflict reruns the whole write,
    # config.db.atomic_retried_on_conflict); then the linked rituals for the response.
    # + 1 for sync, once for the goal and the notification: the counter bump with the state upsert
    # in one statement (sync.changes.stamped_once; who holds the record: couples.selectors.known_members).
    # + 1: the message copy of the notification (messaging.render.Copy.load).
    with django_assert_num_queries(10):
        assert me.post(GOALS, {"title": "x", "ritual_ids": rituals}).status_code == 201


def test_a_transition_takes_a_fixed_number_of_queries(me, partner, couple, django_assert_num_queries):
    goal = _goal(couple, me.user)

    # session+user with membership+couple and the partner, savepoint, goal FOR UPDATE, update,
    # notification, release; then the linked rituals for the response.
    # + 1 for sync, once for the goal and the notification: the counter bump with the state upsert
    # in one statement (sync.changes.stamped_once; who holds the record: couples.selectors.known_members).
    # + 1: the message copy of the notification (messaging.render.Copy.load).
    with django_assert_num_queries(9):
        assert partner.post(_url(goal, "accept")).status_code == 200


# Races ------------------------------------------------------------------------------------------


def _couple_with_a_proposal() -> tuple[AppClient, User, Goal]:
    proposer, other = UserFactory.create(), UserFactory.create()
    couple = pair(proposer, other)
    return AppClient().sign_in(proposer), other, _goal(couple, proposer)


@pytest.mark.django_db(transaction=True)
def test_two_devices_accepting_at_once_give_one_accepted_goal_and_one_conflict():
    for _ in range(5):
        _, other, goal = _couple_with_a_proposal()
        phone, tablet = AppClient().sign_in(other), AppClient().sign_in(other)

        url = _url(goal, "accept")
        responses = race(*(lambda c=client, u=url: c.post(u) for client in (phone, tablet)))

        assert sorted(r.status_code for r in responses) == [200, 409]
        loser = next(r for r in responses if r.status_code == 409).json()["error"]
        assert (loser["code"], loser["current_status"], loser["version"]) == ("invalid_transition", "accepted", 2)
        goal.refresh_from_db()
        assert (goal.status, goal.version) == ("accepted", 2)
        assert Notification.objects.filter(dedupe_key=f"goal:{goal.pk}:accepted").count() == 1


@pytest.mark.django_db(transaction=True)
def test_an_accept_racing_a_withdraw_has_exactly_one_winner():
    for _ in range(5):
        proposer, other, goal = _couple_with_a_proposal()
        partner = AppClient().sign_in(other)

        withdraw_url, accept_url = _url(goal, "withdraw"), _url(goal, "accept")
        withdraw, accept = race(
            partial(proposer.post, withdraw_url),
            partial(partner.post, accept_url),
        )

        assert sorted([withdraw.status_code, accept.status_code]) == [200, 409]
        winner, loser = (withdraw, accept) if withdraw.status_code == 200 else (accept, withdraw)
        goal.refresh_from_db()
        assert goal.status == winner.json()["status"] == loser.json()["error"]["current_status"]
        assert loser.json()["error"]["code"] == "invalid_transition"
        assert Notification.objects.filter(dedupe_key__startswith=f"goal:{goal.pk}:").count() == 1


@pytest.mark.django_db(transaction=True)
def test_one_proposal_sent_twice_at_once_is_one_goal_and_one_replay():
    # The second INSERT of the id fails; its whole write runs again and answers as a replay
    # (config.db.atomic_retried_on_conflict): no 500, one goal, one notification.
    for _ in range(5):
        proposer, other = UserFactory.create(), UserFactory.create()
        pair(proposer, other)
        phone, tablet = AppClient().sign_in(proposer), AppClient().sign_in(proposer)
        body = {"id": str(uuid.uuid4()), "title": "Cook on Fridays"}

        responses = race(*(lambda c=client, b=body: c.post(GOALS, b) for client in (phone, tablet)))

        assert sorted(r.status_code for r in responses) == [200, 201]
        assert {r.json()["id"] for r in responses} == {body["id"]}
        assert Goal.objects.filter(pk=body["id"]).count() == 1
        assert Notification.objects.filter(dedupe_key__startswith=f"goal:{body['id']}:").count() == 1
