"""POST sync/push: all or nothing, conflicts, replays, the REST rules, and errors that name the record."""

import uuid

import pytest

from rituals.models import CheckIn, Completion, Nudge, Ritual
from tests.sync.test_pull import make_ritual, pull

pytestmark = pytest.mark.django_db
PUSH = "/api/v1/sync/push"


def push(client, changes, cursor):
    return client.post(f"{PUSH}?last_pulled_at={cursor}", {"changes": changes})


def ritual_raw(**extra):
    return {
        "id": str(uuid.uuid4()),
        "title": "Tech-free dinner",
        "category": "shared_experience",
        "rrule": "FREQ=WEEKLY;BYDAY=TH",
        "local_time": "19:30:00",
        "time_zone": "Europe/Berlin",
        "start_date": "2026-11-01",
        **extra,
    }


def test_a_push_creates_records_with_the_phones_ids(me, partner, couple):
    cursor = pull(me)["timestamp"]
    ritual = ritual_raw()
    check_in: dict[str, object] = {
        "id": str(uuid.uuid4()),
        "mood": 4,
        "connection": 5,
        "note": "good day",
        "is_shared": True,
    }
    nudge = {"id": str(uuid.uuid4()), "kind": "hug", "message": ""}

    response = push(
        me,
        {"rituals": {"created": [ritual]}, "check_ins": {"created": [check_in]}, "nudges": {"created": [nudge]}},
        cursor,
    )

    assert response.status_code == 204, response.content
    assert Ritual.objects.get(id=ritual["id"]).created_by == me.user
    assert CheckIn.objects.get(id=str(check_in["id"])).is_shared
    assert Nudge.objects.get(id=nudge["id"]).recipient == partner.user
    # The partner's next pull has them (the check-in because it is shared).
    body = pull(partner, 0)
    assert ritual["id"] in {r["id"] for r in body["changes"]["rituals"]["updated"]}
    assert check_in["id"] in {r["id"] for r in body["changes"]["check_ins"]["updated"]}


def test_a_replayed_push_is_a_no_op(me, partner, couple):
    cursor = pull(me)["timestamp"]
    changes = {
        "rituals": {"created": [ritual_raw()]},
        "check_ins": {"created": [{"id": str(uuid.uuid4()), "mood": 3, "connection": 3}]},
    }

    assert push(me, changes, cursor).status_code == 204
    assert push(me, changes, cursor).status_code == 204

    assert Ritual.objects.count() == 1
    assert CheckIn.objects.count() == 1


def test_a_record_changed_on_the_server_since_the_pull_is_a_conflict_and_nothing_is_applied(me, partner, couple):
    ritual = make_ritual(me)
    cursor = pull(me)["timestamp"]
    assert partner.patch(f"/api/v1/rituals/{ritual['id']}", {"title": "Partner renamed it"}).status_code == 200
    other = ritual_raw()

    response = push(me, {"rituals": {"created": [other], "updated": [{"id": ritual["id"], "title": "Mine"}]}}, cursor)

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "sync_conflict"
    assert response.json()["error"]["id"] == ritual["id"]
    assert Ritual.objects.get(id=ritual["id"]).title == "Partner renamed it"
    assert not Ritual.objects.filter(id=other["id"]).exists()


def test_one_bad_record_fails_the_whole_push_and_names_table_id_and_field(me, partner, couple):
    cursor = pull(me)["timestamp"]
    good = ritual_raw()
    bad = {"id": str(uuid.uuid4()), "mood": 7, "connection": 3}

    response = push(me, {"rituals": {"created": [good]}, "check_ins": {"created": [bad]}}, cursor)

    assert response.status_code == 400
    assert f"check_ins.{bad['id']}.mood" in response.json()["error"]["fields"]
    assert not Ritual.objects.filter(id=good["id"]).exists()


def test_pushes_go_through_the_rest_rules(me, partner, couple):
    cursor = pull(me)["timestamp"]
    response = push(me, {"rituals": {"created": [ritual_raw(rrule="FREQ=HOURLY")]}}, cursor)
    assert response.status_code == 400
    assert any(key.endswith(".rrule") for key in response.json()["error"]["fields"])


