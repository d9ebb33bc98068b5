"""Idempotency-Key on POST: a retry gets the first response and creates nothing twice."""

import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.idempotency_tasks import purge_idempotency_records
from accounts.models import IdempotencyRecord
from accounts.services.idempotency import (
    IN_PROGRESS_LEASE,
    RequestFingerprint,
    idempotency_claim,
    idempotency_records_purge,
)
from couples.models import Invite
from rituals.models import CheckIn, Nudge, Ritual
from tests.concurrency import race
from tests.conftest import AppClient
from tests.factories import PASSWORD, UserFactory, pair

pytestmark = pytest.mark.django_db

RITUAL = {"title": "Date night", "category": "date_night", "rrule": "FREQ=WEEKLY;BYDAY=SU", "local_time": "19:00"}
CHECK_IN = {"mood": 4, "connection": 5, "note": "good day"}


def post(client: AppClient, path: str, body: Any = None, *, key: str | None = None, **extra: Any) -> Any:
    if key is not None:
        extra["HTTP_IDEMPOTENCY_KEY"] = key
    return client.post(path, body, format="json", **extra)


def error(response: Any) -> tuple[int, str]:
    return response.status_code, response.json()["error"]["code"]


def is_replay(response: Any) -> bool:
    return response.get("Idempotent-Replayed") == "true"


# Replays create nothing twice -------------------------------------------------------------------

CREATES = [
    pytest.param("me", "/api/v1/rituals", RITUAL, Ritual, id="rituals"),
    pytest.param("me", "/api/v1/check-ins", CHECK_IN, CheckIn, id="check-ins"),
    pytest.param("me", "/api/v1/nudges", {"kind": "hug"}, Nudge, id="nudges"),
    pytest.param("loner", "/api/v1/couple/invites", None, Invite, id="couple-invites"),
]


@pytest.mark.parametrize(("actor", "path", "body", "model"), CREATES)
def test_a_replay_returns_the_first_response_and_creates_nothing(request, partner, actor, path, body, model):
    client: AppClient = request.getfixturevalue(actor)
    key = str(uuid.uuid4())

    first = post(client, path, body, key=key)
    replay = post(client, path, body, key=key)

    assert first.status_code == 201, first.content
    assert not is_replay(first)
    assert replay.status_code == 201
    assert is_replay(replay)
    assert replay.content == first.content
    assert replay["Content-Type"] == first["Content-Type"]
    assert model.objects.count() == 1


def test_without_the_header_every_post_creates(me, partner):
    post(me, "/api/v1/check-ins", CHECK_IN)
    response = post(me, "/api/v1/check-ins", CHECK_IN)

    assert response.status_code == 201
    assert not is_replay(response)
    assert CheckIn.objects.count() == 2
    assert not IdempotencyRecord.objects.exists()


def test_each_new_key_is_a_new_request(me, partner):
    post(me, "/api/v1/check-ins", CHECK_IN, key="one")
    post(me, "/api/v1/check-ins", CHECK_IN, key="two")

    assert CheckIn.objects.count() == 2


def test_a_replayed_nudge_notifies_the_partner_once(me, partner):
    post(me, "/api/v1/nudges", {"kind": "hug"}, key="k")
    post(me, "/api/v1/nudges", {"kind": "hug"}, key="k")

    inbox = partner.get("/api/v1/notifications").json()["results"]
    assert len(inbox) == 1


def test_a_replay_keeps_the_etag_of_the_first_response(me, partner):
    body = {"title": "Save for Porto"}
    first = post(me, "/api/v1/goals", body, key="goal")
    replay = post(me, "/api/v1/goals", body, key="goal")

    assert first.status_code == 201
    assert replay["ETag"] == first["ETag"] == '"1"'
    assert replay.content == first.content


