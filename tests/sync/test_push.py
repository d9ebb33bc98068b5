"""POST sync/push: per-record outcomes, WatermelonDB's backend rules, conflicts, replays, and the
server's truth stamped for every refused record, so the next pull repairs the phone."""

import json
import uuid
from typing import Any

import pytest

from rituals.models import CheckIn, Completion, Nudge, Ritual
from tests.sync.test_pull import make_ritual, pull

pytestmark = pytest.mark.django_db
PUSH = "/api/v1/sync/push"


def push(client, changes, cursor):
    return client.post(f"{PUSH}?last_pulled_at={cursor}", {"changes": changes})


def pushed(client, changes, cursor):
    """Pushes; returns {(table, id): (code, retry)} of the rejected records."""
    response = push(client, changes, cursor)
    assert response.status_code == 200, response.content
    body = response.json()
    rejected = {(r["table"], r["id"]): (r["code"], r["retry"]) for r in body["rejections"]}
    assert {(t, i) for t, ids in body["rejected_ids"].items() for i in ids} == set(rejected)
    return rejected


def stamped(client, cursor, table):
    """What the next pull after `cursor` carries for `table`: ({updated id: record}, {deleted ids})."""
    body = pull(client, cursor)["changes"][table]
    return {r["id"]: r for r in body["updated"]}, set(body["deleted"])


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
    ritual = ritual_raw(template_id=None)  # a ritual of the couple's own: template_id null
    check_in = {"id": str(uuid.uuid4()), "mood": 4, "connection": 5, "note": "good day", "is_shared": True}
    nudge = {"id": str(uuid.uuid4()), "kind": "hug", "message": ""}

    rejected = pushed(
        me,
        {"rituals": {"created": [ritual]}, "check_ins": {"created": [check_in]}, "nudges": {"created": [nudge]}},
        cursor,
    )

    assert rejected == {}
    assert Ritual.objects.get(id=ritual["id"]).created_by == me.user
    assert CheckIn.objects.get(id=str(check_in["id"])).is_shared
    assert Nudge.objects.get(id=nudge["id"]).recipient == partner.user
    body = pull(partner)
    assert ritual["id"] in {r["id"] for r in body["changes"]["rituals"]["updated"]}
    assert check_in["id"] in {r["id"] for r in body["changes"]["check_ins"]["updated"]}


def test_a_ritual_created_paused_stays_paused(me, partner, couple):
    ritual = ritual_raw(status="paused")
    assert pushed(me, {"rituals": {"created": [ritual]}}, pull(me)["timestamp"]) == {}
    assert Ritual.objects.get(id=ritual["id"]).status == "paused"


def test_a_replayed_push_is_a_no_op_even_with_values_the_server_normalises(me, partner, couple):
    cursor = pull(me)["timestamp"]
    ritual = ritual_raw(rrule="BYDAY=TH;FREQ=WEEKLY", local_time="19:30")
    goal = {"id": str(uuid.uuid4()), "title": "Lisbon", "ritual_ids": json.dumps([ritual["id"]])}
    check_in = {"id": str(uuid.uuid4()), "mood": 3, "connection": 3, "local_date": "1999-01-01"}
    changes = {"rituals": {"created": [ritual]}, "goals": {"created": [goal]}, "check_ins": {"created": [check_in]}}

    assert pushed(me, changes, cursor) == {}
    assert pushed(me, changes, cursor) == {}  # the response was lost: the same push again

    assert Ritual.objects.count() == 1
    assert CheckIn.objects.count() == 1
    assert Ritual.objects.get().rrule == "FREQ=WEEKLY;BYDAY=TH"


def test_a_created_record_that_exists_is_updated(me, partner, couple):
    """Create, response lost, edit offline: the phone pushes it as created again, with the edit."""
    cursor = pull(me)["timestamp"]
    ritual = ritual_raw()
    assert pushed(me, {"rituals": {"created": [ritual]}}, cursor) == {}
    edited = {**ritual, "title": "Phone-free dinner"}

    rejected = pushed(me, {"rituals": {"created": [edited]}}, cursor)

    # Applied by the first push after the phone's cursor: a conflict the phone resolves by pulling.
    assert rejected == {("rituals", ritual["id"]): ("sync_conflict", True)}
    assert pushed(me, {"rituals": {"created": [edited]}}, pull(me)["timestamp"]) == {}
    assert Ritual.objects.get(id=ritual["id"]).title == "Phone-free dinner"


