"""GET/POST /rituals, GET/PATCH/DELETE /rituals/{id}, GET /rituals/{id}/occurrences."""

import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
import time_machine

from accounts.models import User
from couples.models import Couple
from notifications.models import ReminderSchedule
from rituals.models import Completion, Ritual, RitualTemplate
from rituals.services.streaks import streak_checkpoints_refresh
from tests.concurrency import race
from tests.conftest import AppClient
from tests.factories import UserFactory, pair

CUSTOM = {"title": "Date night", "category": "date_night", "rrule": "FREQ=WEEKLY;BYDAY=SU", "local_time": "19:00"}


def make_ritual(couple: Couple, by: User | None = None, **fields: Any) -> Ritual:
    """A ritual of `couple` written straight to the database (the API is what the tests exercise)."""
    values: dict[str, Any] = {
        "title": "Date night",
        "category": "date_night",
        "rrule": "FREQ=WEEKLY;BYDAY=SU",
        "start_date": date(2025, 1, 1),
        "local_time": time(19),
        "time_zone": "Europe/Berlin",
        **fields,
    }
    return Ritual.objects.create(couple=couple, created_by=by, **values)


def make_template(**fields: Any) -> RitualTemplate:
    values: dict[str, Any] = {
        "slug": f"t-{uuid.uuid4().hex[:8]}",
        "title": "Six-second kiss",
        "description": "Kiss for six seconds when you part and when you meet.",
        "why_it_helps": "Long enough to feel it.",
        "category": "affection",
        "suggested_rrule": "FREQ=DAILY",
        "suggested_time": time(7, 30),
        "duration_minutes": 1,
        "is_joint": True,
        "is_published": True,
        **fields,
    }
    return RitualTemplate.objects.create(**values)


def field_codes(response: Any) -> dict[str, list[str]]:
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    return {name: [item["code"] for item in items] for name, items in error["fields"].items()}


# Create --------------------------------------------------------------------------------------------


