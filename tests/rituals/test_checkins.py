"""Check-ins: scores, privacy of notes (API, summary, export, admin), idempotent creates, summaries."""

import uuid
from datetime import UTC, date, datetime
from typing import Any

import pytest
import time_machine
from django.test import Client

from accounts.models import User
from couples.services import couple_unpair
from rituals.models import CheckIn
from rituals.services.checkins import checkin_create
from tests.concurrency import race
from tests.conftest import AppClient
from tests.factories import UserFactory, pair

CHECK_INS = "/api/v1/check-ins"
SUMMARY = "/api/v1/check-ins/summary"
PRIVATE_NOTE = "private-note-only-for-me"
SHARED_NOTE = "shared-note-for-us-both"


def _error(response: Any) -> tuple[int, str]:
    return response.status_code, response.json()["error"]["code"]


def _check_in(user: User, at: str, mood: int, connection: int, *, shared: bool = False, note: str = "") -> CheckIn:
    """A check-in recorded at the UTC instant `at`, the way the API records it then."""
    with time_machine.travel(datetime.fromisoformat(at).replace(tzinfo=UTC), tick=False):
        check_in, _ = checkin_create(user=user, mood=mood, connection=connection, note=note, is_shared=shared)
    return check_in


# Creating ---------------------------------------------------------------------------------------


def test_a_check_in_is_recorded_on_the_authors_own_date(me, partner, couple):
    # 23:30 UTC on Sunday 9 March is already Monday in Berlin and still Sunday in New York.
    with time_machine.travel(datetime(2025, 3, 9, 23, 30, tzinfo=UTC), tick=False):
        me.sign_in(me.user)
        partner.sign_in(partner.user)
        mine = me.post(CHECK_INS, {"mood": 4, "connection": 5, "note": "good day", "is_shared": True})
        theirs = partner.post(CHECK_INS, {"mood": 2, "connection": 3})

    assert mine.status_code == 201
    row = CheckIn.objects.get(pk=mine.json()["id"])
    assert mine.json() == {
        "id": str(row.pk),
        "author": {"role": "me", "id": str(me.user.pk)},
        "mood": 4,
        "connection": 5,
        "note": "good day",
        "is_shared": True,
        "local_date": "2025-03-10",
        "created_at": "2025-03-09T23:30:00Z",
    }
    assert (row.user_id, row.couple_id, row.local_date) == (me.user.pk, couple.pk, date(2025, 3, 10))
    assert theirs.json()["local_date"] == "2025-03-09"
    assert theirs.json()["is_shared"] is False  # private unless said otherwise


def test_an_unpaired_user_checks_in_too(loner):
    response = loner.post(CHECK_INS, {"mood": 3, "connection": 3})

    assert response.status_code == 201
    assert CheckIn.objects.get().couple_id is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"connection": 3}, "mood"),
        ({"mood": 0, "connection": 3}, "mood"),
        ({"mood": 6, "connection": 3}, "mood"),
        ({"mood": 2.5, "connection": 3}, "mood"),
        ({"mood": "great", "connection": 3}, "mood"),
        ({"mood": None, "connection": 3}, "mood"),
        ({"mood": True, "connection": 3}, "mood"),
        ({"mood": 3}, "connection"),
        ({"mood": 3, "connection": 0}, "connection"),
        ({"mood": 3, "connection": 6}, "connection"),
        ({"mood": 3, "connection": 3, "note": "x" * 2001}, "note"),
        ({"mood": 3, "connection": 3, "is_shared": "maybe"}, "is_shared"),
        ({"mood": 3, "connection": 3, "id": "not-a-uuid"}, "id"),
    ],
)
def test_invalid_check_ins_are_400s_naming_the_field(me, body, field):
    response = me.post(CHECK_INS, body)

    assert _error(response) == (400, "validation_error")
    assert list(response.json()["error"]["fields"]) == [field]
    assert not CheckIn.objects.exists()


def test_the_service_refuses_scores_out_of_range_too(me_user):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as raised:
        checkin_create(user=me_user, mood=7, connection=0)
    assert set(raised.value.message_dict) == {"mood", "connection"}


