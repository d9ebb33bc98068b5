"""Queues the pushes of committed notifications, several requests' in one Celery message.

Every write that notifies the partner (a completion, a nudge, a goal accepted, a shared check-in, a
sync push) queued its push itself after COMMIT: one Celery publish per request, a sixth of a nudge's
CPU (kombu builds a Redis client and the message's headers for each). Here the request hands the
ids of its committed notifications to its process's publisher and returns; the publisher's thread
waits `PUSH_PUBLISH_WINDOW_MS` for what other requests add, then queues them all (in the pipeline's
chunks of `notifications.tasks.CHUNK`). Under load a worker process publishes once per window
instead of once per request; a lone write waits the window (20 ms by default) longer for its push.

Nothing is lost that the pipeline would not recover anyway: the notification rows are the pushes'
outbox. Ids still waiting when the process dies (SIGKILL, a crash) are `pending` rows that no worker
claimed, which `push_pump` queues again once `PUSH_LEASE_SECONDS` have passed, as it does for a
publish that failed (broker down). On a normal exit the waiting ids are sent at once (atexit).

`PUSH_PUBLISH_WINDOW_MS = 0` publishes inline, in the request, after COMMIT (the tests run so:
eager Celery sends in the request's thread and its database connection).
"""

import atexit
import logging
import os
import threading
import time
from collections.abc import Callable

from django.conf import settings

logger = logging.getLogger(__name__)

Send = Callable[[list[str]], None]


class PushPublisher:
    def __init__(self, *, send: Send, window_seconds: Callable[[], float]) -> None:
        self._send = send
        self._window_seconds = window_seconds
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._pending: list[str] = []
        self._thread: threading.Thread | None = None
        self._pid = 0

    def publish(self, notification_ids: list[str]) -> None:
        """Queues the pushes of these committed notifications (now, or within the window)."""
        if not notification_ids:
            return
        if self._window_seconds() <= 0:
            self._send_logged(notification_ids)
            return
        with self._lock:
            self._start_in_this_process()
            self._pending.extend(notification_ids)
        self._wake.set()

    def flush(self) -> None:
        """Sends what is waiting now, in the caller's thread (at exit)."""
        with self._lock:
            waiting, self._pending = self._pending, []
        if waiting:
            self._send_logged(waiting)

    def _start_in_this_process(self) -> None:
        # A forked child (a gunicorn worker forked after import) has the parent's lists but not
        # its thread: it starts its own, and forgets what the parent had waiting (the parent sends it).
        if self._thread is not None and self._pid == os.getpid():
            return
        self._pending, self._pid = [], os.getpid()
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._run, name="push-publisher", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        wake = self._wake
        while True:
            wake.wait()
            time.sleep(self._window_seconds())
            with self._lock:
                wake.clear()
                waiting, self._pending = self._pending, []
            if waiting:
                self._send_logged(waiting)

    def _send_logged(self, notification_ids: list[str]) -> None:
        # After COMMIT: a failure must not reach the request that wrote them (nor stop the thread).
        try:
            self._send(notification_ids)
        except Exception as exc:
            logger.warning(
                "%s push(es) not queued (%s: %s); push_pump will queue them",
                len(notification_ids),
                type(exc).__name__,
                str(exc).strip()[:200],
            )


def _enqueue(notification_ids: list[str]) -> None:
    from notifications.tasks import enqueue_pushes  # the tasks import the delivery pipeline

    enqueue_pushes(notification_ids)


def _window_seconds() -> float:
    return max(0, settings.PUSH_PUBLISH_WINDOW_MS) / 1000


PUBLISHER = PushPublisher(send=_enqueue, window_seconds=_window_seconds)
atexit.register(PUBLISHER.flush)