@time_machine.travel(datetime(2026, 3, 10, 23, 30, tzinfo=UTC), tick=False)
def test_create_a_custom_ritual(me_user, couple):
    me = AppClient().sign_in(me_user)

    response = me.post("/api/v1/rituals", {**CUSTOM, "rrule": "freq=weekly;byday=su"}, format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    ritual = Ritual.objects.get(pk=body["id"])
    assert ritual.couple == couple
    assert ritual.created_by == me_user
    assert ritual.rrule == "FREQ=WEEKLY;BYDAY=SU"  # stored normalized
    assert ritual.time_zone == "Europe/Berlin"  # the creator's zone
    assert ritual.start_date == date(2026, 3, 11)  # today in Berlin (already the 11th there)
    assert body == {
        "id": str(ritual.pk),
        "template_id": None,
        "title": "Date night",
        "description": "",
        "category": "date_night",
        "rrule": "FREQ=WEEKLY;BYDAY=SU",
        "start_date": "2026-03-11",
        "local_time": "19:00",
        "time_zone": "Europe/Berlin",
        "duration_minutes": 10,
        "reminder_offset_minutes": 0,
        "is_joint": True,
        "requires_both_confirmation": False,
        "status": "active",
        "grace_days": 1,
        "streak": {"current": 0, "longest": 0},
        "next_occurrence_at": "2026-03-15T18:00:00Z",
        "created_at": "2026-03-10T23:30:00Z",
        "updated_at": "2026-03-10T23:30:00Z",
    }


def test_create_with_every_field(me, couple):
    response = me.post(
        "/api/v1/rituals",
        {
            **CUSTOM,
            "description": "Phones away.",
            "start_date": "2026-04-01",
            "time_zone": "Australia/Sydney",
            "duration_minutes": 120,
            "reminder_offset_minutes": 60,
            "is_joint": True,
            "requires_both_confirmation": True,
            "grace_days": 3,
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    ritual = Ritual.objects.get(pk=response.json()["id"])
    assert (ritual.time_zone, ritual.start_date, ritual.duration_minutes) == ("Australia/Sydney", date(2026, 4, 1), 120)
    assert (ritual.reminder_offset_minutes, ritual.requires_both_confirmation, ritual.grace_days) == (60, True, 3)


def test_create_from_a_template_copies_it(me, couple):
    template = make_template()

    response = me.post("/api/v1/rituals", {"template_id": str(template.pk)}, format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["template_id"] == str(template.pk)
    assert (body["title"], body["category"], body["rrule"], body["local_time"]) == (
        "Six-second kiss",
        "affection",
        "FREQ=DAILY",
        "07:30",
    )
    assert body["description"] == template.description
    assert (body["duration_minutes"], body["is_joint"]) == (1, True)
    assert Ritual.objects.get(pk=body["id"]).template == template


def test_create_from_a_template_with_my_own_time_and_title(me, couple):
    template = make_template()

    response = me.post(
        "/api/v1/rituals",
        {"template_id": str(template.pk), "local_time": "08:15", "title": "Our kiss"},
        format="json",
    )

    assert response.status_code == 201
    assert (response.json()["title"], response.json()["local_time"], response.json()["rrule"]) == (
        "Our kiss",
        "08:15",
        "FREQ=DAILY",
    )


@pytest.mark.parametrize("published", [False, None])
def test_an_unpublished_or_unknown_template_is_a_400(me, couple, published):
    template_id = make_template(is_published=False).pk if published is False else uuid.uuid4()

    response = me.post("/api/v1/rituals", {"template_id": str(template_id)}, format="json")

    assert field_codes(response) == {"template_id": ["not_found"]}
    assert not Ritual.objects.exists()


def test_a_template_without_a_time_needs_one(me, couple):
    template = make_template(suggested_time=None)

    response = me.post("/api/v1/rituals", {"template_id": str(template.pk)}, format="json")

    assert field_codes(response) == {"local_time": ["required"]}


def test_a_custom_ritual_needs_a_title_category_rule_and_time(me, couple):
    response = me.post("/api/v1/rituals", {}, format="json")

    assert field_codes(response) == {n: ["required"] for n in ("title", "category", "rrule", "local_time")}


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"rrule": "FREQ=YEARLY"}, "rrule", "invalid_rrule"),
        ({"rrule": "FREQ=DAILY;BYHOUR=7"}, "rrule", "invalid_rrule"),
        ({"rrule": "DTSTART:20260101T000000Z\nRRULE:FREQ=DAILY"}, "rrule", "invalid_rrule"),
        ({"rrule": "FREQ=DAILY;COUNT=3;UNTIL=20270101"}, "rrule", "invalid_rrule"),
        ({"rrule": "x" * 201}, "rrule", "max_length"),
        ({"rrule": "FREQ=DAILY;UNTIL=20200101", "start_date": "2026-01-01"}, "rrule", "never_occurs"),
        ({"rrule": "FREQ=DAILY;INTERVAL=7;BYDAY=MO", "start_date": "2026-01-01"}, "rrule", "never_occurs"),
        ({"time_zone": "Mars/Olympus"}, "time_zone", "invalid_time_zone"),
        ({"time_zone": "+02:00"}, "time_zone", "invalid_time_zone"),
        ({"local_time": "25:00"}, "local_time", "invalid"),
        ({"local_time": "7pm"}, "local_time", "invalid"),
        ({"local_time": "19:00:00.123456"}, "local_time", "invalid"),
        ({"start_date": "2026-02-30"}, "start_date", "invalid"),
        ({"start_date": "1900-01-01"}, "start_date", "out_of_range"),
        ({"category": "yoga"}, "category", "invalid_choice"),
        ({"title": ""}, "title", "blank"),
        ({"duration_minutes": 0}, "duration_minutes", "min_value"),
        ({"duration_minutes": 24 * 60 + 1}, "duration_minutes", "max_value"),
        ({"reminder_offset_minutes": -5}, "reminder_offset_minutes", "min_value"),
        ({"grace_days": 8}, "grace_days", "max_value"),
        ({"is_joint": False, "requires_both_confirmation": True}, "requires_both_confirmation", "requires_joint"),
        ({"id": "not-a-uuid"}, "id", "invalid"),
    ],
)
def test_invalid_input_is_a_400_naming_the_field(me, couple, change, field, code):
    response = me.post("/api/v1/rituals", {**CUSTOM, **change}, format="json")

    assert field_codes(response) == {field: [code]}
    assert not Ritual.objects.exists()