def test_a_replayed_check_in_returns_the_first_one(me):
    check_in_id = str(uuid.uuid4())
    first = me.post(CHECK_INS, {"id": check_in_id, "mood": 4, "connection": 4, "note": "first"})
    replay = me.post(CHECK_INS, {"id": check_in_id, "mood": 1, "connection": 1, "note": "second"})

    assert (first.status_code, replay.status_code) == (201, 200)
    assert replay.json() == first.json()
    assert list(CheckIn.objects.values_list("id", "mood", "note")) == [(uuid.UUID(check_in_id), 4, "first")]


@pytest.mark.django_db(transaction=True)
def test_a_check_in_replayed_concurrently_is_recorded_once():
    me_user, partner_user = UserFactory.create(), UserFactory.create()
    pair(me_user, partner_user)
    phones = [AppClient().sign_in(me_user), AppClient().sign_in(me_user)]
    for _attempt in range(4):
        body = {"id": str(uuid.uuid4()), "mood": 4, "connection": 4, "is_shared": True}

        responses = race(*[lambda phone=phone, body=body: phone.post(CHECK_INS, body) for phone in phones])

        assert sorted(r.status_code for r in responses) == [200, 201]
        assert {r.json()["id"] for r in responses} == {body["id"]}
    assert CheckIn.objects.count() == 4


def test_an_id_of_someone_elses_check_in_is_a_conflict_that_reveals_nothing(me, partner, stranger):
    check_in_id = me.post(CHECK_INS, {"id": str(uuid.uuid4()), "mood": 4, "connection": 4, "note": PRIVATE_NOTE})
    for other in (partner, stranger):
        response = other.post(CHECK_INS, {"id": check_in_id.json()["id"], "mood": 1, "connection": 1})
        assert _error(response) == (409, "id_conflict")
        assert PRIVATE_NOTE not in response.content.decode()
    assert CheckIn.objects.get().user_id == me.user.pk


# Privacy ----------------------------------------------------------------------------------------


@pytest.fixture
def my_check_ins(me_user: User, partner_user: User) -> dict[str, CheckIn]:
    return {
        "private": _check_in(me_user, "2025-03-04T10:00", 2, 3, note=PRIVATE_NOTE),
        "shared": _check_in(me_user, "2025-03-05T10:00", 4, 5, shared=True, note=SHARED_NOTE),
    }


def test_i_see_all_mine_and_my_partner_sees_only_the_shared_ones(me, partner, stranger, my_check_ins):
    partners_own = _check_in(partner.user, "2025-03-06T10:00", 3, 3)

    mine = me.get(CHECK_INS).json()["results"]
    theirs = partner.get(CHECK_INS)

    assert [c["id"] for c in mine] == [str(my_check_ins["shared"].pk), str(my_check_ins["private"].pk)]
    assert {c["author"]["role"] for c in mine} == {"me"}
    shared = my_check_ins["shared"]
    assert [(c["id"], c["author"], c["note"]) for c in theirs.json()["results"]] == [
        (str(partners_own.pk), {"role": "me", "id": str(partner.user.pk)}, ""),
        (str(shared.pk), {"role": "partner", "id": str(me.user.pk)}, SHARED_NOTE),
    ]
    assert PRIVATE_NOTE not in theirs.content.decode()
    assert str(my_check_ins["private"].pk) not in theirs.content.decode()
    assert stranger.get(CHECK_INS).json()["results"] == []


def test_after_unpairing_my_shared_check_ins_leave_my_ex_partner_and_stay_mine(me, partner, my_check_ins):
    couple_unpair(user=me.user)

    assert partner.get(CHECK_INS).json()["results"] == []
    assert len(me.get(CHECK_INS).json()["results"]) == 2
    summary = partner.get(f"{SUMMARY}?weeks=52").json()
    assert summary["paired"] is False
    assert {week["partner"] for week in summary["results"]} == {None}

    # Neither does anyone I pair with later see what I shared in the ended couple.
    newcomer = UserFactory.create()
    pair(me.user, newcomer)
    assert AppClient().sign_in(newcomer).get(CHECK_INS).json()["results"] == []


def test_the_partners_export_has_none_of_my_check_ins(me, partner, my_check_ins):
    partner_export = partner.get("/api/v1/me/export")
    my_export = me.get("/api/v1/me/export").json()

    assert partner_export.json()["check_ins"] == []
    assert PRIVATE_NOTE not in partner_export.content.decode()
    assert SHARED_NOTE not in partner_export.content.decode()
    assert [(c["id"], c["note"], c["is_shared"]) for c in my_export["check_ins"]] == [
        (str(my_check_ins["private"].pk), PRIVATE_NOTE, False),
        (str(my_check_ins["shared"].pk), SHARED_NOTE, True),
    ]


