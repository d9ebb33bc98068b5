"""notifications.publisher: a request's pushes are queued by its process's publisher thread, several
requests' in one Celery message, and nothing that cannot be queued fails the write."""

import json
import logging
import threading
import time
from base64 import b64decode
from collections.abc import Iterator
from typing import Any

import pytest
import redis

from notifications.models import Notification
from notifications.publisher import PUBLISHER, PushPublisher


class Sink:
    """Where a publisher under test sends: records each call and the thread it ran in."""

    def __init__(self, fail: bool = False) -> None:
        self.calls: list[list[str]] = []
        self.threads: list[str] = []
        self.fail = fail
        self.sent = threading.Event()

    def __call__(self, ids: list[str]) -> None:
        self.threads.append(threading.current_thread().name)
        if self.fail:
            self.fail = False
            raise ConnectionError("broker down")
        self.calls.append(list(ids))
        self.sent.set()

    def wait(self, calls: int, timeout: float = 3.0) -> None:
        deadline = time.monotonic() + timeout
        while len(self.calls) < calls and time.monotonic() < deadline:
            time.sleep(0.005)
        assert len(self.calls) >= calls, self.calls


def test_pushes_published_within_the_window_go_out_in_one_message() -> None:
    sink = Sink()
    publisher = PushPublisher(send=sink, window_seconds=lambda: 0.1)

    publisher.publish(["a"])
    publisher.publish(["b", "c"])
    publisher.publish(["d"])
    sink.wait(1)

    assert sink.calls == [["a", "b", "c", "d"]]
    assert sink.threads == ["push-publisher"]  # not the requests' thread


def test_a_later_publish_is_a_message_of_its_own() -> None:
    sink = Sink()
    publisher = PushPublisher(send=sink, window_seconds=lambda: 0.02)

    publisher.publish(["a"])
    sink.wait(1)
    publisher.publish(["b"])
    sink.wait(2)

    assert sink.calls == [["a"], ["b"]]


def test_a_failed_publish_is_logged_and_the_thread_goes_on(caplog: pytest.LogCaptureFixture) -> None:
    sink = Sink(fail=True)
    publisher = PushPublisher(send=sink, window_seconds=lambda: 0.02)

    with caplog.at_level(logging.WARNING, logger="notifications.publisher"):
        publisher.publish(["lost"])
        deadline = time.monotonic() + 3
        while not caplog.records and time.monotonic() < deadline:
            time.sleep(0.005)
        publisher.publish(["next"])
        sink.wait(1)

    assert "1 push(es) not queued (ConnectionError: broker down); push_pump will queue them" in caplog.text
    assert sink.calls == [["next"]]


def test_without_a_window_the_push_is_queued_in_the_request() -> None:
    sink = Sink()
    publisher = PushPublisher(send=sink, window_seconds=lambda: 0)

    publisher.publish(["a"])

    assert sink.calls == [["a"]]
    assert sink.threads == [threading.current_thread().name]


def test_flush_sends_what_is_waiting_at_once() -> None:
    sink = Sink()
    publisher = PushPublisher(send=sink, window_seconds=lambda: 60)

    publisher.publish(["a", "b"])
    publisher.flush()

    assert sink.calls == [["a", "b"]]


# --- Through the API, to the real broker ------------------------------------------------------------


@pytest.fixture
def broker(settings: Any) -> Iterator[redis.Redis]:
    """Tasks published for real to the test's Redis database (not eager), the publisher's window on."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.PUSH_PUBLISH_WINDOW_MS = 200
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    client.flushdb()
    try:
        yield client
    finally:
        PUBLISHER.flush()
        client.flushdb()
        client.close()


def _queued_pushes(client: redis.Redis) -> list[list[str]]:
    """The notification ids of each `notifications.send_pushes` message on the push queue."""
    messages = [json.loads(raw) for raw in client.lrange("push", 0, -1)]
    assert all(m["headers"]["task"] == "notifications.send_pushes" for m in messages)
    return [json.loads(b64decode(m["body"]))[0][0] for m in messages]


@pytest.mark.django_db(transaction=True)
def test_two_nudges_within_the_window_are_queued_in_one_message(me, partner, broker) -> None:
    for kind in ("hug", "kiss"):
        assert me.post("/api/v1/nudges", {"kind": kind}, format="json").status_code == 201

    deadline = time.monotonic() + 5
    while not broker.llen("push") and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.3)  # anything else would have come within the window

    notes = {str(pk) for pk in Notification.objects.values_list("pk", flat=True)}
    assert len(notes) == 2
    queued = _queued_pushes(broker)
    assert len(queued) == 1
    assert set(queued[0]) == notes