def test_an_updated_record_that_does_not_exist_is_created(me, partner, couple):
    check_in = {"id": str(uuid.uuid4()), "mood": 2, "connection": 4}
    assert pushed(me, {"check_ins": {"updated": [check_in]}}, pull(me)["timestamp"]) == {}
    assert CheckIn.objects.filter(id=str(check_in["id"])).exists()


def test_a_conflict_rejects_only_that_record(me, partner, couple):
    ritual = make_ritual(me)
    cursor = pull(me)["timestamp"]
    assert partner.patch(f"/api/v1/rituals/{ritual['id']}", {"title": "Partner renamed it"}).status_code == 200
    other = ritual_raw()

    rejected = pushed(me, {"rituals": {"created": [other], "updated": [{"id": ritual["id"], "title": "Mine"}]}}, cursor)

    assert rejected == {("rituals", ritual["id"]): ("sync_conflict", True)}
    assert Ritual.objects.get(id=ritual["id"]).title == "Partner renamed it"
    assert Ritual.objects.filter(id=other["id"]).exists()


def test_a_bad_record_is_rejected_alone_and_the_phone_gets_the_servers_truth(me, partner, couple):
    cursor = pull(me)["timestamp"]
    good = ritual_raw()
    bad = {"id": str(uuid.uuid4()), "mood": 7, "connection": 3}
    fine: dict[str, Any] = {"id": str(uuid.uuid4()), "mood": 4, "connection": 3}  # one batch with `bad`
    hourly = ritual_raw(rrule="FREQ=HOURLY")

    rejected = pushed(me, {"rituals": {"created": [good, hourly]}, "check_ins": {"created": [fine, bad]}}, cursor)

    assert rejected == {
        ("check_ins", bad["id"]): ("validation_error", False),
        ("rituals", hourly["id"]): ("validation_error", False),
    }
    assert Ritual.objects.filter(id=good["id"]).exists()
    assert CheckIn.objects.filter(id=fine["id"]).exists()
    # Nothing by those ids on the server: the next pull tells the phone to drop them.
    assert bad["id"] in stamped(me, cursor, "check_ins")[1]
    assert hourly["id"] in stamped(me, cursor, "rituals")[1]


def test_read_only_changes_are_rejected_with_the_servers_version(me, partner, couple):
    check_in = {"id": str(uuid.uuid4()), "mood": 4, "connection": 4, "is_shared": False}
    assert pushed(me, {"check_ins": {"created": [check_in]}}, pull(me)["timestamp"]) == {}
    cursor = pull(me)["timestamp"]

    rejected = pushed(
        me,
        {
            "check_ins": {"deleted": [check_in["id"]]},
            "partner_profiles": {"updated": [{"id": str(partner.user.id), "display_name": "X"}]},
            "daily_prompts": {"created": [{"id": str(uuid.uuid4()), "day": "2026-12-01"}]},
        },
        cursor,
    )

    assert {(t, code) for (t, _), (code, _) in rejected.items()} == {
        ("check_ins", "read_only"),
        ("daily_prompts", "read_only"),
    }
    assert CheckIn.objects.filter(id=str(check_in["id"])).exists()
    updated, deleted = stamped(me, cursor, "check_ins")
    assert check_in["id"] in updated  # the phone gets it back
    assert check_in["id"] not in deleted
    # A column only the server writes is not the phone's to change: not a rejection, but the
    # phone's next pull carries the server's value.
    assert stamped(me, cursor, "partner_profiles")[0][str(partner.user.id)]["display_name"] == "Sam"


def test_unknown_tables_and_bad_bodies_fail_the_whole_push(me):
    assert push(me, {"users": {"created": [{"id": "x"}]}}, 1).status_code == 400
    assert me.post(PUSH, {"changes": {}}).status_code == 400  # no last_pulled_at
    assert me.post(f"{PUSH}?last_pulled_at=0", {"changes": "nope"}).status_code == 400
    body = {"changes": {"rituals": {"created": [{"title": "no id"}]}}}
    assert me.post(f"{PUSH}?last_pulled_at=0", body).status_code == 400


