"""GET sync/pull: first sync, incremental pulls, tombstones, privacy, unpair, query counts."""

import json
import uuid
from datetime import date, time

import pytest
from django.utils import timezone

from notifications.models import Notification
from rituals.models import CheckIn, Completion, Ritual
from sync.models import SyncState

pytestmark = pytest.mark.django_db
PULL = "/api/v1/sync/pull"
TABLES = {
    "rituals",
    "ritual_completions",
    "goals",
    "check_ins",
    "nudges",
    "daily_prompts",
    "prompt_answers",
    "notifications",
    "weekly_reports",
    "weekly_reflections",
    "partner_profiles",
    "date_plans",
    "date_memories",
}


def pull(client, cursor=None):
    url = PULL if cursor is None else f"{PULL}?last_pulled_at={cursor}"
    response = client.get(url)
    assert response.status_code == 200, response.content
    return response.json()


def ids(body, table, part):
    return {record if isinstance(record, str) else record["id"] for record in body["changes"][table][part]}


def make_ritual(client, **extra):
    body = {"title": "Date night", "category": "date_night", "rrule": "FREQ=WEEKLY;BYDAY=SU", "local_time": "19:00"}
    response = client.post("/api/v1/rituals", {**body, **extra})
    assert response.status_code == 201, response.content
    return response.json()


def test_the_first_pull_returns_everything_the_user_may_hold(me, partner, couple):
    ritual = make_ritual(me)

    body = pull(me)

    assert set(body["changes"]) == TABLES
    assert ids(body, "rituals", "updated") == {ritual["id"]}
    assert ids(body, "partner_profiles", "updated") == {str(partner.user.id)}
    raw = body["changes"]["rituals"]["updated"][0]
    assert raw["local_time"] == "19:00:00"
    assert isinstance(raw["created_at"], int)
    assert isinstance(body["timestamp"], int)


def test_an_incremental_pull_returns_only_what_changed_since_the_cursor(me, partner, couple):
    old = make_ritual(me)
    cursor = pull(me)["timestamp"]
    new = make_ritual(partner, title="Six-second kiss")

    body = pull(me, cursor)

    assert ids(body, "rituals", "updated") == {new["id"]}
    assert old["id"] not in ids(body, "rituals", "updated")
    assert body["timestamp"] > cursor
    assert all(not part for table in body["changes"].values() for part in table.values()) is False
    # Nothing new: an empty pull with the same cursor.
    again = pull(me, body["timestamp"])
    assert again["timestamp"] == body["timestamp"]
    assert all(not part for table in again["changes"].values() for part in table.values())


def test_deleting_a_ritual_sends_a_tombstone_with_its_completions(me, partner, couple):
    ritual = make_ritual(me, rrule="FREQ=DAILY", start_date="2026-01-01")
    completion = Completion.objects.create(
        couple=couple, ritual_id=ritual["id"], user=me.user, occurrence_at="2026-01-01T18:00:00Z"
    )
    cursor = pull(partner)["timestamp"]

    assert me.delete(f"/api/v1/rituals/{ritual['id']}").status_code == 204
    body = pull(partner, cursor)

    assert ritual["id"] in ids(body, "rituals", "deleted")
    assert str(completion.id) in ids(body, "ritual_completions", "deleted")


def test_the_partners_private_check_ins_and_completion_notes_never_appear(me, partner, couple):
    CheckIn.objects.create(
        user=partner.user, couple=couple, mood=2, connection=2, note="secret", local_date=date(2026, 11, 23)
    )
    shared = CheckIn.objects.create(
        user=partner.user,
        couple=couple,
        mood=4,
        connection=5,
        note="shared note",
        is_shared=True,
        local_date=date(2026, 11, 23),
    )
    ritual = Ritual.objects.create(
        couple=couple,
        title="t",
        category="affection",
        rrule="FREQ=DAILY",
        start_date=date(2026, 1, 1),
        local_time=time(8),
        time_zone="UTC",
    )
    Completion.objects.create(
        couple=couple,
        ritual=ritual,
        user=partner.user,
        occurrence_at="2026-01-01T08:00:00Z",
        note="so tired",
        connection_rating=2,
    )

    body = pull(me)

    assert ids(body, "check_ins", "updated") == {str(shared.id)}
    assert "secret" not in str(body)
    completion = body["changes"]["ritual_completions"]["updated"][0]
    assert completion["note"] == ""
    assert completion["connection_rating"] is None


def test_unsharing_a_check_in_removes_it_from_the_partners_phone(me, partner, couple):
    response = partner.post("/api/v1/check-ins", {"mood": 4, "connection": 4, "is_shared": True})
    check_in = CheckIn.objects.get(id=response.json()["id"])
    cursor = pull(me)["timestamp"]
    assert str(check_in.id) in ids(pull(me), "check_ins", "updated")

    check_in.is_shared = False
    check_in.save()

    assert str(check_in.id) in ids(pull(me, cursor), "check_ins", "deleted")
    assert str(check_in.id) in ids(pull(partner, 0), "check_ins", "updated")