def test_a_bodiless_answer_is_replayed_bodiless(me, partner):
    body = {"confirm": True}
    first = post(me, "/api/v1/couple/unpair", body, key="bye")
    replay = post(me, "/api/v1/couple/unpair", body, key="bye")

    assert first.status_code == replay.status_code == 204
    assert replay.content == b""
    assert is_replay(replay)  # not a 404 not_paired: the unpair did not run again


def test_a_client_error_is_kept_and_replayed_too(me, partner):
    invalid = {"mood": 9, "connection": 5}
    first = post(me, "/api/v1/check-ins", invalid, key="k")
    replay = post(me, "/api/v1/check-ins", invalid, key="k")

    assert error(first) == (400, "validation_error")
    assert is_replay(replay)
    assert replay.content == first.content


# Misuse of a key ----------------------------------------------------------------------------------


def test_the_same_key_with_another_body_is_a_422_and_creates_nothing(me, partner):
    post(me, "/api/v1/check-ins", CHECK_IN, key="k")

    response = post(me, "/api/v1/check-ins", {**CHECK_IN, "mood": 1}, key="k")

    assert error(response) == (422, "idempotency_key_reused")
    assert CheckIn.objects.count() == 1


def test_the_same_key_on_another_endpoint_is_a_422(me, partner):
    post(me, "/api/v1/nudges", {"kind": "hug"}, key="k")

    response = post(me, "/api/v1/check-ins", CHECK_IN, key="k")

    assert error(response) == (422, "idempotency_key_reused")
    assert CheckIn.objects.count() == 0