def test_ids_that_are_not_uuids_are_rejected_and_dropped_from_the_phone(me, partner, couple):
    cursor = pull(me)["timestamp"]
    good = {"id": str(uuid.uuid4()), "mood": 4, "connection": 4}
    rejected = pushed(
        me, {"check_ins": {"created": [{"id": "aBcDeFgHiJkLmNoP", "mood": 3, "connection": 3}, good]}}, cursor
    )
    assert rejected == {("check_ins", "aBcDeFgHiJkLmNoP"): ("invalid_id", False)}
    assert "aBcDeFgHiJkLmNoP" in stamped(me, cursor, "check_ins")[1]
    assert CheckIn.objects.filter(id=str(good["id"])).exists()


def test_a_push_cannot_touch_another_couples_records(me, partner, couple, stranger):
    theirs = make_ritual(stranger)
    cursor = pull(me)["timestamp"]
    completion = {"id": str(uuid.uuid4()), "ritual_id": theirs["id"], "occurrence_at": 0}

    rejected = pushed(
        me,
        {
            "rituals": {"updated": [{"id": theirs["id"], "title": "pwned"}], "deleted": [theirs["id"]]},
            "ritual_completions": {"created": [completion]},
        },
        cursor,
    )

    assert rejected[("rituals", theirs["id"])] == ("id_conflict", False)
    assert rejected[("ritual_completions", completion["id"])] == ("not_found", False)
    assert Ritual.objects.get(id=theirs["id"]).title == "Date night"
    assert Ritual.objects.get(id=theirs["id"]).deleted_at is None
    assert not Completion.objects.exists()
    assert theirs["id"] in stamped(me, cursor, "rituals")[1]


def test_a_ritual_pushed_after_the_couple_ended_is_rejected_and_dropped(me, partner, couple):
    cursor = pull(me)["timestamp"]
    assert me.post("/api/v1/couple/unpair", {"confirm": True}).status_code in (200, 204)
    ritual = ritual_raw()
    check_in = {"id": str(uuid.uuid4()), "mood": 4, "connection": 4}

    rejected = pushed(me, {"rituals": {"created": [ritual]}, "check_ins": {"created": [check_in]}}, cursor)

    assert rejected == {("rituals", ritual["id"]): ("not_paired", False)}
    assert ritual["id"] in stamped(me, cursor, "rituals")[1]
    assert CheckIn.objects.filter(id=str(check_in["id"])).exists()


def test_nudges_over_the_daily_quota_are_rejected_and_the_rest_lands(me, partner, couple, settings):
    settings.NUDGE_DAILY_QUOTA = 2
    nudges = [{"id": str(uuid.uuid4()), "kind": "hug", "message": ""} for _ in range(3)]
    check_in = {"id": str(uuid.uuid4()), "mood": 4, "connection": 4}

    rejected = pushed(me, {"nudges": {"created": nudges}, "check_ins": {"created": [check_in]}}, pull(me)["timestamp"])

    assert rejected == {("nudges", nudges[2]["id"]): ("nudge_quota_exceeded", False)}
    assert Nudge.objects.count() == 2
    assert CheckIn.objects.filter(id=str(check_in["id"])).exists()


def test_a_push_over_the_record_cap_is_a_413_with_the_cap(me, settings):
    settings.SYNC_PUSH_MAX_RECORDS = 3
    records = [{"id": str(uuid.uuid4()), "mood": 4, "connection": 4} for _ in range(4)]
    response = push(me, {"check_ins": {"created": records}}, 1)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_many_records"
    assert response.json()["error"]["max_records"] == 3
    records = [{"id": str(uuid.uuid4()), "mood": 4, "connection": 4} for _ in range(1001)]
    assert push(me, {"check_ins": {"created": records[:3]}}, 1).status_code == 200


def test_records_past_the_time_budget_are_rejected_to_retry(me, partner, couple, settings):
    settings.SYNC_PUSH_TIME_BUDGET_SECONDS = 0
    check_in = {"id": str(uuid.uuid4()), "mood": 4, "connection": 4}
    assert pushed(me, {"check_ins": {"created": [check_in]}}, pull(me)["timestamp"]) == {
        ("check_ins", check_in["id"]): ("deadline", True)
    }
    assert not CheckIn.objects.exists()


