"""POST /rituals/{id}/completions: idempotent, once per occurrence and partner, streaks."""

import uuid
from datetime import UTC, date, datetime, time

import pytest
import time_machine

from couples.models import Couple
from notifications.models import Notification
from rituals.models import Completion, Ritual
from tests.conftest import AppClient
from tests.factories import UserFactory, pair
from tests.rituals.test_api_rituals import field_codes, make_ritual, race

NOW = datetime(2026, 3, 15, 20, tzinfo=UTC)  # Sunday 21:00 in Berlin
SUNDAY = "2026-03-15T18:00:00Z"  # that Sunday's 19:00 Berlin occurrence
LAST_SUNDAY = "2026-03-08T18:00:00Z"


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def me(me_user):
    return AppClient().sign_in(me_user)  # signed in at NOW


@pytest.fixture
def partner(partner_user):
    return AppClient().sign_in(partner_user)


@pytest.fixture
def ritual(couple, me_user) -> Ritual:
    return make_ritual(couple, me_user, start_date=date(2026, 1, 1))


def complete(client: AppClient, ritual: Ritual, **body):
    return client.post(f"/api/v1/rituals/{ritual.pk}/completions", body, format="json")


def test_a_completion_sent_without_an_id_gets_a_time_ordered_one(me, ritual):
    response = complete(me, ritual, occurrence_at=SUNDAY)

    assert response.status_code == 201
    assert uuid.UUID(response.json()["id"]).version == 7  # config.ids.new_id


def test_completing_an_occurrence(me, partner, ritual):
    completion_id = str(uuid.uuid4())

    response = complete(me, ritual, id=completion_id, occurrence_at=SUNDAY, note="Pizza, a walk", connection_rating=5)

    assert response.status_code == 201, response.content
    assert response.json() == {
        "id": completion_id,
        "ritual_id": str(ritual.pk),
        "user_id": str(me.user.pk),
        "occurrence_at": SUNDAY,
        "note": "Pizza, a walk",
        "connection_rating": 5,
        "created_at": "2026-03-15T20:00:00Z",
    }
    completion = Completion.objects.get(pk=completion_id)
    assert (completion.ritual, completion.user, completion.couple_id) == (ritual, me.user, ritual.couple_id)
    assert completion.occurrence_at == datetime(2026, 3, 15, 18, tzinfo=UTC)


def test_the_partner_is_notified_once(me, partner, ritual):
    completion_id = str(uuid.uuid4())

    complete(me, ritual, id=completion_id, occurrence_at=SUNDAY)
    complete(me, ritual, id=completion_id, occurrence_at=SUNDAY)

    notification = Notification.objects.get()
    assert notification.recipient == partner.user
    assert notification.kind == Notification.Kind.RITUAL_COMPLETED_BY_PARTNER
    assert notification.dedupe_key == f"ritual_completed:{completion_id}"
    assert notification.data == {
        "screen": "ritual",
        "ritual_id": str(ritual.pk),
        "occurrence_at": "2026-03-15T18:00:00+00:00",
        "completion_id": completion_id,
    }
    assert "Date night" in notification.title


def test_a_replay_returns_the_same_completion_with_200(me, ritual):
    body = {"id": str(uuid.uuid4()), "occurrence_at": SUNDAY, "note": "first"}

    first = complete(me, ritual, **body)
    replay = complete(me, ritual, **{**body, "note": "sent again, changed offline"})

    assert (first.status_code, replay.status_code) == (201, 200)
    assert replay.json() == first.json()
    assert Completion.objects.count() == 1


def test_a_second_id_for_the_same_occurrence_is_a_409_naming_the_existing_one(me, ritual):
    first = complete(me, ritual, id=str(uuid.uuid4()), occurrence_at=SUNDAY).json()

    response = complete(me, ritual, id=str(uuid.uuid4()), occurrence_at=SUNDAY)

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "already_completed"
    assert response.json()["error"]["completion_id"] == first["id"]
    assert Completion.objects.count() == 1


def test_each_partner_completes_the_occurrence_once(me, partner, ritual):
    assert complete(me, ritual, occurrence_at=SUNDAY).status_code == 201
    assert complete(partner, ritual, occurrence_at=SUNDAY).status_code == 201

    assert Completion.objects.filter(ritual=ritual).count() == 2