def test_the_same_body_sent_differently_is_another_request(me, partner):
    # The body is compared byte for byte: a client retries with the bytes it sent.
    def send(raw: str) -> Any:
        return me.post("/api/v1/check-ins", raw, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k")

    assert send('{"mood": 4, "connection": 5}').status_code == 201
    response = send('{"connection": 5, "mood": 4}')

    assert error(response) == (422, "idempotency_key_reused")


def test_keys_belong_to_one_user(me, partner):
    mine = post(me, "/api/v1/check-ins", CHECK_IN, key="shared-key")
    theirs = post(partner, "/api/v1/check-ins", CHECK_IN, key="shared-key")

    assert mine.status_code == theirs.status_code == 201
    assert not is_replay(theirs)
    assert mine.json()["id"] != theirs.json()["id"]
    assert CheckIn.objects.count() == 2


@pytest.mark.parametrize("key", ["", "x" * 256, "tab\there", "café"])
def test_an_unusable_key_is_a_400(me, partner, key):
    response = post(me, "/api/v1/check-ins", CHECK_IN, key=key)

    assert error(response) == (400, "invalid_idempotency_key")
    assert CheckIn.objects.count() == 0


def test_a_255_character_key_is_fine(me, partner):
    assert post(me, "/api/v1/check-ins", CHECK_IN, key="x" * 255).status_code == 201


# Where the header does not apply -------------------------------------------------------------------


def test_public_endpoints_ignore_the_header(anon, db):
    body = {"email": "new@example.com", "password": "a-strong-test-password-42"}
    first = post(anon, "/api/v1/auth/register", body, key="k")
    second = post(anon, "/api/v1/auth/register", {**body, "email": "other@example.com"}, key="k")

    assert first.status_code == second.status_code == 201
    assert not IdempotencyRecord.objects.exists()


def test_bad_credentials_are_a_401_as_usual(me, partner):
    me.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")

    response = post(me, "/api/v1/check-ins", CHECK_IN, key="k")

    assert error(response) == (401, "token_not_valid")
    assert not IdempotencyRecord.objects.exists()


def test_other_methods_ignore_the_header(me, partner):
    me.patch("/api/v1/me", {"display_name": "A"}, format="json", HTTP_IDEMPOTENCY_KEY="k")
    response = me.patch("/api/v1/me", {"display_name": "B"}, format="json", HTTP_IDEMPOTENCY_KEY="k")

    assert response.status_code == 200
    assert response.json()["display_name"] == "B"
    assert not IdempotencyRecord.objects.exists()


# Failures worth retrying are not kept ---------------------------------------------------------------


def test_a_server_error_is_not_kept_so_the_retry_runs_again(me_user, partner):
    client = AppClient(raise_request_exception=False).sign_in(me_user)

    with mock.patch("rituals.api.checkins_views.services.checkin_create", side_effect=RuntimeError("boom")):
        failed = post(client, "/api/v1/check-ins", CHECK_IN, key="k")
    retried = post(client, "/api/v1/check-ins", CHECK_IN, key="k")

    assert error(failed) == (500, "server_error")
    assert retried.status_code == 201
    assert not is_replay(retried)
    assert CheckIn.objects.count() == 1


def test_a_429_is_not_kept_so_the_retry_runs_again(me, partner, settings):
    settings.NUDGE_DAILY_QUOTA = 0
    refused = post(me, "/api/v1/nudges", {"kind": "hug"}, key="k")
    settings.NUDGE_DAILY_QUOTA = 5
    retried = post(me, "/api/v1/nudges", {"kind": "hug"}, key="k")

    assert error(refused) == (429, "nudge_quota_exceeded")
    assert retried.status_code == 201
    assert Nudge.objects.count() == 1


# In progress, abandoned and expired keys --------------------------------------------------------------


def _claim_like(client: AppClient, path: str, body: bytes, key: str) -> IdempotencyRecord:
    """The claim a request in flight holds (what the middleware writes before the view runs)."""
    import hashlib

    fingerprint = RequestFingerprint(method="POST", path=path, body_sha256=hashlib.sha256(body).hexdigest())
    record, claimed = idempotency_claim(user=client.user, key=key, request=fingerprint)
    assert claimed
    return record


def test_a_duplicate_while_the_first_runs_is_a_409(me, partner):
    _claim_like(me, "/api/v1/check-ins", b'{"mood":4,"connection":5,"note":"good day"}', "k")

    response = post(me, "/api/v1/check-ins", CHECK_IN, key="k")

    assert error(response) == (409, "idempotency_key_in_progress")
    assert response["Retry-After"] == "1"
    assert CheckIn.objects.count() == 0


def test_a_claim_abandoned_by_a_dead_request_is_taken_over_after_the_lease(me, partner):
    _claim_like(me, "/api/v1/check-ins", b'{"mood":4,"connection":5,"note":"good day"}', "k")

    with time_machine.travel(timezone.now() + IN_PROGRESS_LEASE + timedelta(seconds=1)):
        response = post(me, "/api/v1/check-ins", CHECK_IN, key="k")

    assert response.status_code == 201
    assert not is_replay(response)
    assert CheckIn.objects.count() == 1


def test_after_the_ttl_a_key_is_fresh_again(me, partner, settings):
    settings.IDEMPOTENCY_TTL_HOURS = 24
    post(me, "/api/v1/check-ins", CHECK_IN, key="k")

    with time_machine.travel(timezone.now() + timedelta(hours=24, seconds=1)):
        later = AppClient().sign_in(me.user)  # the first access token has expired
        response = post(later, "/api/v1/check-ins", {**CHECK_IN, "mood": 2}, key="k")

    assert response.status_code == 201
    assert not is_replay(response)
    assert CheckIn.objects.count() == 2


def test_the_purge_deletes_only_expired_records(me, partner, settings):
    settings.IDEMPOTENCY_TTL_HOURS = 24
    post(me, "/api/v1/check-ins", CHECK_IN, key="old")
    with time_machine.travel(timezone.now() + timedelta(hours=23)):
        assert post(AppClient().sign_in(me.user), "/api/v1/check-ins", CHECK_IN, key="young").status_code == 201

    purged = idempotency_records_purge(now=timezone.now() + timedelta(hours=24, seconds=1))

    assert purged == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["young"]


def test_the_purge_task_runs_the_service(me, partner):
    post(me, "/api/v1/check-ins", CHECK_IN, key="k")
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        assert purge_idempotency_records.delay().get() == 1
    assert purge_idempotency_records.name == "accounts.purge_idempotency_records"


def test_records_go_with_the_account(loner):
    post(loner, "/api/v1/couple/invites", key="k")

    assert loner.delete("/api/v1/me", {"password": PASSWORD}, format="json").status_code == 204

    assert not IdempotencyRecord.objects.exists()


# Query cost -------------------------------------------------------------------------------------------


def _queries(call: Callable[[], Any]) -> int:
    with CaptureQueriesContext(connection) as queries:
        call()
    return len(queries)


def test_a_post_without_the_header_costs_no_extra_query(me_user, partner_user, settings):
    with_middleware = AppClient().sign_in(me_user)
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != "config.api.idempotency.IdempotencyMiddleware"]
    without_middleware = AppClient().sign_in(me_user)

    assert _queries(lambda: post(with_middleware, "/api/v1/check-ins", CHECK_IN)) == _queries(
        lambda: post(without_middleware, "/api/v1/check-ins", CHECK_IN)
    )


