"""Observability: JSON log lines with request/user/task ids, the protected metrics endpoint, heartbeats
and the migrations check of /readyz."""

import json
import logging
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from config.observability import context, heartbeats, readiness
from config.observability.context import ContextFilter, hash_user_id
from notifications.models import ReminderSchedule
from rituals.models import Ritual
from tests.factories import UserFactory, pair

METRICS = "/metrics"


def _json_handler(stream):
    from pythonjsonlogger.json import JsonFormatter

    handler = logging.StreamHandler(stream)
    handler.addFilter(ContextFilter())
    handler.setFormatter(
        JsonFormatter(
            "%(levelname)s %(name)s %(message)s %(request_id)s %(user_hash)s %(task_id)s %(task_name)s",
            rename_fields={"levelname": "level", "name": "logger"},
            timestamp="time",
        )
    )
    return handler


def test_an_access_line_is_json_with_the_request_id_and_a_hash_of_the_user(me, me_user, settings):
    import io

    stream = io.StringIO()
    handler = _json_handler(stream)
    access = logging.getLogger("couples.access")
    access.addHandler(handler)
    access.setLevel(logging.INFO)
    try:
        response = me.get("/api/v1/me", HTTP_X_REQUEST_ID="req-1234567890")
    finally:
        access.removeHandler(handler)

    assert response.status_code == 200
    assert response["X-Request-ID"] == "req-1234567890"
    line = json.loads(stream.getvalue().splitlines()[-1])
    assert line["request_id"] == "req-1234567890"
    assert line["user_hash"] == hash_user_id(me_user.pk)
    assert str(me_user.pk) not in stream.getvalue()
    assert line["route"] == "api/v1/me"
    assert line["status"] == 200
    assert line["level"] == "INFO"


def test_a_request_without_a_usable_id_gets_a_fresh_one(anon, db):
    response = anon.get("/healthz", HTTP_X_REQUEST_ID="bad id with spaces")

    assert len(response["X-Request-ID"]) == 32
    assert response["X-Request-ID"] != "bad id with spaces"


def test_a_task_log_line_carries_the_task_id(db):
    import io

    from celery import shared_task

    stream = io.StringIO()
    log = logging.getLogger("tests.ops.task")
    log.addHandler(_json_handler(stream))
    log.setLevel(logging.INFO)

    @shared_task(name="tests.ops.log_something")
    def log_something() -> None:
        log.info("inside")

    log_something.apply(task_id="task-abc")

    line = json.loads(stream.getvalue().splitlines()[-1])
    assert line["task_id"] == "task-abc"
    assert line["task_name"] == "tests.ops.log_something"
    assert context.task_id.get() == ""


def test_metrics_are_404_without_the_token_and_served_with_it(anon, me, db, settings):
    settings.METRICS_TOKEN = "metrics-token-for-tests-0123456789"
    me.get("/api/v1/me")

    assert anon.get(METRICS).status_code == 404
    assert anon.get(METRICS, HTTP_AUTHORIZATION="Bearer wrong").status_code == 404
    response = anon.get(METRICS, HTTP_AUTHORIZATION="Bearer metrics-token-for-tests-0123456789")

    assert response.status_code == 200
    text = response.content.decode()
    assert 'couples_http_request_duration_seconds_count{method="GET",route="api/v1/me",status="2xx"}' in text
    assert "couples_dispatcher_lag_seconds 0.0" in text
    assert "couples_push_queue_lag_seconds" in text
    assert "couples_outbox_depth 0.0" in text
    assert "couples_push_results_total" in text or "# HELP couples_push_results_total" in text


def test_without_a_token_only_loopback_may_scrape(anon, db, settings):
    settings.METRICS_TOKEN = ""

    assert anon.get(METRICS, REMOTE_ADDR="127.0.0.1").status_code == 200
    assert anon.get(METRICS, REMOTE_ADDR="10.0.0.7").status_code == 404


def test_dispatcher_lag_is_the_age_of_the_oldest_due_reminder(anon, db, settings):
    ritual = Ritual.objects.create(
        couple=pair(UserFactory.create(), UserFactory.create()),
        title="Date night",
        category="date_night",
        rrule="FREQ=WEEKLY;BYDAY=SU",
        start_date=timezone.now().date(),
        local_time=timezone.now().time(),
        time_zone="UTC",
    )
    ReminderSchedule.objects.update_or_create(
        ritual=ritual,
        defaults={"occurrence_at": timezone.now(), "fire_at": timezone.now() - timedelta(seconds=90)},
    )

    text = anon.get(METRICS, REMOTE_ADDR="127.0.0.1").content.decode()

    lag = next(float(line.split()[1]) for line in text.splitlines() if line.startswith("couples_dispatcher_lag"))
    assert 89 <= lag < 120


def test_readyz_fails_while_the_beat_or_every_worker_is_silent(anon, db, settings):
    settings.HEARTBEAT_MAX_AGE_SECONDS = 60
    now = time.time()

    body = anon.get("/readyz").json()
    assert (body["checks"]["beat"], body["checks"]["worker"]) == ("missing", "missing")

    heartbeats.beat_beat(now - 5)
    heartbeats.worker_beat("w1@host", now - 300)
    response = anon.get("/readyz")
    assert response.status_code == 503
    assert (response.json()["checks"]["beat"], response.json()["checks"]["worker"]) == ("ok", "stale")

    heartbeats.worker_beat("w2@host", now - 1)
    response = anon.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"]["worker"] == "ok"


def test_the_beat_heartbeat_task_is_scheduled_and_writes_the_beat_stamp(db, settings):
    assert settings.CELERY_BEAT_SCHEDULE["ops.beat_heartbeat"]["task"] == "ops.beat_heartbeat"
    heartbeats.beat_heartbeat.apply()

    age = heartbeats.ages()["beat"]
    assert age is not None
    assert age < 5


def test_readyz_reports_unapplied_migrations(anon, db, monkeypatch):
    monkeypatch.setattr(readiness, "_migrations_applied", False)

    class Plan:
        def __init__(self, connection):
            self.loader = type("L", (), {"graph": type("G", (), {"leaf_nodes": lambda self: []})()})()

        def migration_plan(self, targets):
            return [(type("M", (), {"app_label": "rituals", "name": "0099_new"})(), False)]

    monkeypatch.setattr(readiness, "MigrationExecutor", Plan)

    response = anon.get("/readyz")

    assert response.status_code == 503
    assert response.json()["checks"]["migrations"] == "unavailable"


def test_readyz_migrations_ok_on_the_test_database(anon, db, monkeypatch):
    monkeypatch.setattr(readiness, "_migrations_applied", False)

    assert anon.get("/readyz").json()["checks"]["migrations"] == "ok"


@pytest.mark.parametrize("outcome", ["delivered", "token_invalid"])
def test_push_results_are_counted_by_outcome(outcome):
    from config.observability.metrics import PUSH_RESULTS

    before = PUSH_RESULTS.labels(outcome)._value.get()
    PUSH_RESULTS.labels(outcome).inc()
    assert PUSH_RESULTS.labels(outcome)._value.get() == before + 1