def test_an_id_already_used_for_something_else_is_a_409(me, partner, ritual, stranger_user):
    used = str(uuid.uuid4())
    complete(me, ritual, id=used, occurrence_at=LAST_SUNDAY)
    stranger_ritual = make_ritual(Couple.objects.get(memberships__user=stranger_user), start_date=date(2026, 1, 1))
    stranger = AppClient().sign_in(stranger_user)

    other_occurrence = complete(me, ritual, id=used, occurrence_at=SUNDAY)
    other_user = complete(partner, ritual, id=used, occurrence_at=LAST_SUNDAY)
    other_couple = complete(stranger, stranger_ritual, id=used, occurrence_at=LAST_SUNDAY)

    for response in (other_occurrence, other_user, other_couple):
        assert response.status_code == 409
        assert response.json()["error"]["code"] == "id_conflict"
        assert str(ritual.pk) not in response.content.decode()
    assert Completion.objects.count() == 1


@pytest.mark.parametrize(
    "occurrence_at",
    [
        "2026-03-15T18:00:01Z",  # a second late
        "2026-03-15T19:00:00Z",  # 20:00 in Berlin
        "2026-03-14T18:00:00Z",  # a Saturday
        "2025-12-28T18:00:00Z",  # a Sunday before the start date
        "1000-01-01T00:00:00Z",
    ],
)
def test_completing_a_non_occurrence_is_a_400(me, ritual, occurrence_at):
    response = complete(me, ritual, occurrence_at=occurrence_at)

    assert field_codes(response) == {"occurrence_at": ["not_an_occurrence"]}
    assert not Completion.objects.exists()


def test_another_time_on_a_completed_day_is_still_not_an_occurrence(me, ritual):
    complete(me, ritual, occurrence_at=SUNDAY)

    assert field_codes(complete(me, ritual, occurrence_at="2026-03-15T19:00:00Z")) == {
        "occurrence_at": ["not_an_occurrence"]
    }


def test_completing_a_future_occurrence_is_a_400(me, ritual):
    response = complete(me, ritual, occurrence_at="2026-03-22T18:00:00Z")

    assert field_codes(response) == {"occurrence_at": ["occurrence_in_future"]}


def test_todays_occurrence_can_be_logged_before_it_starts(me, couple):
    ritual = make_ritual(couple, me.user, rrule="FREQ=DAILY", local_time=time(23, 30), start_date=date(2026, 1, 1))

    assert complete(me, ritual, occurrence_at="2026-03-15T22:30:00Z").status_code == 201  # 23:30 Berlin tonight
    assert field_codes(complete(me, ritual, occurrence_at="2026-03-16T22:30:00Z")) == {
        "occurrence_at": ["occurrence_in_future"]
    }


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"occurrence_at": SUNDAY, "connection_rating": 0}, "connection_rating", "min_value"),
        ({"occurrence_at": SUNDAY, "connection_rating": 6}, "connection_rating", "max_value"),
        ({"occurrence_at": SUNDAY, "note": "x" * 1001}, "note", "max_length"),
        ({"occurrence_at": "last sunday"}, "occurrence_at", "invalid"),
        ({}, "occurrence_at", "required"),
        ({"occurrence_at": SUNDAY, "id": "123"}, "id", "invalid"),
    ],
)
def test_invalid_completions_are_a_400_naming_the_field(me, ritual, body, field, code):
    assert field_codes(complete(me, ritual, **body)) == {field: [code]}


def test_another_couples_ritual_cannot_be_completed(stranger_user, ritual):
    stranger = AppClient().sign_in(stranger_user)

    response = complete(stranger, ritual, occurrence_at=SUNDAY)

    assert response.status_code == 404
    assert not Completion.objects.exists()


def test_completing_takes_a_fixed_number_of_queries(me, partner, ritual, django_assert_num_queries):
    # session+user with membership+couple and the partner, savepoint, ritual locked (the 404 rule
    # too), replay/duplicate/partner look-up, insert, streak checkpoint, notification, release (no savepoint
    # around the insert: a conflict reruns the whole write, config.db.atomic_retried_on_conflict)
    # + 1 for sync, once for the completion and the notification: the counter bump with the state
    # upsert in one statement (sync.changes.stamped_once); who holds the record is the couple
    # authentication loaded (couples.selectors.known_members).
    # + 1: the message copy of the notification (messaging.render.Copy.load).
    with django_assert_num_queries(10):
        assert complete(me, ritual, id=str(uuid.uuid4()), occurrence_at=SUNDAY).status_code == 201
    completion_id = str(uuid.uuid4())
    complete(me, ritual, id=completion_id, occurrence_at=LAST_SUNDAY)
    # A replay: session+user with membership+couple, savepoint, ritual locked, look-up, release
    with django_assert_num_queries(5):
        assert complete(me, ritual, id=completion_id, occurrence_at=LAST_SUNDAY).status_code == 200


