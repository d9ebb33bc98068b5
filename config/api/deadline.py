"""A time budget for every request, shorter than gunicorn's worker timeout.

gunicorn kills a worker whose request runs past `--timeout` (30 s, Dockerfile) and the client gets
its HTML error page, or a dropped connection: it cannot tell a slow request from a crash, and the
process is lost. Each request here gets REQUEST_DEADLINE_SECONDS (25 s by default) instead:

- code that runs long polls `remaining()` (seconds left, `math.inf` outside a request) or calls
  `check()`, and stops cleanly (sync push checks between batches);
- whatever does not poll is stopped by a timer (SIGALRM, in gunicorn's sync workers: the request
  runs in the process's main thread) that raises `DeadlineExceededError` where the code stands;
  the open transaction rolls back (so a retry with the same Idempotency-Key redoes it or replays
  the stored answer) and the client gets the JSON envelope: `503 deadline_exceeded`, `Retry-After`.

Threaded servers (runserver, gthread workers, the test client in a thread) get the cooperative part
only: signals reach the main thread alone.
"""

import contextlib
import math
import signal
import threading
import time
from collections.abc import Callable
from contextvars import ContextVar
from types import FrameType

from django.conf import settings
from django.db import connections
from django.http import HttpRequest, HttpResponse, HttpResponseBase

_deadline: ContextVar[float | None] = ContextVar("request_deadline", default=None)
# Set when the timer fired during the request: its database connections may be mid-statement.
_fired: ContextVar[bool] = ContextVar("request_deadline_fired", default=False)


class DeadlineExceededError(Exception):
    """The request used up its time budget. An Exception (not BaseException) so Django and DRF turn
    it into a response; config.api.outages makes that response the 503 envelope."""


def remaining() -> float:
    """Seconds the current request has left (never negative); `math.inf` outside a request."""
    deadline = _deadline.get()
    if deadline is None:
        return math.inf
    return max(0.0, deadline - time.monotonic())


def check() -> None:
    """Raises DeadlineExceededError when the current request has no time left."""
    if remaining() <= 0:
        raise DeadlineExceededError()


def stopped_by_deadline() -> bool:
    """True once the timer fired during the current request (its errors are the deadline's doing)."""
    return _fired.get()


def _on_alarm(signum: int, frame: FrameType | None) -> None:
    if _deadline.get() is None:
        return
    _fired.set(True)
    if _cancel_running_statements():
        # The statement fails with QueryCanceled where it waits, and the connection stays usable
        # (the server stopped the work too, and dropped its locks): config.api.outages answers it.
        return
    raise DeadlineExceededError()


def _cancel_running_statements() -> bool:
    """Asks PostgreSQL to cancel the statement a connection of this request waits on; True if one did."""
    cancelled = False
    for connection in connections.all(initialized_only=True):
        raw = connection.connection
        if connection.vendor != "postgresql" or raw is None:
            continue
        from psycopg import pq

        if raw.info.transaction_status == pq.TransactionStatus.ACTIVE:
            raw.cancel_safe(timeout=1)
            cancelled = True
    return cancelled


def _can_arm() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


class RequestDeadlineMiddleware:
    """Outermost middleware: sets the budget, arms the timer, answers the envelope when it runs out."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        budget = float(settings.REQUEST_DEADLINE_SECONDS)
        if budget <= 0:
            return self.get_response(request)
        token = _deadline.set(time.monotonic() + budget)
        fired = _fired.set(False)
        armed = _can_arm()
        previous: object = None
        try:
            if armed:
                previous = signal.signal(signal.SIGALRM, _on_alarm)
                signal.setitimer(signal.ITIMER_REAL, budget)
            try:
                response = self.get_response(request)
            finally:
                if armed:
                    signal.setitimer(signal.ITIMER_REAL, 0)
            if _fired.get():
                _drop_busy_connections()  # the inner layers answered the 503; their connection is suspect
            return response
        except DeadlineExceededError:
            # Raised after the inner layers answered (the timer fired in between): they had no
            # chance to turn it into a response.
            from config.api.outages import outage_response

            _drop_busy_connections()
            return outage_response(DeadlineExceededError()) or HttpResponse(status=503)
        finally:
            if armed:
                signal.signal(signal.SIGALRM, previous)  # type: ignore[arg-type]
            _deadline.reset(token)
            _fired.reset(fired)


def _drop_busy_connections() -> None:
    """A connection interrupted mid-statement cannot be reused: close it (the next request opens one).

    One still inside a transaction belongs to an enclosing owner (a test's), not to this request."""
    for connection in connections.all(initialized_only=True):
        if connection.in_atomic_block:
            continue
        with contextlib.suppress(Exception):  # closing a broken connection may fail; it is gone either way
            connection.close()