def test_every_invalid_field_is_reported_at_once(me, couple):
    response = me.post(
        "/api/v1/rituals",
        {**CUSTOM, "rrule": "FREQ=YEARLY;BYHOUR=7", "local_time": "7pm", "time_zone": "Mars/Olympus"},
        format="json",
    )

    assert field_codes(response) == {
        "rrule": ["invalid_rrule"],
        "local_time": ["invalid"],
        "time_zone": ["invalid_time_zone"],
    }


def test_an_unpaired_user_cannot_create_or_list(loner):
    assert loner.post("/api/v1/rituals", CUSTOM, format="json").json()["error"]["code"] == "not_paired"
    assert loner.get("/api/v1/rituals").status_code == 404
    assert not Ritual.objects.exists()


def test_mass_assignment_is_ignored_on_create(me, couple, stranger_user):
    other_couple = Couple.objects.get(memberships__user=stranger_user)
    response = me.post(
        "/api/v1/rituals",
        {
            **CUSTOM,
            "couple": str(other_couple.pk),
            "couple_id": str(other_couple.pk),
            "created_by": str(stranger_user.pk),
            "deleted_at": "2026-01-01T00:00:00Z",
            "created_at": "2001-01-01T00:00:00Z",
        },
        format="json",
    )

    assert response.status_code == 201
    ritual = Ritual.objects.get(pk=response.json()["id"])
    assert (ritual.couple, ritual.created_by, ritual.deleted_at) == (couple, me.user, None)
    assert ritual.created_at.year > 2001


# Idempotent create ---------------------------------------------------------------------------------


def test_a_replayed_create_returns_the_same_ritual_with_200(me, partner, couple):
    ritual_id = str(uuid.uuid4())

    first = me.post("/api/v1/rituals", {**CUSTOM, "id": ritual_id}, format="json")
    again = me.post("/api/v1/rituals", {**CUSTOM, "id": ritual_id, "title": "Changed offline"}, format="json")
    by_partner = partner.post("/api/v1/rituals", {**CUSTOM, "id": ritual_id}, format="json")

    assert (first.status_code, again.status_code, by_partner.status_code) == (201, 200, 200)
    assert first.json()["id"] == again.json()["id"] == ritual_id
    assert again.json()["title"] == "Date night"  # a replay returns what is stored; edits go through PATCH
    assert Ritual.objects.filter(pk=ritual_id).count() == 1


def test_an_id_of_another_couple_is_a_409_that_leaks_nothing(me, couple, stranger_user):
    theirs = make_ritual(Couple.objects.get(memberships__user=stranger_user), title="Their secret ritual")

    response = me.post("/api/v1/rituals", {**CUSTOM, "id": str(theirs.pk)}, format="json")

    assert response.status_code == 409
    assert response.json() == {
        "error": {"code": "id_conflict", "message": "This id is already in use. Generate a new id and try again."}
    }
    theirs.refresh_from_db()
    assert theirs.title == "Their secret ritual"
    assert theirs.couple != couple


def test_replaying_the_create_of_a_deleted_ritual_does_not_bring_it_back(me, couple):
    ritual = make_ritual(couple, me.user)
    assert me.delete(f"/api/v1/rituals/{ritual.pk}").status_code == 204

    response = me.post("/api/v1/rituals", {**CUSTOM, "id": str(ritual.pk)}, format="json")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "ritual_deleted"
    assert Ritual.objects.get(pk=ritual.pk).deleted_at is not None


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_creates_with_one_id_make_one_ritual():
    first, second = UserFactory.create(), UserFactory.create()
    pair(first, second)
    clients = [AppClient().sign_in(first), AppClient().sign_in(second)]
    for _ in range(5):
        body = {**CUSTOM, "id": str(uuid.uuid4())}

        responses = race(*[lambda c=c, body=body: c.post("/api/v1/rituals", body, format="json") for c in clients])

        assert sorted(r.status_code for r in responses) == [200, 201]
        assert {r.json()["id"] for r in responses} == {body["id"]}
        assert Ritual.objects.filter(pk=body["id"]).count() == 1