def test_the_admin_never_shows_a_note(my_check_ins):
    staff = Client()
    staff.force_login(UserFactory.create(email="admin@example.com", is_staff=True, is_superuser=True))
    private, shared = my_check_ins["private"], my_check_ins["shared"]
    pages = {
        "list": "/admin/rituals/checkin/",
        "search by note": "/admin/rituals/checkin/?q=only-for-me",
        "private change": f"/admin/rituals/checkin/{private.pk}/change/",
        "shared change": f"/admin/rituals/checkin/{shared.pk}/change/",
        "delete": f"/admin/rituals/checkin/{private.pk}/delete/",
        "history": f"/admin/rituals/checkin/{private.pk}/history/",
    }
    for page, url in pages.items():
        response = staff.get(url)
        body = response.content.decode()
        assert response.status_code == 200, page
        assert PRIVATE_NOTE not in body, page
        assert SHARED_NOTE not in body, page
    list_page = staff.get(pages["list"]).content.decode()
    assert str(private.pk) in list_page
    # Searching cannot probe note contents either.
    assert str(private.pk) not in staff.get(pages["search by note"]).content.decode()


# Weekly summary ---------------------------------------------------------------------------------

NOW = datetime(2025, 3, 19, 12, 0, tzinfo=UTC)  # Wednesday; Berlin's week is Monday 17 to Sunday 23 March


@pytest.fixture
def history(me_user: User, partner_user: User) -> None:
    """Three weeks of check-ins of me (Berlin) and my partner (New York)."""
    _check_in(me_user, "2025-02-20T10:00", 1, 1)  # before the window
    _check_in(me_user, "2025-03-04T10:00", 2, 3, note=PRIVATE_NOTE)
    _check_in(me_user, "2025-03-05T10:00", 4, 5, shared=True)
    _check_in(me_user, "2025-03-16T23:30", 5, 5)  # Monday 17 March 00:30 in Berlin: this week
    _check_in(partner_user, "2025-03-11T15:00", 5, 2, shared=True)
    _check_in(partner_user, "2025-03-12T15:00", 1, 1, note="a private low")  # never in my summary
    _check_in(partner_user, "2025-03-17T02:00", 3, 5, shared=True)  # Sunday 16 March 22:00 in New York
    _check_in(partner_user, "2025-03-18T15:00", 4, 4, shared=True)


def _summary(client: AppClient, query: str = "", at: datetime = NOW) -> Any:
    with time_machine.travel(at, tick=False):
        client.sign_in(client.user)
        return client.get(f"{SUMMARY}{query}")


def _scores(count: int, mood: float | None = None, connection: float | None = None) -> dict[str, Any]:
    return {"count": count, "mood_avg": mood, "connection_avg": connection}


def test_the_summary_averages_my_check_ins_and_my_partners_shared_ones_per_week(me, history):
    response = _summary(me, "?weeks=3")

    assert response.status_code == 200
    assert response.json() == {
        "weeks": 3,
        "time_zone": "Europe/Berlin",
        "paired": True,
        "results": [
            {"week_start": "2025-03-03", "week_end": "2025-03-09", "me": _scores(2, 3.0, 4.0), "partner": _scores(0)},
            # The partner's Sunday-night check-in counts in their Sunday's week, though it was Monday here.
            {"week_start": "2025-03-10", "week_end": "2025-03-16", "me": _scores(0), "partner": _scores(2, 4.0, 3.5)},
            {
                "week_start": "2025-03-17",
                "week_end": "2025-03-23",
                "me": _scores(1, 5.0, 5.0),
                "partner": _scores(1, 4.0, 4.0),
            },
        ],
    }
    assert PRIVATE_NOTE not in response.content.decode()


def test_my_partner_sees_the_same_weeks_from_their_side(partner, history):
    weeks = _summary(partner, "?weeks=3").json()["results"]

    # All of theirs (the private one too); of mine only the shared one.
    assert [(w["week_start"], w["me"], w["partner"]) for w in weeks] == [
        ("2025-03-03", _scores(0), _scores(1, 4.0, 5.0)),
        ("2025-03-10", _scores(3, 3.0, 2.67), _scores(0)),
        ("2025-03-17", _scores(1, 4.0, 4.0), _scores(0)),
    ]


