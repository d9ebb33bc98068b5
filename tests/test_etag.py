"""ETag / If-Match on PATCH me, couple and rituals/{id}: a stale edit is a 412 and changes nothing."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from couples.models import Couple
from rituals.models import Ritual
from tests.concurrency import race
from tests.conftest import AppClient
from tests.factories import UserFactory, pair

pytestmark = pytest.mark.django_db

RITUAL = {"title": "Date night", "category": "date_night", "rrule": "FREQ=WEEKLY;BYDAY=SU", "local_time": "19:00"}


@dataclass(frozen=True)
class Resource:
    """One editable resource: where it is, two different edits, and how to read the edited field back."""

    url: str
    edit: dict[str, Any]
    other_edit: dict[str, Any]
    stored: Callable[[], Any]
    # What If-Match adds: a transaction and a row lock of its own (SAVEPOINT, SELECT ... FOR
    # UPDATE, RELEASE), or nothing where the write checks the tag on the row it locks anyway.
    if_match_queries: int = 3


def _me(me: AppClient) -> Resource:
    return Resource(
        "/api/v1/me",
        {"display_name": "Robin"},
        {"display_name": "Robin B."},
        lambda: User.objects.get(pk=me.user.pk).display_name,
    )


def _couple(me: AppClient) -> Resource:
    couple = Couple.objects.get(memberships__user=me.user, status=Couple.Status.ACTIVE)
    return Resource(
        "/api/v1/couple",
        {"together_since": "2019-06-01"},
        {"time_zone": "Europe/Lisbon"},
        lambda: (str(Couple.objects.get(pk=couple.pk).together_since), Couple.objects.get(pk=couple.pk).time_zone),
    )


def _ritual(me: AppClient) -> Resource:
    ritual_id = me.post("/api/v1/rituals", RITUAL, format="json").json()["id"]
    return Resource(
        f"/api/v1/rituals/{ritual_id}",
        {"title": "Sunday date"},
        # Not a schedule column either: both edits cost the same queries (a new time also moves the reminder).
        {"description": "Somewhere new"},
        lambda: Ritual.objects.values_list("title", "description").get(pk=ritual_id),
        if_match_queries=0,  # checked on the ritual the update locks (rituals.services.ritual_update)
    )


RESOURCES = [pytest.param(_me, id="me"), pytest.param(_couple, id="couple"), pytest.param(_ritual, id="ritual")]


@pytest.fixture(params=RESOURCES)
def resource(request, me, partner) -> Resource:
    return request.param(me)


def patch(client: AppClient, url: str, body: dict[str, Any], if_match: str | None = None) -> Any:
    headers: dict[str, Any] = {} if if_match is None else {"HTTP_IF_MATCH": if_match}
    return client.patch(url, body, format="json", **headers)


def test_get_and_patch_carry_the_same_kind_of_etag(me, resource):
    read = me.get(resource.url)
    edited = patch(me, resource.url, resource.edit)
    read_again = me.get(resource.url)

    assert read["ETag"].startswith('"')
    assert read["ETag"].endswith('"')
    assert edited["ETag"] == read_again["ETag"]
    assert edited["ETag"] != read["ETag"]


def test_the_etag_stays_while_nothing_changes(me, resource):
    assert me.get(resource.url)["ETag"] == me.get(resource.url)["ETag"]


def test_a_matching_if_match_edits(me, resource):
    etag = me.get(resource.url)["ETag"]

    response = patch(me, resource.url, resource.edit, if_match=etag)

    assert response.status_code == 200, response.content
    assert response["ETag"] != etag


def test_a_stale_if_match_is_a_412_and_changes_nothing(me, resource):
    stale = me.get(resource.url)["ETag"]
    current = patch(me, resource.url, resource.edit)["ETag"]
    before = resource.stored()

    response = patch(me, resource.url, resource.other_edit, if_match=stale)

    assert response.status_code == 412
    assert response.json() == {
        "error": {
            "code": "version_mismatch",
            "message": "This changed since you loaded it (If-Match). Reload it and try again.",
            "etag": current,
        }
    }
    assert resource.stored() == before
    assert me.get(resource.url)["ETag"] == current


def test_without_if_match_the_last_write_wins_as_before(me, resource):
    patch(me, resource.url, resource.edit)

    assert patch(me, resource.url, resource.other_edit).status_code == 200


@pytest.mark.parametrize("form", ["weak", "bare", "list", "star"])
def test_if_match_takes_the_usual_forms(me, resource, form):
    etag = me.get(resource.url)["ETag"]
    header = {"weak": f"W/{etag}", "bare": etag.strip('"'), "list": f'"nope", {etag}', "star": "*"}[form]

    assert patch(me, resource.url, resource.edit, if_match=header).status_code == 200


def test_a_list_of_only_stale_tags_is_a_412(me, resource):
    assert patch(me, resource.url, resource.edit, if_match='"old", W/"older"').status_code == 412


def test_an_invalid_body_is_a_400_before_the_precondition_is_checked(me, me_user, partner):
    # As for goals: validation first, so a client fixes its request before reloading.
    response = patch(me, "/api/v1/me", {"time_zone": "+02:00"}, if_match='"stale"')

    assert response.status_code == 400


@pytest.mark.parametrize("kind", ["couple", "ritual"])
def test_my_partners_edit_makes_my_etag_stale(me, partner, kind):
    resource = _couple(me) if kind == "couple" else _ritual(me)
    mine = me.get(resource.url)["ETag"]
    assert partner.get(resource.url)["ETag"] == mine  # one shared resource, one tag

    patch(partner, resource.url, resource.edit)

    assert patch(me, resource.url, resource.other_edit, if_match=mine).status_code == 412


def test_the_couples_etag_ignores_the_partners_ticking_local_time(me, partner):
    before = me.get("/api/v1/couple")
    with time_machine.travel(timezone.now() + timedelta(minutes=5)):
        after = AppClient().sign_in(me.user).get("/api/v1/couple")

    assert after.json()["partner"]["local_time"] != before.json()["partner"]["local_time"]
    assert after["ETag"] == before["ETag"]


def test_a_stranger_gets_no_etag_of_my_ritual(me, partner, stranger):
    resource = _ritual(me)

    assert stranger.get(resource.url).status_code == 404
    assert patch(stranger, resource.url, resource.edit, if_match="*").status_code == 404


# Query cost -------------------------------------------------------------------------------------------


def _queries(call: Callable[[], Any]) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert call().status_code == 200
    return len(queries)


def test_if_match_costs_at_most_three_queries_and_its_absence_none(me, resource):
    plain = _queries(lambda: patch(me, resource.url, resource.edit))
    etag = me.get(resource.url)["ETag"]

    assert (
        _queries(lambda: patch(me, resource.url, resource.other_edit, if_match=etag))
        == plain + resource.if_match_queries
    )


def test_the_etag_costs_get_couple_no_query(me, partner, django_assert_num_queries):
    with django_assert_num_queries(2):  # session+user with my membership+couple, both memberships+users
        assert me.get("/api/v1/couple").has_header("ETag")


# Concurrent edits with one tag (real Postgres, one connection per request) ----------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("kind", ["couple", "ritual"])
def test_two_edits_sent_with_one_etag_cannot_both_win(kind):
    first, second = UserFactory.create(), UserFactory.create()
    pair(first, second)
    clients = [AppClient(raise_request_exception=False).sign_in(user) for user in (first, second)]
    resource = _couple(clients[0]) if kind == "couple" else _ritual(clients[0])
    for round_ in range(1, 6):
        # Two edits that both change something (an edit that changes nothing keeps the tag).
        if kind == "couple":
            edits = [{"together_since": f"2019-06-{round_:02d}"}, {"together_since": f"2018-01-{round_:02d}"}]
        else:
            edits = [{"title": f"Mine {round_}"}, {"title": f"Theirs {round_}"}]
        etag = clients[0].get(resource.url)["ETag"]

        responses = race(
            *[
                lambda c=c, e=e, etag=etag: patch(c, resource.url, e, if_match=etag)
                for c, e in zip(clients, edits, strict=True)
            ]
        )

        assert sorted(r.status_code for r in responses) == [200, 412]
        (winner,) = [r for r in responses if r.status_code == 200]
        assert clients[1].get(resource.url)["ETag"] == winner["ETag"]