# List and detail -----------------------------------------------------------------------------------


def test_the_list_has_the_couples_live_rituals_newest_first(me, partner, couple, stranger_user):
    older = make_ritual(couple, me.user, title="Older", created_at=datetime(2026, 1, 1, tzinfo=UTC))
    newer = make_ritual(couple, partner.user, title="Newer", created_at=datetime(2026, 2, 1, tzinfo=UTC))
    make_ritual(couple, me.user, title="Deleted", deleted_at=datetime(2026, 2, 2, tzinfo=UTC))
    make_ritual(Couple.objects.get(memberships__user=stranger_user), title="Not ours")

    for client in (me, partner):
        body = client.get("/api/v1/rituals").json()
        assert [r["id"] for r in body["results"]] == [str(newer.pk), str(older.pk)]
        assert set(body) == {"next", "previous", "results"}


def test_the_list_is_cursor_paginated(me, couple):
    for day in range(1, 6):
        make_ritual(couple, me.user, title=f"R{day}", created_at=datetime(2026, 1, day, tzinfo=UTC))

    page = me.get("/api/v1/rituals", {"page_size": 2}).json()
    titles = [r["title"] for r in page["results"]]
    while page["next"]:
        page = me.get(page["next"]).json()
        titles += [r["title"] for r in page["results"]]

    assert titles == ["R5", "R4", "R3", "R2", "R1"]


def test_listing_takes_three_queries_whatever_the_number_of_rituals(me, partner, couple, django_assert_num_queries):
    occurrence = datetime(2026, 1, 4, 18, tzinfo=UTC)
    for count in (1, 50):
        Ritual.objects.all().delete()
        for _ in range(count):
            ritual = make_ritual(couple, me.user)
            for user in (me.user, partner.user):
                Completion.objects.create(couple=couple, ritual=ritual, user=user, occurrence_at=occurrence)
        # Completions written around completion_record leave the streak checkpoints invalid: session+user
        # with membership+couple, rituals page, their completions counted per local date (one query for all)
        with django_assert_num_queries(3):
            response = me.get("/api/v1/rituals", {"page_size": 100})
        assert len(response.json()["results"]) == count


@pytest.mark.parametrize("weeks", [1, 60])
def test_listing_takes_two_queries_whatever_the_number_of_rituals_and_their_history(
    me, partner, couple, weeks, django_assert_num_queries
):
    for count in (1, 50):
        Ritual.objects.all().delete()
        for _ in range(count):
            ritual = make_ritual(couple, me.user)
            for week in range(weeks):
                for user in (me.user, partner.user):
                    occurrence = datetime(2025, 1, 5, 18, tzinfo=UTC) + timedelta(weeks=week)
                    Completion.objects.create(couple=couple, ritual=ritual, user=user, occurrence_at=occurrence)
        streak_checkpoints_refresh(ritual_ids=Ritual.objects.values_list("pk", flat=True))
        # session+user with membership+couple, rituals page (streaks are stored on the rituals)
        with django_assert_num_queries(2):
            response = me.get("/api/v1/rituals", {"page_size": 100})
        assert len(response.json()["results"]) == count
        assert response.json()["results"][0]["streak"]["longest"] == weeks