def test_goal_status_changes_are_the_transitions_of_whoever_pushes(me, partner, couple):
    goal_id = str(uuid.uuid4())
    ritual = make_ritual(me)
    goal = {"id": goal_id, "title": "Lisbon trip", "status": "proposed", "ritual_ids": json.dumps([ritual["id"]])}
    assert pushed(me, {"goals": {"created": [goal]}}, pull(me)["timestamp"]) == {}

    # The proposer cannot accept their own goal, even offline: refused, and the phone gets it back.
    cursor = pull(me)["timestamp"]
    assert pushed(me, {"goals": {"updated": [{**goal, "status": "accepted"}]}}, cursor) == {
        ("goals", goal_id): ("not_your_turn", False)
    }
    assert stamped(me, cursor, "goals")[0][goal_id]["status"] == "proposed"
    # The partner's phone sends the whole record, with the status changed: that is an accept.
    partner_goal = pull(partner)["changes"]["goals"]["updated"][0]
    assert (
        pushed(partner, {"goals": {"updated": [{**partner_goal, "status": "accepted"}]}}, pull(partner)["timestamp"])
        == {}
    )
    assert pull(me, cursor)["changes"]["goals"]["updated"][0]["status"] == "accepted"
    completed = {**pull(me)["changes"]["goals"]["updated"][0], "status": "completed"}
    assert pushed(me, {"goals": {"updated": [completed]}}, pull(me)["timestamp"]) == {}


def test_a_partner_declines_and_a_proposer_withdraws_by_status(me, partner, couple):
    declined, withdrawn = (str(uuid.uuid4()) for _ in range(2))
    goals = [{"id": declined, "title": "Run a marathon"}, {"id": withdrawn, "title": "Learn tango"}]
    assert pushed(me, {"goals": {"created": goals}}, pull(me)["timestamp"]) == {}
    assert (
        pushed(partner, {"goals": {"updated": [{"id": declined, "status": "declined"}]}}, pull(partner)["timestamp"])
        == {}
    )
    assert pushed(me, {"goals": {"updated": [{"id": withdrawn, "status": "withdrawn"}]}}, pull(me)["timestamp"]) == {}
    statuses = {g["id"]: g["status"] for g in pull(me)["changes"]["goals"]["updated"]}
    assert statuses == {declined: "declined", withdrawn: "withdrawn"}


def test_deleting_a_linked_ritual_restamps_its_goals(me, partner, couple):
    ritual = make_ritual(me)
    goal = {"id": str(uuid.uuid4()), "title": "Weekly dates", "ritual_ids": json.dumps([ritual["id"]])}
    assert pushed(me, {"goals": {"created": [goal]}}, pull(me)["timestamp"]) == {}
    cursor = pull(partner)["timestamp"]
    assert me.delete(f"/api/v1/rituals/{ritual['id']}").status_code == 204
    assert json.loads(stamped(partner, cursor, "goals")[0][goal["id"]]["ritual_ids"]) == []


def test_prompt_answers_keep_the_phones_id_and_replays_after_the_reveal_are_harmless(me, partner, couple):
    from rituals.models import Prompt, PromptAnswer, PromptDeck

    Prompt.objects.create(
        deck=PromptDeck.objects.create(slug="talk", title="Talk", is_published=True), text="Best day?", ordering=0
    )
    daily = me.get("/api/v1/prompts/today").json()
    daily_id = daily["id"]
    mine = {"id": str(uuid.uuid4()), "daily_prompt_id": daily_id, "text": "Our first trip"}
    theirs = {"id": str(uuid.uuid4()), "daily_prompt_id": daily_id, "text": "The rain in Porto"}

    assert pushed(me, {"prompt_answers": {"created": [mine]}}, pull(me)["timestamp"]) == {}
    assert PromptAnswer.objects.get(user=me.user).id == uuid.UUID(mine["id"])
    assert pull(partner)["changes"]["prompt_answers"]["updated"][0]["text"] == ""
    assert pushed(partner, {"prompt_answers": {"created": [theirs]}}, pull(partner)["timestamp"]) == {}
    assert pushed(me, {"prompt_answers": {"created": [mine]}}, pull(me)["timestamp"]) == {}  # a replay
    texts = {a["id"]: a["text"] for a in pull(partner)["changes"]["prompt_answers"]["updated"]}
    assert texts == {mine["id"]: "Our first trip", theirs["id"]: "The rain in Porto"}
    rewrite = pushed(me, {"prompt_answers": {"updated": [{**mine, "text": "Changed"}]}}, pull(me)["timestamp"])
    assert rewrite == {("prompt_answers", mine["id"]): ("answers_revealed", False)}


