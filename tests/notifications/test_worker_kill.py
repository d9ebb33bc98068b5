"""A real Celery worker killed with SIGKILL in the middle of a push, then restarted.

Everything is real except Google: a `celery -A config worker` process (prefork, concurrency 1,
queue `push`, late acks, settings `config.settings.integration`) on the test Redis database, the
live PostgreSQL test database, and the real FCM provider talking to the fake FCM server on
loopback. The worker's whole process group (main process and pool child) gets SIGKILL, so nothing
of it survives to requeue the message (`task_reject_on_worker_lost` needs a living main process):
the only ways back are the lease sweeper (`push_pump`) and, an hour later, Redis redelivering the
unacked message. Both are exercised.

"Exactly once" depends on where the worker dies, and each test says which it proves:

- Killed after the claim, before any request left (`test_killed_before_the_request_left...`): the
  provider receives exactly ONE request for the notification, and the row ends `sent` once.
- Killed after FCM received the request, before the worker recorded the answer
  (`test_killed_after_fcm_received_the_request...`): no server-side protocol can tell that the
  message went out, so the provider receives it TWICE (at least once to the provider), both times
  with the notification id as collapse id (`android.collapse_key`, `apns-collapse-id`): FCM/APNs
  replace a message with the same collapse id instead of stacking it, so the phone shows it
  exactly once, and the row ends `sent` once. The fake server cannot see collapsing, so the test
  asserts what implies it: every request for the notification carries the same collapse id.

In both cases: a sweep before the lease ends takes nothing (a slow but living worker keeps its row),
and the killed worker's own message, when Redis hands it out again, claims nothing.
"""

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
import pytest
import redis
from django.conf import settings
from django.db import connection
from django.utils import timezone
from kombu import Connection

from config.celery import app as celery_app
from notifications.models import Notification
from notifications.tasks import push_pump, send_pushes
from tests.factories import DeviceFactory, UserFactory
from tests.notifications.fake_fcm import FakeFcm, fake_fcm_server

pytestmark = pytest.mark.django_db(transaction=True)

State = Notification.PushState
TIME_LIMIT_SECONDS = 5
LEASE_SECONDS = 8
WAIT_SECONDS = 30
# config.settings.integration names the worker's database sessions so.
WORKER_APP_NAME = "couples-integration-worker"
REPO = Path(settings.BASE_DIR)
WORKER_OPTIONS = ["-Q", "push", "--pool", "prefork", "--concurrency", "1", "--loglevel", "INFO"]
# Nothing but the push queue: no broadcast chatter between workers, and a faster start.
WORKER_OPTIONS += ["--without-gossip", "--without-mingle", "--without-heartbeat"]


def _wait_for(condition: Callable[[], Any], what: str, timeout: float = WAIT_SECONDS) -> Any:
    """Polls `condition` until it returns something truthy; fails after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


class ArrivalGate(threading.Event):
    """The fake server's gate that also records when a request has reached the server (its body
    read, no answer sent): the moment "FCM has received it"."""

    def __init__(self) -> None:
        super().__init__()
        self.arrivals = 0
        self._lock = threading.Lock()

    def wait(self, timeout: float | None = None) -> bool:
        with self._lock:
            self.arrivals += 1
        return super().wait(timeout)


class Worker:
    """`celery -A config worker` in its own session, so its whole process group can be killed."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.log_path = log_path
        self.name = f"kill-test-{uuid.uuid4().hex[:8]}@%h"
        with log_path.open("wb") as log:
            self.process = subprocess.Popen(  # noqa: S603  (our own interpreter, fixed arguments)
                [sys.executable, "-m", "celery", "-A", "config", "worker", "-n", self.name, *WORKER_OPTIONS],
                cwd=REPO,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_ready(self) -> None:
        def ready() -> bool:
            if self.process.poll() is not None:
                raise AssertionError(f"worker exited with {self.process.returncode}:\n{self.log()}")
            return " ready." in self.log()

        _wait_for(ready, "the worker to be ready")

    def tasks_succeeded(self) -> int:
        return sum(
            "Task notifications.send_pushes[" in line and "] succeeded in" in line for line in self.log().splitlines()
        )

    def kill(self) -> None:
        """SIGKILL to the main process and its pool child at once; returns when both are gone."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=WAIT_SECONDS)

        def group_gone() -> bool:
            try:
                os.killpg(self.process.pid, 0)
            except ProcessLookupError:
                return True
            return False

        _wait_for(group_gone, "the worker's pool process to die")


@pytest.fixture
def broker(settings: Any) -> Iterator[str]:
    """The test process's own Redis database, empty before and after; tasks are published for real
    (the Celery app reads the Django settings live, so the override reaches it)."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    url = settings.CELERY_BROKER_URL
    assert celery_app.conf.broker_url == url
    client = redis.Redis.from_url(url)
    client.flushdb()
    try:
        yield url
    finally:
        # Also drops the killed worker's unacked message.
        client.flushdb()
        client.close()


@pytest.fixture
def fake() -> Iterator[FakeFcm]:
    with fake_fcm_server() as server:
        server.gate = ArrivalGate()
        try:
            yield server
        finally:
            server.gate.set()


@pytest.fixture
def start_worker(broker: str, fake: FakeFcm, tmp_path: Path) -> Iterator[Callable[[], Worker]]:
    database = connection.settings_dict["NAME"]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.integration",
        "INTEGRATION_DATABASE_NAME": database,
        "INTEGRATION_BROKER_URL": broker,
        "PUSH_PROVIDER": "fcm",
        "FCM_ENDPOINT": fake.url,
        "FCM_PROJECT_ID": "couples-test",
        "PUSH_TASK_TIME_LIMIT": str(TIME_LIMIT_SECONDS),
        "PUSH_LEASE_SECONDS": str(LEASE_SECONDS),
        "PYTHONUNBUFFERED": "1",
    }
    workers: list[Worker] = []

    def start() -> Worker:
        worker = Worker(env, tmp_path / f"worker-{len(workers) + 1}.log")
        workers.append(worker)
        worker.wait_ready()
        return worker

    try:
        yield start
    finally:
        for worker in workers:
            worker.kill()
        _end_worker_sessions(database)


