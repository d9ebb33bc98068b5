"""Idempotency-Key records: claim a key, run the request, keep its response, replay it.

The HTTP side is `config.api.idempotency.IdempotencyMiddleware`; these functions hold the rules.

A key belongs to one user. The claim, the request's own writes and the stored response are ONE
transaction (the middleware's): either all of them commit or none does. So a retry after any
failure (a 5xx, a dropped connection, a killed process, a COMMIT whose answer was lost) finds
either the stored response, which it replays, or no trace of the first attempt, and runs once.
The claim is an `INSERT … ON CONFLICT DO NOTHING`: a concurrent duplicate's insert waits on the
unique key until the first request's transaction ends, then finds its stored response (or, if it
rolled back, claims the key itself). Responses worth retrying (5xx, 429) are not kept: their
transaction rolls back. A request is identified by its method, its path with query string and the
sha256 of its raw body; the same key on another request is refused.

An in-progress row can only be committed by a claim made outside a transaction (older releases,
tests): it is taken over after `IN_PROGRESS_LEASE`. A record older than IDEMPOTENCY_TTL_HOURS counts
as gone even before the daily purge deletes it. `created_at` doubles as the claim's fencing token: a
takeover moves it, so the request that lost its claim can no longer complete or release the row.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import status

from accounts.models import IdempotencyRecord, User
from config.api.errors import ApplicationError

# Far beyond gunicorn's 30 s request timeout: a claim this old belongs to a dead request.
IN_PROGRESS_LEASE = timedelta(minutes=5)


class InvalidIdempotencyKeyError(ApplicationError):
    code = "invalid_idempotency_key"
    message = _("Idempotency-Key must be 1 to 255 printable ASCII characters (a UUID is a good key).")


class IdempotencyKeyReusedError(ApplicationError):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    code = "idempotency_key_reused"
    message = _("This Idempotency-Key was used for a different request. Use a new key for a new request.")


class IdempotencyKeyInProgressError(ApplicationError):
    status_code = status.HTTP_409_CONFLICT
    code = "idempotency_key_in_progress"
    message = _("A request with this Idempotency-Key is still being processed. Retry in a moment.")

    def __init__(self) -> None:
        super().__init__(extra={"retry_after": 1})


@dataclass(frozen=True)
class RequestFingerprint:
    method: str
    path: str
    body_sha256: str


def _ttl() -> timedelta:
    return timedelta(hours=settings.IDEMPOTENCY_TTL_HOURS)


def _is_same_request(record: IdempotencyRecord, request: RequestFingerprint) -> bool:
    return (record.method, record.path, record.request_hash) == (request.method, request.path, request.body_sha256)


def idempotency_claim(
    *, user: User, key: str, request: RequestFingerprint, now: datetime | None = None
) -> tuple[IdempotencyRecord, bool]:
    """Claims `key` of `user` for `request`.

    `(record, True)`: the claim is ours; run the request, then `idempotency_complete` or
    `idempotency_release`. `(record, False)`: the key's request already ran with this exact
    request; replay `record`. Raises `IdempotencyKeyReusedError` (422) when the key belongs to
    another request, `IdempotencyKeyInProgressError` (409) while its first request is still running.
    """
    now = now or timezone.now()
    inserted = _insert(user=user, key=key, request=request, now=now)
    if inserted is not None:
        return inserted, True
    try:
        record = IdempotencyRecord.objects.get(user=user, key=key)
    except IdempotencyRecord.DoesNotExist:
        # Released or purged between the two statements: the client's retry will claim it.
        raise IdempotencyKeyInProgressError() from None
    if record.created_at <= now - _ttl():
        return _take_over(record, request=request, now=now), True
    if not _is_same_request(record, request):
        raise IdempotencyKeyReusedError()
    if record.completed:
        return record, False
    if record.created_at <= now - IN_PROGRESS_LEASE:
        return _take_over(record, request=request, now=now), True
    raise IdempotencyKeyInProgressError()


def _insert(*, user: User, key: str, request: RequestFingerprint, now: datetime) -> IdempotencyRecord | None:
    """The in-progress claim, or None when the user already has the key.

    `ON CONFLICT DO NOTHING` rather than catching an IntegrityError: no savepoint is needed inside
    the middleware's transaction, and a conflict with a key another transaction is still writing
    waits for that transaction's outcome instead of failing.
    """
    record = IdempotencyRecord(
        user=user, key=key, method=request.method, path=request.path, request_hash=request.body_sha256, created_at=now
    )
    table = IdempotencyRecord._meta.db_table
    fields = [field for field in IdempotencyRecord._meta.concrete_fields if field.name in _INSERTED]
    columns = ", ".join(str(field.column) for field in fields)
    statement = (
        f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))}) "  # noqa: S608 (names from model meta)
        "ON CONFLICT (user_id, key) DO NOTHING RETURNING id"
    )
    conn = transaction.get_connection()
    params = [f.get_db_prep_save(getattr(record, f.attname), conn) for f in fields]
    with conn.cursor() as cursor:
        cursor.execute(statement, params)
        row = cursor.fetchone()
    if row is None:
        return None
    record.pk = row[0]
    return record


_INSERTED = (
    "user",
    "key",
    "method",
    "path",
    "request_hash",
    "completed",
    "response_status",
    "response_body",
    "response_headers",
    "created_at",
)


def _take_over(record: IdempotencyRecord, *, request: RequestFingerprint, now: datetime) -> IdempotencyRecord:
    """Claims an expired or abandoned record afresh; exactly one of concurrent takers wins."""
    fresh = {
        "method": request.method,
        "path": request.path,
        "request_hash": request.body_sha256,
        "completed": False,
        "response_status": None,
        "response_body": "",
        "response_headers": {},
        "created_at": now,
    }
    taken = IdempotencyRecord.objects.filter(pk=record.pk, created_at=record.created_at).update(**fresh)
    if not taken:
        raise IdempotencyKeyInProgressError()
    for name, value in fresh.items():
        setattr(record, name, value)
    return record


def _own_claim(record: IdempotencyRecord) -> "models.QuerySet[IdempotencyRecord]":
    return IdempotencyRecord.objects.filter(pk=record.pk, created_at=record.created_at, completed=False)


def idempotency_complete(*, record: IdempotencyRecord, status_code: int, body: str, headers: dict[str, str]) -> None:
    """Stores the response of a claimed request, for replays until the record expires."""
    _own_claim(record).update(completed=True, response_status=status_code, response_body=body, response_headers=headers)


def idempotency_release(*, record: IdempotencyRecord) -> None:
    """Forgets a claim whose request should run again on a retry (committed claims only; the
    middleware's claims roll back with their transaction instead)."""
    _own_claim(record).delete()


def idempotency_records_purge(*, now: datetime) -> int:
    """Deletes the records older than IDEMPOTENCY_TTL_HOURS; returns how many."""
    from accounts.services.retention import delete_in_batches

    return delete_in_batches(IdempotencyRecord.objects.filter(created_at__lt=now - _ttl()))