def test_rituals_whose_streak_checkpoint_is_invalid_cost_one_query_more_and_the_same_streaks(
    me, partner, couple, django_assert_num_queries
):
    for _ in range(3):
        ritual = make_ritual(couple, me.user, rrule="FREQ=DAILY", start_date=date(2026, 1, 1))
        for day in (1, 2, 4, 5, 6):
            occurrence = datetime(2026, 1, day, 18, tzinfo=UTC)
            Completion.objects.create(couple=couple, ritual=ritual, user=me.user, occurrence_at=occurrence)
    assert not Ritual.objects.filter(streak_valid=True).exists()  # written around the service
    with time_machine.travel(datetime(2026, 1, 7, 12, tzinfo=UTC), tick=False):
        client = AppClient().sign_in(me.user)
        with django_assert_num_queries(3):  # ... and the completions counted per local date, for all
            walked = client.get("/api/v1/rituals").json()["results"]
        streak_checkpoints_refresh(ritual_ids=Ritual.objects.values_list("pk", flat=True))
        with django_assert_num_queries(2):
            stored = client.get("/api/v1/rituals").json()["results"]

    assert walked == stored
    assert {r["streak"]["current"] for r in stored} == {5}  # the 3rd missed but forgiven (grace 1)


def test_detail_and_its_query_count(me, couple, django_assert_num_queries):
    ritual = make_ritual(couple, me.user)

    with django_assert_num_queries(2):  # session+user with membership+couple, ritual (streak stored on it)
        response = me.get(f"/api/v1/rituals/{ritual.pk}")

    assert response.status_code == 200
    assert response.json()["id"] == str(ritual.pk)


def test_another_couples_ritual_is_a_404(me, stranger, couple):
    ritual = make_ritual(couple, me.user)

    for method in ("get", "patch", "delete"):
        response = getattr(stranger, method)(f"/api/v1/rituals/{ritual.pk}", {"title": "Mine now"}, format="json")
        assert response.status_code == 404
        assert response.json()["error"]["code"] in {"not_found", "not_paired"}
    ritual.refresh_from_db()
    assert (ritual.title, ritual.deleted_at) == ("Date night", None)


# Update and delete ---------------------------------------------------------------------------------


def test_patch_changes_the_given_fields_and_bumps_updated_at(me, partner, couple):
    ritual = make_ritual(couple, me.user, updated_at=datetime(2026, 1, 1, tzinfo=UTC))

    response = partner.patch(
        f"/api/v1/rituals/{ritual.pk}",
        {
            "title": "Date night out",
            "rrule": "freq=weekly;byday=fr,sa",
            "local_time": "20:30",
            "time_zone": "America/New_York",
            "grace_days": 2,
            "reminder_offset_minutes": 30,
        },
        format="json",
    )

    assert response.status_code == 200, response.content
    ritual.refresh_from_db()
    assert (ritual.title, ritual.rrule, ritual.local_time) == (
        "Date night out",
        "FREQ=WEEKLY;BYDAY=FR,SA",
        time(20, 30),
    )
    assert (ritual.time_zone, ritual.grace_days, ritual.reminder_offset_minutes) == ("America/New_York", 2, 30)
    assert ritual.updated_at > datetime(2026, 1, 1, tzinfo=UTC)
    assert ritual.description == ""  # untouched
    assert response.json()["rrule"] == "FREQ=WEEKLY;BYDAY=FR,SA"


def test_patch_ignores_fields_that_are_not_editable(me, couple, stranger_user):
    ritual = make_ritual(couple, me.user)
    other = Couple.objects.get(memberships__user=stranger_user)

    response = me.patch(
        f"/api/v1/rituals/{ritual.pk}",
        {
            "id": str(uuid.uuid4()),
            "couple": str(other.pk),
            "created_by": str(stranger_user.pk),
            "deleted_at": "2026-01-01T00:00:00Z",
            "template_id": str(uuid.uuid4()),
        },
        format="json",
    )

    assert response.status_code == 200
    ritual.refresh_from_db()
    assert (ritual.couple, ritual.created_by, ritual.deleted_at, ritual.template_id) == (couple, me.user, None, None)
    assert Ritual.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"rrule": "FREQ=SECONDLY"}, "rrule", "invalid_rrule"),
        ({"rrule": "FREQ=DAILY;UNTIL=20240101"}, "rrule", "never_occurs"),
        ({"time_zone": "Europe/Berlinn"}, "time_zone", "invalid_time_zone"),
        ({"local_time": "noon"}, "local_time", "invalid"),
        ({"status": "archived"}, "status", "invalid_choice"),
        ({"requires_both_confirmation": True, "is_joint": False}, "requires_both_confirmation", "requires_joint"),
    ],
)
def test_invalid_patches_are_a_400_naming_the_field(me, couple, change, field, code):
    ritual = make_ritual(couple, me.user)

    assert field_codes(me.patch(f"/api/v1/rituals/{ritual.pk}", change, format="json")) == {field: [code]}
    assert Ritual.objects.get(pk=ritual.pk).rrule == "FREQ=WEEKLY;BYDAY=SU"