def _end_worker_sessions(database: str) -> None:
    """A killed worker's PostgreSQL session may outlive it for a moment; the test's table flush
    must not wait for it."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND application_name = %s",
            [database, WORKER_APP_NAME],
        )


@pytest.fixture(
    params=[
        (Notification.Kind.NUDGE, "Alex sent you a hug", "💞"),
        # A date's reminder goes through the same push path as every other kind.
        (Notification.Kind.DATE_REMINDER, "Dinner at Enzo's", "Your date starts in one hour, at 19:30."),
    ],
    ids=["nudge", "date_reminder"],
)
def note(request: pytest.FixtureRequest) -> Notification:
    kind, title, body = request.param
    user = UserFactory.create(time_zone="UTC")
    DeviceFactory.create(user=user, push_token="phone-of-the-kill-test")
    return Notification.objects.create(
        recipient=user, kind=kind, title=title, body=body, dedupe_key=f"kill-test:{uuid.uuid4()}"
    )


def _state(note: Notification) -> Notification:
    return Notification.objects.get(pk=note.pk)


def _unacked_messages(broker: str) -> list[str]:
    """Messages a consumer took without acking them (kombu keeps them in the `unacked` hash)."""
    client = redis.Redis.from_url(broker, decode_responses=True)
    try:
        return [str(message) for message in client.hvals("unacked")]
    finally:
        client.close()


def _redeliver_unacked(broker: str) -> None:
    """What Redis does once `visibility_timeout` has passed, without waiting an hour for it."""
    with Connection(broker, transport_options={"visibility_timeout": 0}) as conn:
        channel: Any = conn.default_channel
        channel.qos.restore_visible(num=100, interval=1)


@contextmanager
def _devices_locked() -> Iterator[None]:
    """Holds an exclusive lock on the device table from another session: `deliver()` commits its
    claim, then blocks on reading the recipients' devices, before any request is built."""
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params, autocommit=False) as locker:
        locker.execute("LOCK TABLE accounts_device IN ACCESS EXCLUSIVE MODE")
        try:
            yield
        finally:
            locker.rollback()


def _worker_waits_on_a_lock(database: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = %s AND application_name = %s AND wait_event_type = 'Lock'",
            [database, WORKER_APP_NAME],
        )
        return cursor.fetchone()[0] == 1


def _recover_after_the_lease(note: Notification) -> Notification:
    """The sweeper hands the row back once its lease is over; the new worker sends it."""
    lease_until = _state(note).push_lease_until
    assert lease_until is not None
    time.sleep(max(0.0, (lease_until - timezone.now()).total_seconds()) + 0.2)
    assert push_pump() == 1
    return _wait_for(lambda: (row := _state(note)).push_state == State.SENT and row, "the row to be sent")