def test_read_only_tables_and_unknown_tables_are_refused(me, partner, couple):
    cursor = pull(me)["timestamp"]
    response = push(me, {"partner_profiles": {"updated": [{"id": str(partner.user.id), "display_name": "X"}]}}, cursor)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "read_only"
    assert push(me, {"users": {"created": [{"id": "x"}]}}, cursor).status_code == 400


def test_a_push_cannot_touch_another_couples_records(me, partner, couple, stranger):
    theirs = make_ritual(stranger)
    cursor = pull(me)["timestamp"]

    update = push(me, {"rituals": {"updated": [{"id": theirs["id"], "title": "pwned"}]}}, cursor)
    completion = push(
        me,
        {"ritual_completions": {"created": [{"id": str(uuid.uuid4()), "ritual_id": theirs["id"], "occurrence_at": 0}]}},
        cursor,
    )
    delete = push(me, {"rituals": {"deleted": [theirs["id"]]}}, cursor)

    assert update.status_code == 404
    assert completion.status_code == 404
    assert delete.status_code == 204  # nothing of ours by that id: nothing to delete
    assert Ritual.objects.get(id=theirs["id"]).title == "Date night"
    assert Ritual.objects.get(id=theirs["id"]).deleted_at is None
    assert not Completion.objects.exists()


def test_goal_status_changes_are_transitions_with_their_rules(me, partner, couple):
    cursor = pull(me)["timestamp"]
    goal_id = str(uuid.uuid4())
    assert (
        push(
            me, {"goals": {"created": [{"id": goal_id, "title": "Lisbon trip", "ritual_ids": "[]"}]}}, cursor
        ).status_code
        == 204
    )
    partner_cursor = pull(partner)["timestamp"]

    # The proposer cannot accept their own goal, even offline.
    own = push(me, {"goals": {"updated": [{"id": goal_id, "status": "accepted"}]}}, pull(me)["timestamp"])
    assert own.status_code == 409
    assert (
        push(partner, {"goals": {"updated": [{"id": goal_id, "status": "accepted"}]}}, partner_cursor).status_code
        == 204
    )
    assert pull(me, cursor)["changes"]["goals"]["updated"][0]["status"] == "accepted"


def test_marking_a_notification_read_syncs(me, partner, couple):
    ritual = make_ritual(partner)
    assert ritual
    from notifications.models import Notification

    note = Notification.objects.create(recipient=me.user, kind="nudge", title="hi", dedupe_key="k")
    cursor = pull(me)["timestamp"]

    assert (
        push(me, {"notifications": {"updated": [{"id": str(note.id), "read_at": 1764000000000}]}}, cursor).status_code
        == 204
    )
    note.refresh_from_db()
    assert note.read_at is not None


def test_bad_push_requests_are_clear_400s(me):
    assert me.post(PUSH, {"changes": {}}).status_code == 400  # no last_pulled_at
    assert me.post(f"{PUSH}?last_pulled_at=0", {"changes": "nope"}).status_code == 400
    assert (
        me.post(f"{PUSH}?last_pulled_at=0", {"changes": {"rituals": {"created": [{"title": "no id"}]}}}).status_code
        == 400
    )


@pytest.mark.parametrize("history", [1, 40])
def test_a_push_costs_the_same_whatever_the_untouched_history(me, partner, couple, history, django_assert_num_queries):
    for index in range(history):
        make_ritual(me, title=f"ritual {index}")
    cursor = pull(me)["timestamp"]
    check_in = {"id": str(uuid.uuid4()), "mood": 4, "connection": 4}
    # Same for 1 and 40 untouched rituals: session+user with membership+couple, savepoint, counters
    # (insert, lock), conflict check, then the check-in service and its sync stamps, release.
    with django_assert_num_queries(16):
        assert push(me, {"check_ins": {"created": [check_in]}}, cursor).status_code == 204