def test_a_paused_ritual_has_no_next_occurrence(me, couple):
    ritual = make_ritual(couple, me.user)

    paused = me.patch(f"/api/v1/rituals/{ritual.pk}", {"status": "paused"}, format="json").json()
    active = me.patch(f"/api/v1/rituals/{ritual.pk}", {"status": "active"}, format="json").json()

    assert (paused["status"], paused["next_occurrence_at"]) == ("paused", None)
    assert active["next_occurrence_at"] is not None


def test_delete_is_soft_and_the_ritual_vanishes_from_every_read(me, partner, couple):
    ritual = make_ritual(couple, me.user)

    assert partner.delete(f"/api/v1/rituals/{ritual.pk}").status_code == 204

    assert Ritual.objects.get(pk=ritual.pk).deleted_at is not None
    assert me.get("/api/v1/rituals").json()["results"] == []
    assert me.get(f"/api/v1/rituals/{ritual.pk}").status_code == 404
    assert me.get(f"/api/v1/rituals/{ritual.pk}/occurrences").status_code == 404
    assert me.patch(f"/api/v1/rituals/{ritual.pk}", {"title": "x"}, format="json").status_code == 404
    assert me.delete(f"/api/v1/rituals/{ritual.pk}").status_code == 404


# Occurrences ---------------------------------------------------------------------------------------


@time_machine.travel(datetime(2025, 3, 20, 12, tzinfo=UTC), tick=False)
def test_occurrences_default_to_the_next_30_days_in_the_rituals_zone(me_user, couple):
    me = AppClient().sign_in(me_user)
    ritual = make_ritual(couple, me_user)

    body = me.get(f"/api/v1/rituals/{ritual.pk}/occurrences").json()

    assert body["time_zone"] == "Europe/Berlin"
    assert (body["from"], body["to"]) == ("2025-03-19T23:00:00Z", "2025-04-18T22:00:00Z")
    assert [o["local_start"] for o in body["results"]] == [
        "2025-03-23T19:00:00+01:00",
        "2025-03-30T19:00:00+02:00",  # across the spring-forward night: still 19:00
        "2025-04-06T19:00:00+02:00",
        "2025-04-13T19:00:00+02:00",
    ]
    assert body["results"][1]["occurrence_at"] == "2025-03-30T17:00:00Z"


def test_occurrences_between_dates_include_the_last_day(me, couple):
    ritual = make_ritual(couple, me.user, rrule="FREQ=DAILY")

    body = me.get(f"/api/v1/rituals/{ritual.pk}/occurrences", {"from": "2026-01-01", "to": "2026-01-03"}).json()

    assert [o["local_date"] for o in body["results"]] == ["2026-01-01", "2026-01-02", "2026-01-03"]


def test_occurrences_between_datetimes(me, couple):
    ritual = make_ritual(couple, me.user, rrule="FREQ=DAILY")

    body = me.get(
        f"/api/v1/rituals/{ritual.pk}/occurrences",
        {"from": "2026-01-01T18:00:00Z", "to": "2026-01-03T18:00:00+00:00"},
    ).json()

    assert [o["occurrence_at"] for o in body["results"]] == ["2026-01-01T18:00:00Z", "2026-01-02T18:00:00Z"]