def _assert_the_old_message_is_harmless(note: Notification, broker: str, worker: Worker, fake: FakeFcm) -> None:
    """The killed worker never acked its message (late acks): Redis would hand it out again after
    the visibility timeout. When it does, the task runs and claims nothing."""
    # The sweeper's message is acked once its task returns, a moment after the row is `sent`.
    orphans = _wait_for(lambda: len(found := _unacked_messages(broker)) == 1 and found, "one unacked message")
    assert str(note.id) in orphans[0]
    requests_before, done_before = len(fake.received), worker.tasks_succeeded()

    _redeliver_unacked(broker)

    _wait_for(lambda: worker.tasks_succeeded() > done_before, "the redelivered task to finish")
    assert len(fake.received) == requests_before
    row = _state(note)
    assert row.push_state == State.SENT
    assert row.push_attempts == 2


def test_killed_after_fcm_received_the_request_the_phone_still_shows_it_once(note, broker, fake, start_worker):
    first = start_worker()
    gate: ArrivalGate = fake.gate

    send_pushes.delay([str(note.id)])
    _wait_for(lambda: gate.arrivals == 1, "FCM to receive the request")
    assert _state(note).push_state == State.SENDING
    first.kill()

    # The lease still runs: a sweep now must not take the row from a worker that may be alive.
    assert push_pump() == 0
    assert _state(note).push_state == State.SENDING
    second = start_worker()
    # FCM answers the dead worker's request: the message was accepted, nobody recorded it.
    gate.set()
    _wait_for(lambda: len(fake.received) == 1, "FCM to accept the first request")
    assert _state(note).push_state == State.SENDING

    row = _recover_after_the_lease(note)

    assert row.push_attempts == 2
    assert row.push_sent_at is not None
    assert row.push_lease_until is None
    # Received twice, both with this notification's collapse id: the phone shows it once.
    assert fake.collapse_ids() == [str(note.id), str(note.id)]
    assert fake.tokens() == ["phone-of-the-kill-test"] * 2
    _assert_the_old_message_is_harmless(note, broker, second, fake)
    assert Notification.objects.filter(push_state=State.SENT).count() == 1


def test_killed_before_the_request_left_fcm_receives_it_exactly_once(note, broker, fake, start_worker):
    database = connection.settings_dict["NAME"]
    first = start_worker()
    gate: ArrivalGate = fake.gate
    gate.set()  # nothing is held at FCM this time: the worker dies before it sends

    with _devices_locked():
        send_pushes.delay([str(note.id)])
        _wait_for(lambda: _state(note).push_state == State.SENDING, "the worker to claim the row")
        _wait_for(lambda: _worker_waits_on_a_lock(database), "the worker to block after its claim")
        assert fake.received == []
        assert gate.arrivals == 0
        first.kill()

    assert push_pump() == 0
    second = start_worker()
    row = _recover_after_the_lease(note)

    assert row.push_attempts == 2
    assert fake.collapse_ids() == [str(note.id)]
    assert fake.tokens() == ["phone-of-the-kill-test"]
    _assert_the_old_message_is_harmless(note, broker, second, fake)
    assert Notification.objects.filter(push_state=State.SENT).count() == 1


def test_a_worker_keeps_its_database_session_between_tasks(note, broker, fake, start_worker):
    """Celery's Django fix-up would close the connection around every task: a new PostgreSQL
    session (a forked server process) per task, which cost more CPU than the pushes themselves in
    the dispatch benchmark. The worker keeps one session, as a web process does."""
    database = connection.settings_dict["NAME"]
    fake.gate.set()
    start_worker()

    def worker_sessions() -> list[int]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND application_name = %s",
                [database, WORKER_APP_NAME],
            )
            return [pid for (pid,) in cursor.fetchall()]

    notes = [note] + [
        Notification.objects.create(
            recipient=note.recipient, kind=note.kind, title=note.title, dedupe_key=f"kept-session:{n}"
        )
        for n in range(2)
    ]
    seen: list[list[int]] = []

    def sent(each: Notification) -> Callable[[], bool]:
        return lambda: _state(each).push_state == State.SENT

    for each in notes:
        send_pushes.delay([str(each.id)])
        _wait_for(sent(each), "the push to be sent")
        seen.append(_wait_for(worker_sessions, "the worker's session"))
    assert len(fake.received) == 3
    assert seen[0] == seen[1] == seen[2]
    assert len(seen[0]) == 1