@pytest.mark.django_db(transaction=True)
def test_a_keyed_post_costs_five_extra_queries_and_a_replay_five(django_assert_num_queries):
    # Autocommit, as in production: the claim's transaction is the outermost one.
    me = AppClient().sign_in(UserFactory.create())
    plain = _queries(lambda: post(me, "/api/v1/check-ins", CHECK_IN))

    # + session+user (the middleware's own), claim INSERT, completion UPDATE, and the SAVEPOINT and
    # RELEASE the service's own transaction becomes inside the claim's
    with django_assert_num_queries(plain + 5):
        assert post(me, "/api/v1/check-ins", CHECK_IN, key="k").status_code == 201
    # session+user, then in the claim's transaction (BEGIN … COMMIT) the claim INSERT (conflict) and
    # the record SELECT; the view does not run
    with django_assert_num_queries(5):
        assert is_replay(post(me, "/api/v1/check-ins", CHECK_IN, key="k"))


# Concurrent duplicates (real Postgres, one connection per request) ------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicates_create_once_and_never_fail():
    user = UserFactory.create()
    pair(user, UserFactory.create())
    clients = [AppClient(raise_request_exception=False).sign_in(user) for _ in range(2)]
    outcomes = set()
    for round_ in range(8):
        key = f"race-{round_}"

        responses = race(*[lambda c=c, key=key: post(c, "/api/v1/rituals", RITUAL, key=key) for c in clients])

        assert Ritual.objects.count() == round_ + 1
        created = [r for r in responses if r.status_code == 201 and not is_replay(r)]
        others = [r for r in responses if r not in created]
        assert len(created) == 1, [r.content for r in responses]
        (other,) = others
        if other.status_code == 201:
            assert is_replay(other)
            assert other.content == created[0].content
            outcomes.add("replayed")
        else:
            assert error(other) == (409, "idempotency_key_in_progress")
            outcomes.add("in progress")
    assert outcomes  # which ones happen is up to the scheduler; neither is ever a 500 or a second ritual


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_with_one_key_and_different_bodies_run_one_of_them():
    user = UserFactory.create()
    pair(user, UserFactory.create())
    clients = [AppClient(raise_request_exception=False).sign_in(user) for _ in range(2)]
    for round_ in range(5):
        key = f"race-{round_}"
        bodies = [{**RITUAL, "title": "First"}, {**RITUAL, "title": "Second"}]

        responses = race(
            *[
                lambda c=c, b=b, key=key: post(c, "/api/v1/rituals", b, key=key)
                for c, b in zip(clients, bodies, strict=True)
            ]
        )

        assert Ritual.objects.count() == round_ + 1
        codes = sorted(r.status_code for r in responses)
        assert codes in ([201, 409], [201, 422]), [r.content for r in responses]