@pytest.mark.parametrize(
    ("query", "field", "code"),
    [
        ({"from": "2026-01-01", "to": "2027-02-05"}, "to", "range_too_long"),
        ({"from": "2026-01-05", "to": "2026-01-01"}, "to", "invalid_range"),
        ({"from": "yesterday"}, "from", "invalid"),
        ({"to": "2026-13-01"}, "to", "invalid"),
        ({"from": "9999-12-31"}, "from", "out_of_range"),
        ({"from": "0001-01-01T00:00:00Z"}, "from", "out_of_range"),
    ],
)
def test_bad_occurrence_windows_are_a_400_naming_the_field(me, couple, query, field, code):
    ritual = make_ritual(couple, me.user)

    assert field_codes(me.get(f"/api/v1/rituals/{ritual.pk}/occurrences", query)) == {field: [code]}


def test_a_400_day_window_is_allowed(me, couple):
    ritual = make_ritual(couple, me.user, rrule="FREQ=DAILY")

    response = me.get(f"/api/v1/rituals/{ritual.pk}/occurrences", {"from": "2026-01-01", "to": "2027-02-04"})

    assert response.status_code == 200
    assert len(response.json()["results"]) == 400


def test_occurrences_show_each_partners_completion(me, partner, couple):
    ritual = make_ritual(couple, me.user, rrule="FREQ=DAILY", requires_both_confirmation=True)
    first, second = datetime(2026, 1, 1, 18, tzinfo=UTC), datetime(2026, 1, 2, 18, tzinfo=UTC)
    mine = Completion.objects.create(
        couple=couple, ritual=ritual, user=me.user, occurrence_at=first, note="lovely", connection_rating=5
    )
    theirs = Completion.objects.create(couple=couple, ritual=ritual, user=partner.user, occurrence_at=first, note="x")
    only_theirs = Completion.objects.create(couple=couple, ritual=ritual, user=partner.user, occurrence_at=second)

    results = me.get(f"/api/v1/rituals/{ritual.pk}/occurrences", {"from": "2026-01-01", "to": "2026-01-03"}).json()[
        "results"
    ]

    assert results[0]["done"] is True
    assert results[0]["me"] == {
        "completed": True,
        "completion_id": str(mine.pk),
        "completed_at": mine.created_at.isoformat().replace("+00:00", "Z"),
        "note": "lovely",
        "connection_rating": 5,
    }
    # The partner's note and rating are theirs: only the fact and the id.
    assert set(results[0]["partner"]) == {"completed", "completion_id", "completed_at"}
    assert results[0]["partner"]["completion_id"] == str(theirs.pk)
    assert results[1]["done"] is False  # both must confirm
    assert results[1]["me"]["completed"] is False
    assert results[1]["partner"]["completion_id"] == str(only_theirs.pk)
    assert results[2]["me"] == {
        "completed": False,
        "completion_id": None,
        "completed_at": None,
        "note": None,
        "connection_rating": None,
    }


def test_occurrences_take_three_queries_whatever_the_window(me, partner, couple, django_assert_num_queries):
    ritual = make_ritual(couple, me.user, rrule="FREQ=DAILY")
    for day in range(1, 29):
        for user in (me.user, partner.user):
            Completion.objects.create(
                couple=couple, ritual=ritual, user=user, occurrence_at=datetime(2026, 2, day, 18, tzinfo=UTC)
            )

    for window in ({"from": "2026-02-01", "to": "2026-02-01"}, {"from": "2026-01-01", "to": "2027-01-31"}):
        with django_assert_num_queries(3):  # session+user with membership+couple, ritual, completions
            assert me.get(f"/api/v1/rituals/{ritual.pk}/occurrences", window).status_code == 200


def test_the_streak_survives_moving_the_time_of_day(me, couple):
    ritual = make_ritual(couple, me.user, rrule="FREQ=DAILY", grace_days=0)
    with time_machine.travel(datetime(2026, 1, 3, 20, tzinfo=UTC), tick=False):
        me.sign_in(me.user)
        for day in (1, 2, 3):
            Completion.objects.create(
                couple=couple, ritual=ritual, user=me.user, occurrence_at=datetime(2026, 1, day, 18, tzinfo=UTC)
            )
        assert me.get(f"/api/v1/rituals/{ritual.pk}").json()["streak"] == {"current": 3, "longest": 3}

        moved = me.patch(f"/api/v1/rituals/{ritual.pk}", {"local_time": "20:00"}, format="json").json()

    assert moved["streak"] == {"current": 3, "longest": 3}
    assert moved["local_time"] == "20:00"