# Concurrency ---------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_completion_replayed_concurrently_is_recorded_once():
    me_user, partner_user = UserFactory.create(), UserFactory.create()
    couple = pair(me_user, partner_user)
    ritual = make_ritual(couple, me_user, start_date=date(2026, 1, 1))
    clients = [AppClient().sign_in(me_user), AppClient().sign_in(me_user)]
    for occurrence_at in ("2026-02-15T18:00:00Z", "2026-02-22T18:00:00Z", "2026-03-01T18:00:00Z", SUNDAY):
        body = {"id": str(uuid.uuid4()), "occurrence_at": occurrence_at}

        responses = race(*[lambda c=c, body=body: complete(c, ritual, **body) for c in clients])

        assert sorted(r.status_code for r in responses) == [200, 201]
        assert {r.json()["id"] for r in responses} == {body["id"]}
    assert Completion.objects.count() == 4
    assert Notification.objects.filter(recipient=partner_user).count() == 4


@pytest.mark.django_db(transaction=True)
def test_two_ids_for_one_occurrence_at_once_give_one_completion_and_a_409():
    me_user, partner_user = UserFactory.create(), UserFactory.create()
    couple = pair(me_user, partner_user)
    ritual = make_ritual(couple, me_user, start_date=date(2026, 1, 1))
    clients = [AppClient().sign_in(me_user), AppClient().sign_in(me_user)]
    for occurrence_at in ("2026-02-15T18:00:00Z", "2026-02-22T18:00:00Z", "2026-03-01T18:00:00Z", SUNDAY):
        responses = race(*[lambda c=c, at=occurrence_at: complete(c, ritual, occurrence_at=at) for c in clients])

        assert sorted(r.status_code for r in responses) == [201, 409]
        conflict = next(r for r in responses if r.status_code == 409).json()["error"]
        created = next(r for r in responses if r.status_code == 201).json()
        assert conflict["code"] == "already_completed"
        assert conflict["completion_id"] == created["id"]
    assert Completion.objects.count() == 4


@pytest.mark.django_db(transaction=True)
def test_both_partners_confirming_at_once_count_the_occurrence_for_the_stored_streak():
    me_user, partner_user = UserFactory.create(), UserFactory.create()
    couple = pair(me_user, partner_user)
    ritual = make_ritual(couple, me_user, start_date=date(2026, 1, 1), requires_both_confirmation=True, grace_days=0)
    clients = [AppClient().sign_in(me_user), AppClient().sign_in(partner_user)]
    sundays = ("2026-02-15T18:00:00Z", "2026-02-22T18:00:00Z", "2026-03-01T18:00:00Z", "2026-03-08T18:00:00Z", SUNDAY)
    for occurrence_at in sundays:
        responses = race(*[lambda c=c, at=occurrence_at: complete(c, ritual, occurrence_at=at) for c in clients])

        assert [r.status_code for r in responses] == [201, 201]
    ritual.refresh_from_db()
    assert (ritual.streak_valid, ritual.streak_last_done, ritual.streak_running) == (True, date(2026, 3, 15), 5)
    assert clients[0].get(f"/api/v1/rituals/{ritual.pk}").json()["streak"] == {"current": 5, "longest": 5}


# Streaks -------------------------------------------------------------------------------------------


def streak(client: AppClient, ritual: Ritual) -> dict:
    return client.get(f"/api/v1/rituals/{ritual.pk}").json()["streak"]


def test_streaks_count_consecutive_completed_occurrences(me, partner, couple):
    ritual = make_ritual(couple, me.user, start_date=date(2026, 1, 1), grace_days=0)
    for at in ("2026-02-15T18:00:00Z", "2026-02-22T18:00:00Z", "2026-03-08T18:00:00Z", SUNDAY):
        complete(me, ritual, occurrence_at=at)
    complete(partner, ritual, occurrence_at="2026-03-01T18:00:00Z")  # either partner counts

    assert streak(me, ritual) == {"current": 5, "longest": 5}
    assert streak(partner, ritual) == {"current": 5, "longest": 5}