def test_marking_a_notification_read_syncs(me, partner, couple):
    from notifications.models import Notification

    note = Notification.objects.create(recipient=me.user, kind="nudge", title="hi", dedupe_key="k")
    cursor = pull(me)["timestamp"]
    assert pushed(me, {"notifications": {"updated": [{"id": str(note.id), "read_at": 1764000000000}]}}, cursor) == {}
    note.refresh_from_db()
    assert note.read_at is not None


@pytest.mark.parametrize("history", [1, 40])
def test_a_push_costs_the_same_whatever_the_untouched_history(me, partner, couple, history, django_assert_num_queries):
    for index in range(history):
        make_ritual(me, title=f"ritual {index}")
    cursor = pull(me)["timestamp"]
    check_in = {"id": str(uuid.uuid4()), "mood": 4, "connection": 4}
    # Same for 1 and 40 untouched rituals: session+user with membership+couple, the chunk's
    # savepoint, existing ids (no conflict check: a new record cannot conflict), the check-in's
    # insert (no savepoint nor second look-up: config.db.rerun_by_caller; the couple's members are
    # the ones authentication loaded), the chunk's stamps (counter and states, one statement), its release.
    with django_assert_num_queries(6):
        assert pushed(me, {"check_ins": {"created": [check_in]}}, cursor) == {}


def test_completions_pushed_together_count_as_one_by_one(me, partner, couple):
    """A big push records a ritual's completions in one go (completions_record); out of order, with
    one bad record among them, they end as REST would leave them: streak, notifications, rejection."""
    from datetime import UTC, datetime, timedelta

    from notifications.models import Notification

    ritual = make_ritual(me, rrule="FREQ=DAILY", local_time="07:00", start_date="2026-03-01", time_zone="UTC")
    start = datetime(2026, 3, 1, 7, tzinfo=UTC)
    days = [3, 0, 2, 1, 4]
    records = [
        {
            "id": str(uuid.uuid4()),
            "ritual_id": ritual["id"],
            "occurrence_at": int((start + timedelta(days=d)).timestamp() * 1000),
        }
        for d in days
    ]
    bad = {
        "id": str(uuid.uuid4()),
        "ritual_id": ritual["id"],
        "occurrence_at": int((start + timedelta(hours=3)).timestamp() * 1000),
    }

    rejected = pushed(me, {"ritual_completions": {"created": [*records, bad]}}, pull(me)["timestamp"])

    assert rejected == {("ritual_completions", bad["id"]): ("validation_error", False)}
    assert Completion.objects.filter(user=me.user).count() == 5
    assert Notification.objects.filter(recipient=partner.user, kind="ritual_completed_by_partner").count() == 5
    streak = me.get(f"/api/v1/rituals/{ritual['id']}").json()["streak"]
    assert streak["longest"] == 5


def test_a_push_ignores_idempotency_keys_and_a_replay_is_still_a_no_op(me, partner, couple):
    check_in = {"id": str(uuid.uuid4()), "mood": 4, "connection": 4}
    cursor = pull(me)["timestamp"]
    for _ in range(2):
        response = me.post(
            f"{PUSH}?last_pulled_at={cursor}",
            {"changes": {"check_ins": {"created": [check_in]}}},
            HTTP_IDEMPOTENCY_KEY="same-key",
        )
        assert response.status_code == 200
        assert "Idempotent-Replayed" not in response
        assert response.json()["rejections"] == []
    assert CheckIn.objects.filter(id=str(check_in["id"])).count() == 1