def test_dates_resolve_in_the_rituals_zone_not_the_requesters(partner, couple):
    # The partner is in New York; a Berlin ritual's "2026-01-02" is the Berlin day.
    ritual = make_ritual(couple, partner.user, rrule="FREQ=DAILY", local_time=time(0, 30))

    body = partner.get(f"/api/v1/rituals/{ritual.pk}/occurrences", {"from": "2026-01-02", "to": "2026-01-02"}).json()

    assert [o["occurrence_at"] for o in body["results"]] == ["2026-01-01T23:30:00Z"]
    assert body["results"][0]["local_start"] == "2026-01-02T00:30:00+01:00"


def test_start_date_bounds_are_kept(me, couple):
    ritual = make_ritual(couple, me.user, rrule="FREQ=DAILY", start_date=date(2026, 1, 10))

    body = me.get(f"/api/v1/rituals/{ritual.pk}/occurrences", {"from": "2026-01-01", "to": "2026-01-11"}).json()

    assert [o["local_date"] for o in body["results"]] == ["2026-01-10", "2026-01-11"]


# Reminders follow the ritual --------------------------------------------------------------------


@time_machine.travel(datetime(2026, 3, 10, 12, tzinfo=UTC), tick=False)
def test_the_next_reminder_follows_create_update_pause_and_delete(me_user, couple):
    me = AppClient().sign_in(me_user)
    body = {**CUSTOM, "reminder_offset_minutes": 30}
    ritual_id = me.post("/api/v1/rituals", body, format="json").json()["id"]

    schedule = ReminderSchedule.objects.get(ritual_id=ritual_id)
    assert (schedule.occurrence_at, schedule.fire_at) == (
        datetime(2026, 3, 15, 18, tzinfo=UTC),
        datetime(2026, 3, 15, 17, 30, tzinfo=UTC),
    )

    me.patch(f"/api/v1/rituals/{ritual_id}", {"local_time": "19:30", "time_zone": "Asia/Kolkata"}, format="json")
    schedule.refresh_from_db()
    assert schedule.occurrence_at == datetime(2026, 3, 15, 14, tzinfo=UTC)

    me.patch(f"/api/v1/rituals/{ritual_id}", {"status": "paused"}, format="json")
    assert not ReminderSchedule.objects.filter(ritual_id=ritual_id).exists()

    me.patch(f"/api/v1/rituals/{ritual_id}", {"status": "active"}, format="json")
    assert ReminderSchedule.objects.filter(ritual_id=ritual_id).exists()

    me.delete(f"/api/v1/rituals/{ritual_id}")
    assert not ReminderSchedule.objects.filter(ritual_id=ritual_id).exists()


@time_machine.travel(datetime(2026, 3, 10, 12, tzinfo=UTC), tick=False)
def test_renaming_leaves_the_reminder_alone_and_an_offset_moves_it(me_user, couple, django_assert_num_queries):
    me = AppClient().sign_in(me_user)
    ritual_id = me.post("/api/v1/rituals", CUSTOM, format="json").json()["id"]
    fire_at = ReminderSchedule.objects.get(ritual_id=ritual_id).fire_at

    # session+user with membership+couple and the partner, savepoint, ritual locked (the 404 rule
    # too), update, release, + 1 for sync (the counter bump with the state upsert; who holds it is
    # the couple authentication loaded): no reminder query.
    with django_assert_num_queries(6):
        renamed = me.patch(f"/api/v1/rituals/{ritual_id}", {"title": "Our walk", "description": "Slow"}, format="json")
    assert renamed.status_code == 200
    assert ReminderSchedule.objects.get(ritual_id=ritual_id).fire_at == fire_at

    me.patch(f"/api/v1/rituals/{ritual_id}", {"reminder_offset_minutes": 45}, format="json")
    assert ReminderSchedule.objects.get(ritual_id=ritual_id).fire_at == fire_at - timedelta(minutes=45)
