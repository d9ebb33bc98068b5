"""Stamping changes for sync: the writing side of the "never miss a change" guarantee.

`stamp` runs inside the writer's transaction. For each affected user it increments the user's
counter with `INSERT … ON CONFLICT DO UPDATE … RETURNING` — which takes the counter row's lock until
the transaction ends — and records the changed records in `SyncState` with the new value. Two
writers touching one user therefore get consecutive versions in commit order: the second waits for
the first to commit before it can even read the counter. Counters of several users are locked in
user-id order, so writers never deadlock on them.

Inside `batched()` (what a sync push runs each of its transactions in) stamps are collected and
written once, when the block ends: one counter bump per user instead of one per record, and the
counter rows are locked only for the last moment of the transaction, after every row lock the
writes took (the lock order of docs/architecture.md: records first, sync counters last).

Versions start at 2: 1 is the cursor of a user with nothing stamped yet (`current_version`), so a
first pull never answers 0, which WatermelonDB refuses as a timestamp.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import wraps
from typing import Any, ParamSpec, TypeVar
from uuid import UUID

from django.db import connection, transaction

from config.api import sql
from config.db import json_rows, uuid_array
from sync.models import SyncCounter, SyncState


@dataclass(frozen=True)
class Change:
    user_id: UUID
    table: str
    record_id: str
    deleted: bool = False


FIRST_VERSION = 2


P = ParamSpec("P")
R = TypeVar("R")


@dataclass
class _Batch:
    changes: list[Change] = field(default_factory=list)
    # Audiences looked up during the batch (couple id -> active members): a push writes hundreds of
    # records of one couple, and its membership cannot change under the push's own transaction.
    members: dict[UUID, list[UUID]] = field(default_factory=dict)


_batch: ContextVar[_Batch | None] = ContextVar("sync_batch", default=None)


@contextmanager
def batched() -> Iterator[None]:
    """Collects every stamp made in the block and writes them together when it ends without error.

    Use it inside the transaction whose writes it stamps (the stamps must commit with them)."""
    batch = _Batch()
    token = _batch.set(batch)
    try:
        yield
    finally:
        _batch.reset(token)
    stamp(batch.changes)


def stamped_once(function: Callable[P, R]) -> Callable[P, R]:
    """Runs `function` in `batched()`: a write that stamps several records (its own, the partner's
    notification) bumps each counter once. Put it under `@transaction.atomic`."""

    @wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with batched():
            return function(*args, **kwargs)

    return wrapper


def batch_members(couple_id: UUID, load: Callable[[UUID], list[UUID]]) -> list[UUID]:
    """`load(couple_id)`, remembered for the rest of the current `batched()` block (if any)."""
    batch = _batch.get()
    if batch is None:
        return load(couple_id)
    if couple_id not in batch.members:
        batch.members[couple_id] = load(couple_id)
    return batch.members[couple_id]


def stamp(changes: Iterable[Change]) -> dict[UUID, int]:
    """Bumps each affected user's counter once and stamps their changed records; returns the versions
    (nothing inside `batched()`, which stamps when it ends)."""
    batch = _batch.get()
    if batch is not None:
        batch.changes.extend(changes)
        return {}
    by_user: dict[UUID, dict[tuple[str, str], bool]] = defaultdict(dict)
    for change in changes:
        by_user[change.user_id][(change.table, change.record_id)] = change.deleted
    if not by_user:
        return {}
    rows = [
        (user_id, table, record_id, deleted)
        for user_id, records in by_user.items()
        for (table, record_id), deleted in records.items()
    ]
    with transaction.atomic(savepoint=False):
        if connection.vendor == "postgresql":
            return _bump_and_upsert(sorted(by_user, key=str), rows)
        versions = _bump(sorted(by_user, key=str))
        _upsert_states(
            [(user_id, table, record, versions[user_id], deleted) for user_id, table, record, deleted in rows]
        )
    return versions


# The counter rows: a missing one starts at FIRST_VERSION; one older than it (0 or 1) jumps to it,
# never to a cursor already given; any other goes up by one.
_COUNTER = SyncCounter._meta.db_table
_BUMP = (
    f"INSERT INTO {_COUNTER} (user_id, version) {{rows}} ON CONFLICT (user_id) DO UPDATE SET version = "
    f"CASE WHEN {_COUNTER}.version < {FIRST_VERSION} THEN {FIRST_VERSION} ELSE {_COUNTER}.version + 1 END"
)
_STATE = SyncState._meta.db_table
_UPSERT = (
    f'INSERT INTO {_STATE} (user_id, "table", record_id, version, deleted) {{rows}} '
    'ON CONFLICT (user_id, "table", record_id) DO UPDATE SET version = excluded.version, deleted = excluded.deleted'
)
# PostgreSQL: both in one statement (one round trip less on every write). The ids come as one array
# parameter and the records as one JSON parameter (config.db), not a placeholder per value. unnest
# keeps the ids' order, so the counters are still locked in user-id order, and each state row is
# written from its user's new version (the WITH's RETURNING): after that user's counter is locked.
_NEW_VERSIONS = f"SELECT u, {FIRST_VERSION} FROM unnest(%s::uuid[]) AS u"  # noqa: S608 (a constant)
_NEW_STATES = (
    "SELECT x.u, x.t, x.r, bumped.version, x.d FROM json_to_recordset(%s::json) "
    "AS x(u uuid, t text, r text, d boolean) JOIN bumped ON bumped.user_id = x.u"
)
_BUMP_AND_UPSERT = (
    f"WITH bumped AS ({_BUMP.format(rows=_NEW_VERSIONS)} RETURNING user_id, version) "
    f"{_UPSERT.format(rows=_NEW_STATES)} RETURNING user_id, version"
)


def _bump_and_upsert(user_ids: list[UUID], rows: list[tuple[UUID, str, str, bool]]) -> dict[UUID, int]:
    records = json_rows([{"u": u, "t": t, "r": r, "d": d} for u, t, r, d in rows])
    with connection.cursor() as cursor:
        cursor.execute(_BUMP_AND_UPSERT, [uuid_array(user_ids), records])
        return dict(cursor.fetchall())


def _bump(user_ids: list[UUID]) -> dict[UUID, int]:
    rows = "VALUES " + ", ".join([f"(%s, {FIRST_VERSION})"] * len(user_ids))
    with connection.cursor() as cursor:
        cursor.execute(_BUMP.format(rows=rows) + " RETURNING user_id, version", [_db_uuid(u) for u in user_ids])
        return {_as_uuid(user_id): version for user_id, version in cursor.fetchall()}


def _upsert_states(values: list[tuple[UUID, str, str, int, bool]]) -> None:
    params: list[Any] = []
    for user_id, table, record_id, version, deleted in values:
        params += [_db_uuid(user_id), table, record_id, version, deleted]
    rows = "VALUES " + ", ".join(["(%s, %s, %s, %s, %s)"] * len(values))
    with connection.cursor() as cursor:
        cursor.execute(_UPSERT.format(rows=rows), params)


def _db_uuid(value: UUID) -> Any:
    # SQLite stores UUIDs as 32 hex characters; PostgreSQL takes the UUID itself.
    return value if connection.vendor == "postgresql" else UUID(str(value)).hex


def _as_uuid(value: object) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))


def current_version(user_id: UUID) -> int:
    """The user's last committed version, at least 1 (the cursor of "nothing stamped yet": every
    stamp is at least FIRST_VERSION, so nothing is ever missed behind it).

    Read at the start of every pull: plain SQL on the counter's primary key, no ORM query to build.
    """
    statement = f"SELECT version FROM {SyncCounter._meta.db_table} WHERE user_id = %s"  # noqa: S608 (name from model meta)
    rows = sql.fetch(statement, [_db_uuid(user_id)])
    return max(rows[0][0] if rows else 0, FIRST_VERSION - 1)