def test_the_current_week_is_the_requesters_own(me, partner, history):
    # 23:30 UTC on Sunday 16 March: Monday in Berlin, still Sunday evening in New York.
    at = datetime(2025, 3, 16, 23, 30, tzinfo=UTC)

    assert _summary(me, "?weeks=1", at).json()["results"][0]["week_start"] == "2025-03-17"
    assert _summary(partner, "?weeks=1", at).json()["results"][0]["week_start"] == "2025-03-10"


def test_the_summary_spans_a_dst_change_and_a_year_boundary(me):
    _check_in(me.user, "2024-12-30T08:00", 3, 3)  # ISO week 1 of 2025 starts Monday 30 December 2024
    _check_in(me.user, "2025-03-30T21:00", 5, 5)  # Sunday 30 March 23:00 CEST, the day clocks sprang forward

    weeks = _summary(me, "?weeks=14", datetime(2025, 3, 31, 9, 0, tzinfo=UTC)).json()["results"]

    assert (weeks[0]["week_start"], weeks[0]["me"]) == ("2024-12-30", _scores(1, 3.0, 3.0))
    assert (weeks[-2]["week_start"], weeks[-2]["me"]) == ("2025-03-24", _scores(1, 5.0, 5.0))
    assert weeks[-1]["week_start"] == "2025-03-31"


def test_the_summary_defaults_to_four_weeks_and_an_unpaired_user_has_no_partner_column(loner):
    data = loner.get(SUMMARY).json()

    assert (data["weeks"], len(data["results"]), data["paired"]) == (4, 4, False)
    assert {week["partner"] for week in data["results"]} == {None}


@pytest.mark.parametrize("weeks", ["0", "53", "-1", "abc", "2.5", "1e3"])
def test_a_bad_number_of_weeks_is_a_400_naming_it(me, weeks):
    response = me.get(f"{SUMMARY}?weeks={weeks}")

    assert _error(response) == (400, "validation_error")
    assert list(response.json()["error"]["fields"]) == ["weeks"]


def test_a_year_of_weeks_is_fine_and_an_empty_value_means_the_default(me):
    assert len(me.get(f"{SUMMARY}?weeks=52").json()["results"]) == 52
    assert len(me.get(f"{SUMMARY}?weeks=").json()["results"]) == 4


# Query counts -----------------------------------------------------------------------------------


def _many(me_user: User, partner_user: User, count: int) -> None:
    for day in range(count):
        _check_in(me_user, f"2025-03-{1 + day % 18:02d}T10:00", 3, 4)
        _check_in(partner_user, f"2025-03-{1 + day % 18:02d}T11:00", 2, 5, shared=day % 2 == 0)


@pytest.mark.parametrize("count", [1, 30])
def test_listing_check_ins_takes_two_queries_whatever_their_number(me, partner, count, django_assert_num_queries):
    _many(me.user, partner.user, count)

    with django_assert_num_queries(2):  # session+user with membership+couple, the page
        response = me.get(f"{CHECK_INS}?page_size=100")

    assert len(response.json()["results"]) == count + (count + 1) // 2


@pytest.mark.parametrize("count", [1, 30])
def test_the_summary_takes_two_queries_whatever_the_number_of_check_ins(me, partner, count, django_assert_num_queries):
    _many(me.user, partner.user, count)

    with time_machine.travel(NOW, tick=False):
        me.sign_in(me.user)
        with django_assert_num_queries(2):  # session+user with membership+couple, one aggregate
            response = me.get(f"{SUMMARY}?weeks=52")

    assert sum(week["me"]["count"] for week in response.json()["results"]) == count


def test_creating_a_check_in_takes_a_fixed_number_of_queries(me, partner, django_assert_num_queries):
    # session+user with membership+couple, savepoint, insert, release (no savepoint around the
    # insert: a conflict reruns the whole write, config.db.atomic_retried_on_conflict).
    # + 1 for sync: the counter bump with the state upsert (sync.changes); who holds the record is
    # the couple authentication loaded (couples.selectors.known_members).
    with django_assert_num_queries(5):
        assert me.post(CHECK_INS, {"mood": 3, "connection": 3}).status_code == 201
