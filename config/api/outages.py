"""Answers for a request that a dependency let down: JSON `503` with `Retry-After`, never a 500.

PostgreSQL restarting, Redis stopped, the broker unreachable, a request that ran out of time: none of
them is the client's fault or a bug in the request, and each one passes. The app answers the error
envelope with status 503, a stable code and a `Retry-After` the mobile app honours, so it retries
(with the same Idempotency-Key for writes) instead of showing "something went wrong".

Two places use `outage_response`: the DRF exception handler (errors raised in a view) and
`handler500` (errors raised anywhere else: a middleware, the idempotency claim, a COMMIT). Django
calls `handler500` inside its `except` block, so the exception is still `sys.exc_info()` there.
"""

import logging
import sys
from dataclasses import dataclass
from typing import Any

from django.db import InterfaceError, OperationalError
from django.http import JsonResponse

from config.api.deadline import DeadlineExceededError, stopped_by_deadline
from config.api.errors import envelope

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outage:
    code: str
    message: str
    retry_after: int


DATABASE = Outage("service_unavailable", "The service is briefly unavailable. Please try again shortly.", 5)
BROKER = Outage("service_unavailable", "The service is briefly unavailable. Please try again shortly.", 10)
DEADLINE = Outage("deadline_exceeded", "The request took too long and was stopped. Please try again.", 5)


def _transient_error_types() -> tuple[tuple[type[BaseException], ...], tuple[type[BaseException], ...]]:
    """(database errors, Redis/broker errors); imported lazily so the embedded default needs neither."""
    from kombu.exceptions import OperationalError as KombuOperationalError
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    # django.db.OperationalError covers a refused or dropped connection, an administrator shutdown,
    # a statement or lock timeout, and a deadlock victim: all transient. InterfaceError is a
    # connection Django still held after the server went away.
    return (OperationalError, InterfaceError), (RedisConnectionError, RedisTimeoutError, KombuOperationalError)


def classify(exc: BaseException | None) -> Outage | None:
    """The outage `exc` is a symptom of, or None for an ordinary error (a bug: 500)."""
    if exc is None:
        return None
    if isinstance(exc, DeadlineExceededError):
        return DEADLINE
    database, broker = _transient_error_types()
    if isinstance(exc, database):
        # A statement the deadline's timer cancelled fails with QueryCanceled (an OperationalError).
        return DEADLINE if stopped_by_deadline() else DATABASE
    if isinstance(exc, broker):
        return BROKER
    return None


def unavailable(exc: BaseException | None) -> tuple[dict[str, Any], int] | None:
    """(503 envelope, Retry-After seconds) for an outage, or None when `exc` is not one."""
    outage = classify(exc)
    if outage is None:
        return None
    # One line, not a traceback per request: during an outage every request lands here.
    logger.warning("answered 503 %s: %s: %s", outage.code, type(exc).__name__, str(exc).strip()[:200])
    return envelope(outage.code, outage.message, retry_after=outage.retry_after), outage.retry_after


def outage_response(exc: BaseException | None) -> JsonResponse | None:
    """The 503 envelope for an outage as a response, or None when `exc` is not one."""
    answer = unavailable(exc)
    if answer is None:
        return None
    body, retry_after = answer
    response = JsonResponse(body, status=503)
    response["Retry-After"] = str(retry_after)
    return response


def current_outage_response() -> JsonResponse | None:
    """`outage_response` for the exception being handled (inside an `except` block, or handler500)."""
    return outage_response(sys.exc_info()[1])
