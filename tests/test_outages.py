"""Outages degrade: a dependency down answers JSON 503 with Retry-After, a committed write answers its
success, and a retry with the same Idempotency-Key never stores a write twice.

The fault suite (tests/faults/, `make faults`) does the same with real processes stopped and killed;
these are the in-process checks of each path.
"""

import time
from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from django.core import mail
from django.db import OperationalError, connection
from kombu.exceptions import OperationalError as BrokerError

from accounts.models import IdempotencyRecord
from config.api import deadline
from notifications.models import Notification, OutboxMessage
from notifications.outbox import outbox_relay
from rituals.models import CheckIn, Nudge
from rituals.services.checkins import checkin_create
from tests.conftest import AppClient
from tests.factories import UserFactory, pair

pytestmark = pytest.mark.django_db

CHECK_IN = {"mood": 4, "connection": 5, "note": "good day"}


def post(client: AppClient, path: str, body: Any = None, *, key: str | None = None) -> Any:
    extra: dict[str, Any] = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(path, body, format="json", **extra)


def assert_unavailable(response: Any, code: str = "service_unavailable") -> None:
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == code
    assert int(response["Retry-After"]) > 0


@pytest.fixture
def lenient(me_user: Any) -> AppClient:
    """`me`, with server errors answered rather than raised, as a real server does."""
    return AppClient(raise_request_exception=False).sign_in(me_user)


# PostgreSQL down ------------------------------------------------------------------------------------


def test_a_database_outage_in_a_view_is_a_503_with_retry_after(lenient, partner):
    down = OperationalError("connection to server at 127.0.0.1 failed: Connection refused")
    with mock.patch("rituals.api.checkins_views.services.checkin_create", side_effect=down):
        response = post(lenient, "/api/v1/check-ins", CHECK_IN)

    assert_unavailable(response)


def test_a_database_outage_outside_any_view_is_a_503_too(lenient, partner):
    # Authentication runs before the view, in the idempotency middleware: Django's handler500 answers.
    down = OperationalError("terminating connection due to administrator command")
    with mock.patch("config.api.idempotency._authenticated_user", side_effect=down):
        response = post(lenient, "/api/v1/check-ins", CHECK_IN, key="k")

    assert_unavailable(response)


def test_an_ordinary_bug_is_still_a_500(lenient, partner):
    with mock.patch("rituals.api.checkins_views.services.checkin_create", side_effect=RuntimeError("bug")):
        response = post(lenient, "/api/v1/check-ins", CHECK_IN)

    assert response.status_code == 500
    assert response.json()["error"]["code"] == "server_error"


# Redis (the broker) down: the committed write answers its success -----------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_nudge_whose_push_cannot_be_queued_answers_201_and_its_retry_replays():
    me_user = UserFactory.create()
    pair(me_user, UserFactory.create())
    me = AppClient().sign_in(me_user)
    with mock.patch("notifications.tasks.send_pushes.apply_async", side_effect=BrokerError("Connection refused")):
        first = post(me, "/api/v1/nudges", {"kind": "hug"}, key="nudge-1")
        retried = post(me, "/api/v1/nudges", {"kind": "hug"}, key="nudge-1")

    assert first.status_code == 201
    assert retried.status_code == 201
    assert retried["Idempotent-Replayed"] == "true"
    assert Nudge.objects.count() == 1
    # Left to the push pump: still pending.
    assert Notification.objects.get().push_state == Notification.PushState.PENDING


@pytest.mark.django_db(transaction=True)
def test_a_failure_after_commit_still_answers_the_committed_response():
    me_user = UserFactory.create()
    pair(me_user, UserFactory.create())
    me = AppClient(raise_request_exception=False).sign_in(me_user)
    with mock.patch("notifications.services._queue_pushes", side_effect=RuntimeError("after commit")):
        first = post(me, "/api/v1/nudges", {"kind": "hug"}, key="nudge-1")
    retried = post(me, "/api/v1/nudges", {"kind": "hug"}, key="nudge-1")

    assert first.status_code == 201
    assert retried.json() == first.json()
    assert Nudge.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_reset_email_that_cannot_be_queued_is_sent_once_by_the_relay(settings):
    user = UserFactory.create(email="me@example.com")
    anon = AppClient()
    send = "accounts.tasks.send_password_reset_email.apply_async"
    with mock.patch(send, side_effect=BrokerError("Connection refused")):
        response = anon.post("/api/v1/auth/password/reset", {"email": user.email}, format="json")
    assert response.status_code == 202
    assert mail.outbox == []
    message = OutboxMessage.objects.get()
    assert message.done_at is None

    # Not due yet, then due: the relay publishes it; a second relay run and a duplicate copy send nothing.
    assert outbox_relay() == 0
    later = message.next_attempt_at
    assert outbox_relay(now=later) == 1
    assert outbox_relay(now=later) == 0
    from accounts.tasks import send_password_reset_email

    send_password_reset_email.delay(str(user.id), outbox_id=str(message.pk))

    assert len(mail.outbox) == 1
    assert OutboxMessage.objects.get().done_at is not None