def test_after_unpair_shared_records_leave_both_phones_and_personal_ones_stay(me, partner, couple):
    ritual = make_ritual(me)
    mine = me.post("/api/v1/check-ins", {"mood": 3, "connection": 3, "is_shared": True}).json()
    my_cursor, partner_cursor = pull(me)["timestamp"], pull(partner)["timestamp"]

    assert partner.post("/api/v1/couple/unpair", {"confirm": True}).status_code == 204

    for client, cursor, other in ((me, my_cursor, partner), (partner, partner_cursor, me)):
        body = pull(client, cursor)
        assert ritual["id"] in ids(body, "rituals", "deleted")
        assert str(other.user.id) in ids(body, "partner_profiles", "deleted")
    assert mine["id"] in ids(pull(partner, partner_cursor), "check_ins", "deleted")
    # My own check-in is still mine: a fresh pull of mine has it, the ex-partner's has not.
    assert mine["id"] in ids(pull(me), "check_ins", "updated")
    assert not ids(pull(partner), "rituals", "updated")


def test_nothing_of_another_couple_ever_appears(me, partner, couple, stranger):
    make_ritual(stranger)
    stranger.post("/api/v1/check-ins", {"mood": 3, "connection": 3, "is_shared": True})

    body = pull(me)

    assert not ids(body, "rituals", "updated")
    assert not ids(body, "check_ins", "updated")
    assert str(stranger.user.id) not in str(body)


def test_a_cursor_from_the_future_or_a_wrong_schema_is_a_clear_400(me):
    for url in (
        f"{PULL}?last_pulled_at=999999",
        f"{PULL}?last_pulled_at=-1",
        f"{PULL}?last_pulled_at=abc",
        f"{PULL}?schema_version=99",
    ):
        response = me.get(url)
        assert response.status_code == 400, url
        assert response.json()["error"]["code"] in {"invalid_cursor", "validation_error", "unsupported_schema_version"}


@pytest.mark.parametrize("history", [1, 40])
def test_an_incremental_pull_costs_the_same_whatever_the_untouched_history(
    me, partner, couple, history, django_assert_num_queries
):
    for index in range(history):
        make_ritual(me, title=f"ritual {index}")
    cursor = pull(me)["timestamp"]
    make_ritual(partner, title="the one change")
    # session+user (with the membership and couple the scoping reads), the counter with the states in
    # the version range (one statement), then one query per changed table (rituals).
    with django_assert_num_queries(3):
        body = pull(me, cursor)
    assert len(body["changes"]["rituals"]["updated"]) == 1


def test_changed_notifications_are_one_query_whatever_their_number(me, couple, django_assert_num_queries):
    cursor = pull(me)["timestamp"]
    for index in range(3):
        Notification.objects.create(
            recipient=me.user, kind="nudge", title=f"hi {index}", body="b", data={"n": index}, dedupe_key=f"k{index}"
        )
    # session+user, the counter with the states, the notifications (an entry's columns: no deferred
    # column is loaded per row)
    with django_assert_num_queries(3):
        body = pull(me, cursor)
    updated = sorted(body["changes"]["notifications"]["updated"], key=lambda raw: raw["title"])
    assert [(raw["title"], raw["data"], raw["read_at"]) for raw in updated] == [
        (f"hi {index}", f'{{"n": {index}}}', None) for index in range(3)
    ]
    assert set(updated[0]) == {"id", "kind", "title", "body", "data", "created_at", "read_at"}


def test_an_empty_incremental_pull_is_two_queries(me, partner, couple, django_assert_num_queries):
    for index in range(20):
        make_ritual(me, title=f"ritual {index}")
    cursor = pull(me)["timestamp"]
    with django_assert_num_queries(2):  # session+user, the counter with the states in range (none)
        pull(me, cursor)


def test_record_ids_are_client_uuids_and_a_replayed_create_is_a_no_op(me, partner, couple):
    ritual_id = str(uuid.uuid4())
    first = me.post(
        "/api/v1/rituals",
        {"id": ritual_id, "title": "t", "category": "affection", "rrule": "FREQ=DAILY", "local_time": "08:00"},
    )
    again = me.post(
        "/api/v1/rituals",
        {"id": ritual_id, "title": "t", "category": "affection", "rrule": "FREQ=DAILY", "local_time": "08:00"},
    )
    assert (first.status_code, again.status_code) == (201, 200)
    assert Ritual.objects.filter(id=ritual_id).count() == 1