def test_malformed_values_are_rejected_per_record_never_a_500(me, partner, couple):
    ritual = make_ritual(me)
    cursor = pull(me)["timestamp"]
    odd = [
        ("ritual_completions", {"id": str(uuid.uuid4()), "ritual_id": [ritual["id"]], "occurrence_at": "soon"}),
        ("ritual_completions", {"id": str(uuid.uuid4()), "ritual_id": ritual["id"], "occurrence_at": 10**20}),
        ("check_ins", {"id": str(uuid.uuid4()), "mood": {"x": 1}, "connection": None}),
        ("rituals", {"id": str(uuid.uuid4()), "title": ["t"], "rrule": {"FREQ": "DAILY"}, "local_time": 7}),
        ("goals", {"id": str(uuid.uuid4()), "title": "t", "ritual_ids": "not json", "status": 3}),
        ("nudges", {"id": str(uuid.uuid4()), "kind": None}),
    ]
    good = {"id": str(uuid.uuid4()), "mood": 4, "connection": 4}
    changes: dict[str, dict[str, list[object]]] = {}
    for table, raw in [*odd, ("check_ins", good)]:
        changes.setdefault(table, {"created": []})["created"].append(raw)

    rejected = pushed(me, changes, cursor)

    assert {(table, str(raw["id"])) for table, raw in odd} == set(rejected)
    assert all(not retry for _, retry in rejected.values())
    assert CheckIn.objects.filter(id=str(good["id"])).exists()


@pytest.mark.parametrize("count", [3, 70])  # compiled lookups, and past CompiledQuery.MAX_ITEMS the ORM
def test_a_push_of_many_new_records_creates_them_and_its_replay_changes_nothing(me, partner, couple, count):
    cursor = pull(me)["timestamp"]
    ids = [str(uuid.uuid4()) for _ in range(count)]
    records = [{"id": i, "mood": 1 + k % 5, "connection": 3, "is_shared": k % 2 == 0} for k, i in enumerate(ids)]

    assert pushed(me, {"check_ins": {"created": records}}, cursor) == {}
    assert pushed(me, {"check_ins": {"created": records}}, cursor) == {}  # the phone did not hear back

    assert CheckIn.objects.filter(user=me.user).count() == count
    assert sorted(str(pk) for pk in CheckIn.objects.values_list("id", flat=True)) == sorted(ids)


@pytest.mark.django_db(transaction=True)
def test_a_record_another_phone_inserts_during_the_chunk_is_found_as_a_replay(monkeypatch):
    """A chunk inserts the records it found new without a savepoint or a second look-up
    (config.db.rerun_by_caller): one another phone inserts in between fails the INSERT, and the
    chunk's careful rerun finds it as the replay it is."""
    import threading

    from django.db import connection

    from sync import push as push_module
    from tests.conftest import AppClient
    from tests.factories import UserFactory, pair

    me_user = UserFactory.create()
    pair(me_user, UserFactory.create())
    phone, other_phone = AppClient().sign_in(me_user), AppClient().sign_in(me_user)
    record = {"id": str(uuid.uuid4()), "mood": 4, "connection": 5, "note": "Long walk", "is_shared": True}
    loads: list[int] = []
    real_load = push_module._load

    def load_then_race(*args: Any, **kwargs: Any) -> Any:
        loaded = real_load(*args, **kwargs)
        loads.append(len(loaded.existing.get("check_ins", ())))
        if len(loads) == 1:  # the other phone's POST commits after this chunk's look-up
            answers: list[int] = []

            def post() -> None:
                try:
                    answers.append(other_phone.post("/api/v1/check-ins", record).status_code)
                finally:
                    connection.close()

            thread = threading.Thread(target=post)
            thread.start()
            thread.join(10)
            assert answers == [201]
        return loaded

    monkeypatch.setattr(push_module, "_load", load_then_race)
    cursor = pull(phone)["timestamp"]

    assert pushed(phone, {"check_ins": {"created": [record]}}, cursor) == {}
    assert loads == [0, 1]  # the chunk ran again and found the other phone's row
    stored = CheckIn.objects.get()
    assert (str(stored.pk), stored.mood, stored.connection, stored.note, stored.is_shared) == (
        record["id"],
        4,
        5,
        "Long walk",
        True,
    )