def test_the_relay_is_on_the_beat_schedule(settings):
    from config.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["notifications.relay_outbox"]
    app.loader.import_default_modules()
    assert entry["task"] in app.tasks


# Idempotency: one transaction for the claim, the writes and the answer -----------------------------------


def test_a_5xx_leaves_no_trace_so_the_retry_runs_once(lenient, partner):
    def write_then_fail(**kwargs: Any) -> Any:
        checkin_create(**kwargs)
        raise OperationalError("server closed the connection unexpectedly")

    with mock.patch("rituals.api.checkins_views.services.checkin_create", side_effect=write_then_fail):
        failed = post(lenient, "/api/v1/check-ins", CHECK_IN, key="k")
    retried = post(lenient, "/api/v1/check-ins", CHECK_IN, key="k")

    assert_unavailable(failed)
    assert retried.status_code == 201
    assert "Idempotent-Replayed" not in retried
    assert CheckIn.objects.count() == 1
    assert IdempotencyRecord.objects.get().completed


# Request deadline ----------------------------------------------------------------------------------------


def test_a_request_past_its_deadline_answers_503_deadline_exceeded_and_writes_nothing(lenient, partner, settings):
    settings.REQUEST_DEADLINE_SECONDS = 0.3

    def slow(**kwargs: Any) -> Any:
        checkin_create(**kwargs)
        time.sleep(3)  # interrupted by the deadline's timer
        raise AssertionError("not reached")

    started = time.monotonic()
    with mock.patch("rituals.api.checkins_views.services.checkin_create", side_effect=slow):
        response = post(lenient, "/api/v1/check-ins", CHECK_IN, key="slow")

    assert time.monotonic() - started < 2
    assert_unavailable(response, "deadline_exceeded")
    assert not CheckIn.objects.exists()
    assert not IdempotencyRecord.objects.exists()


def test_remaining_tells_code_how_long_the_request_has_left(me, settings):
    settings.REQUEST_DEADLINE_SECONDS = 20
    seen: list[float] = []

    def spy(**kwargs: Any) -> Any:
        seen.append(deadline.remaining())
        raise RuntimeError("stop here")

    assert deadline.remaining() == float("inf")  # outside a request
    with mock.patch("rituals.api.checkins_views.services.checkin_create", side_effect=spy):
        AppClient(raise_request_exception=False).sign_in(me.user).post("/api/v1/check-ins", CHECK_IN, format="json")

    assert 19 < seen[0] <= 20


def test_a_statement_still_running_at_the_deadline_is_cancelled_in_postgresql(lenient, partner, settings):
    settings.REQUEST_DEADLINE_SECONDS = 0.3

    def stuck(**kwargs: Any) -> Any:
        checkin_create(**kwargs)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_sleep(5)")  # a lock wait or a slow query, as far as the server knows
        raise AssertionError("not reached")

    started = time.monotonic()
    with mock.patch("rituals.api.checkins_views.services.checkin_create", side_effect=stuck):
        response = post(lenient, "/api/v1/check-ins", CHECK_IN, key="stuck")

    assert time.monotonic() - started < 2
    assert_unavailable(response, "deadline_exceeded")
    assert not CheckIn.objects.exists()  # rolled back, and the connection is usable again


@pytest.mark.django_db(transaction=True)
def test_an_outbox_message_a_dead_worker_claimed_is_sent_after_its_claim_expires(settings):
    from accounts.tasks import send_password_reset_email

    user = UserFactory.create(email="me@example.com")
    with mock.patch("accounts.tasks.send_password_reset_email.apply_async"):  # the fast path's copy is lost
        assert AppClient().post("/api/v1/auth/password/reset", {"email": user.email}, format="json").status_code == 202
    message = OutboxMessage.objects.get()
    # A worker claimed it and was killed before sending: the claim stays until it expires.
    due = message.next_attempt_at + timedelta(seconds=1)
    OutboxMessage.objects.filter(pk=message.pk).update(claimed_until=due + timedelta(seconds=60))

    assert outbox_relay(now=due) == 0  # a live claim needs no second copy
    after_claim = due + timedelta(seconds=61)
    assert outbox_relay(now=after_claim) == 1
    with mock.patch("notifications.outbox.timezone.now", return_value=after_claim):
        send_password_reset_email.delay(str(user.id), outbox_id=str(message.pk))  # what the worker runs
        send_password_reset_email.delay(str(user.id), outbox_id=str(message.pk))  # a duplicate copy

    assert len(mail.outbox) == 1
    assert OutboxMessage.objects.get().done_at is not None