@pytest.mark.parametrize("reader", ["me", "partner", "stranger"])
def test_changed_completions_and_notifications_come_as_the_reader_may_see_them(me, partner, couple, stranger, reader):
    """The partner's note and rating hidden, a deleted ritual's completions gone, nothing of another
    couple, only the reader's own notifications."""
    clients = {"me": me, "partner": partner, "stranger": stranger}
    kept, gone = (
        Ritual.objects.create(
            couple=couple,
            title=title,
            category="affection",
            rrule="FREQ=DAILY",
            start_date=date(2026, 1, 1),
            local_time=time(8),
            time_zone="UTC",
        )
        for title in ("kept", "gone")
    )
    cursor = pull(clients[reader])["timestamp"]
    for ritual in (kept, gone):
        for user, note in ((me.user, "mine"), (partner.user, "theirs")):
            Completion.objects.create(
                couple=couple,
                ritual=ritual,
                user=user,
                occurrence_at="2026-01-01T08:00:00Z",
                note=note,
                connection_rating=4,
            )
    for client in clients.values():
        Notification.objects.create(
            recipient=client.user,
            kind="nudge",
            title="hi",
            body="b",
            data={"a": [1, None]},
            dedupe_key=str(uuid.uuid4()),
        )
    Ritual.objects.filter(pk=gone.pk).update(deleted_at=timezone.now())

    body = pull(clients[reader], cursor)
    assert len(body["changes"]["notifications"]["updated"]) == 1
    completions = body["changes"]["ritual_completions"]["updated"]
    assert len(completions) == (0 if reader == "stranger" else 2)
    own = {"me": me.user, "partner": partner.user}.get(reader)
    for completion in completions:  # only the reader's own words and rating cross over
        mine = completion["user_id"] == str(own.pk) if own else False
        assert (completion["note"], completion["connection_rating"]) == (
            ("mine" if reader == "me" else "theirs", 4) if mine else ("", None)
        )


@pytest.mark.parametrize("value", ["7", "07", "7.0", "+7", " 7", "\u0667", "0"])
def test_a_cursor_reads_as_the_query_serializer_reads_it(me, partner, couple, value):
    """The view skips `SyncPullQuerySerializer` for plain digits; any other spelling still goes
    through it, so every spelling means what it meant (compared with `schema_version=1`, which
    always takes the serializer)."""
    for index in range(8):
        make_ritual(me, title=f"ritual {index}")
    plain = me.get(f"{PULL}?last_pulled_at={value}")
    through_serializer = me.get(f"{PULL}?last_pulled_at={value}&schema_version=1")
    assert plain.status_code == through_serializer.status_code == 200
    assert plain.json()["changes"] == through_serializer.json()["changes"]


@pytest.mark.parametrize("value", ["999999999", str(2**63), str(10**40), "-1", "abc", "1" * 1001, "7e3"])
def test_a_bad_cursor_is_a_400(me, partner, couple, value):
    response = me.get(f"{PULL}?last_pulled_at={value}")
    assert response.status_code == 400
    assert response.json()["error"]["code"] in {"invalid_cursor", "validation_error"}


def test_a_cursor_below_the_purged_tombstones_gets_everything_to_replace_what_the_phone_holds(me, partner, couple):
    from accounts.models import TombstoneWatermark

    kept = make_ritual(me, title="kept")
    gone = make_ritual(me, title="gone")
    old_cursor = pull(me)["timestamp"]
    assert me.delete(f"/api/v1/rituals/{gone['id']}").status_code == 204
    current = pull(me)["timestamp"]
    # The retention purge deleted the tombstones up to `current` (accounts.services.retention).
    SyncState.objects.filter(user=me.user, deleted=True).delete()
    TombstoneWatermark.objects.create(user=me.user, version=current, recorded_at=timezone.now(), purged_through=current)

    body = pull(me, old_cursor)

    assert body["experimental_strategy"] == "replacement"
    assert ids(body, "rituals", "updated") == {kept["id"]}  # the phone drops what is not named
    assert "experimental_strategy" not in pull(me, current)  # a cursor at the horizon is fine


def test_goals_pull_with_the_live_rituals_the_api_shows(me, partner, couple, django_assert_num_queries):
    """A pull's `ritual_ids` is the REST goal's list (live linked rituals), for a full pull and for
    several goals changed at once (rituals.selectors.goals loads their links together)."""
    kept, other, deleted = make_ritual(me), make_ritual(me, title="Walk"), make_ritual(me, title="Gone")
    cursor = pull(partner)["timestamp"]
    goals = []
    for title, links in (("Lisbon", [kept, deleted]), ("Walks", [other, kept]), ("Alone", [])):
        response = me.post("/api/v1/goals", {"title": title, "ritual_ids": [r["id"] for r in links]})
        assert response.status_code == 201, response.content
        goals.append(response.json()["id"])
    assert me.delete(f"/api/v1/rituals/{deleted['id']}").status_code == 204

    api = {goal_id: me.get(f"/api/v1/goals/{goal_id}").json()["ritual_ids"] for goal_id in goals}
    assert api[goals[0]] == [kept["id"]]
    assert sorted(api[goals[1]]) == sorted([other["id"], kept["id"]])
    assert api[goals[2]] == []
    # session+user, the counter with the states, the goals, all their links (one query), the
    # partner's notifications of the proposals; the deleted ritual is a tombstone (no query).
    with django_assert_num_queries(5):
        incremental = pull(partner, cursor)
    for body in (incremental, pull(partner)):
        pulled = {raw["id"]: json.loads(raw["ritual_ids"]) for raw in body["changes"]["goals"]["updated"]}
        assert {goal_id: sorted(links) for goal_id, links in pulled.items()} == {
            goal_id: sorted(links) for goal_id, links in api.items()
        }