def test_a_missed_occurrence_breaks_the_streak_without_grace(me, couple):
    ritual = make_ritual(couple, me.user, start_date=date(2026, 1, 1), grace_days=0)
    for at in ("2026-02-15T18:00:00Z", "2026-02-22T18:00:00Z", "2026-03-08T18:00:00Z", SUNDAY):
        complete(me, ritual, occurrence_at=at)

    assert streak(me, ritual) == {"current": 2, "longest": 2}


def test_grace_days_forgive_a_miss_followed_by_a_completion_in_time(me, couple):
    ritual = make_ritual(couple, me.user, rrule="FREQ=DAILY", start_date=date(2026, 3, 10), grace_days=1)
    for day in (10, 11, 13, 14):  # missed the 12th
        complete(me, ritual, occurrence_at=f"2026-03-{day}T18:00:00Z")

    assert streak(me, ritual) == {"current": 4, "longest": 4}
    assert me.patch(f"/api/v1/rituals/{ritual.pk}", {"grace_days": 0}, format="json").json()["streak"] == {
        "current": 2,
        "longest": 2,
    }


def test_todays_occurrence_in_progress_does_not_break_the_streak(me, couple):
    ritual = make_ritual(
        couple, me.user, rrule="FREQ=DAILY", local_time=time(22, 30), start_date=date(2026, 3, 12), grace_days=0
    )
    for day in (12, 13, 14):
        complete(me, ritual, occurrence_at=f"2026-03-{day}T21:30:00Z")

    assert streak(me, ritual) == {"current": 3, "longest": 3}  # tonight's 22:30 is still to come


def test_a_joint_ritual_requiring_both_counts_only_occurrences_both_confirmed(me, partner, couple):
    ritual = make_ritual(couple, me.user, start_date=date(2026, 3, 1), grace_days=0, requires_both_confirmation=True)
    for at in ("2026-03-01T18:00:00Z", "2026-03-08T18:00:00Z", SUNDAY):
        complete(me, ritual, occurrence_at=at)
    complete(partner, ritual, occurrence_at="2026-03-01T18:00:00Z")

    assert streak(me, ritual) == {"current": 0, "longest": 1}  # the 8th misses the partner: broken
    occurrences = me.get(f"/api/v1/rituals/{ritual.pk}/occurrences", {"from": "2026-03-01", "to": "2026-03-15"})
    assert [o["done"] for o in occurrences.json()["results"]] == [True, False, False]

    complete(partner, ritual, occurrence_at="2026-03-08T18:00:00Z")
    assert streak(me, ritual) == {"current": 2, "longest": 2}  # today's is still in progress
    complete(partner, ritual, occurrence_at=SUNDAY)
    assert streak(partner, ritual) == {"current": 3, "longest": 3}


def test_a_completion_recorded_for_a_paused_ritual_still_counts(me, couple):
    ritual = make_ritual(couple, me.user, start_date=date(2026, 3, 1), status=Ritual.Status.PAUSED)

    assert complete(me, ritual, occurrence_at=LAST_SUNDAY).status_code == 201


def test_after_moving_the_time_a_completed_day_stays_completed(me, ritual):
    done = complete(me, ritual, occurrence_at=SUNDAY).json()
    me.patch(f"/api/v1/rituals/{ritual.pk}", {"local_time": "20:00"}, format="json")

    occurrence = me.get(f"/api/v1/rituals/{ritual.pk}/occurrences", {"from": "2026-03-15", "to": "2026-03-15"})
    response = complete(me, ritual, occurrence_at="2026-03-15T19:00:00Z")  # the new 20:00 Berlin

    assert occurrence.json()["results"][0]["me"]["completion_id"] == done["id"]
    assert response.status_code == 409
    assert response.json()["error"]["completion_id"] == done["id"]


def test_the_export_has_my_completions_with_my_notes_only(me, partner, ritual):
    complete(me, ritual, occurrence_at=SUNDAY, note="mine", connection_rating=4)
    complete(partner, ritual, occurrence_at=SUNDAY, note="the partner's private thought")

    export = me.get("/api/v1/me/export").json()

    assert [(row["note"], row["connection_rating"]) for row in export["ritual_completions"]] == [("mine", 4)]
    assert export["ritual_completions"][0]["ritual_title"] == "Date night"
    assert "private thought" not in str(export)
