"""Stamping changes for sync: the writing side of the "never miss a change" guarantee.

`stamp` runs inside the writer's transaction. For each affected user it increments the user's
counter with `INSERT … ON CONFLICT DO UPDATE … RETURNING` — which takes the counter row's lock until
the transaction ends — and records the changed records in `SyncState` with the new value. Two
writers touching one user therefore get consecutive versions in commit order: the second waits for
the first to commit before it can even read the counter. Counters of several users are locked in
user-id order, so writers never deadlock on them.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
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


def stamp(changes: Iterable[Change]) -> dict[UUID, int]:
    """Bumps each affected user's counter once and stamps their changed records; returns the versions."""
    by_user: dict[UUID, dict[tuple[str, str], bool]] = defaultdict(dict)
    for change in changes:
        by_user[change.user_id][(change.table, change.record_id)] = change.deleted
    if not by_user:
        return {}
    with transaction.atomic(savepoint=False):
        versions = _bump(sorted(by_user, key=str))
        _upsert_states(
            (user_id, table, record_id, versions[user_id], deleted)
            for user_id, records in by_user.items()
            for (table, record_id), deleted in records.items()
        )
    return versions


def _bump(user_ids: list[UUID]) -> dict[UUID, int]:
    counter = SyncCounter._meta.db_table
    if connection.vendor == "postgresql":
        # All ids in one array parameter (config.db: a VALUES list costs a placeholder each); unnest
        # keeps their order, so the counters are still locked in user-id order.
        rows = "SELECT u, 1 FROM unnest(%s::uuid[]) AS u"
        params: list[Any] = [uuid_array(user_ids)]
    else:
        rows = "VALUES " + ", ".join(["(%s, 1)"] * len(user_ids))
        params = [_db_uuid(user_id) for user_id in user_ids]
    sql = (
        f"INSERT INTO {counter} (user_id, version) {rows} "
        f"ON CONFLICT (user_id) DO UPDATE SET version = {counter}.version + 1 RETURNING user_id, version"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {_as_uuid(user_id): version for user_id, version in cursor.fetchall()}


def _upsert_states(rows: Iterable[tuple[UUID, str, str, int, bool]]) -> None:
    values = list(rows)
    state = SyncState._meta.db_table
    params: list[Any] = []
    if connection.vendor == "postgresql":
        # The rows as one JSON parameter (config.db), rather than five placeholders per row.
        source = "SELECT * FROM json_to_recordset(%s::json) AS x(u uuid, t text, r text, v bigint, d boolean)"
        params.append(json_rows([{"u": u, "t": t, "r": r, "v": v, "d": d} for u, t, r, v, d in values]))
    else:
        source = "VALUES " + ", ".join(["(%s, %s, %s, %s, %s)"] * len(values))
        for user_id, table, record_id, version, deleted in values:
            params += [_db_uuid(user_id), table, record_id, version, deleted]
    sql = (
        f'INSERT INTO {state} (user_id, "table", record_id, version, deleted) {source} '
        'ON CONFLICT (user_id, "table", record_id) DO UPDATE SET version = excluded.version, deleted = excluded.deleted'
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _db_uuid(value: UUID) -> Any:
    # SQLite stores UUIDs as 32 hex characters; PostgreSQL takes the UUID itself.
    return value if connection.vendor == "postgresql" else UUID(str(value)).hex


def _as_uuid(value: object) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))


def current_version(user_id: UUID) -> int:
    """The user's last committed version (0 before their first change).

    Read at the start of every pull: plain SQL on the counter's primary key, no ORM query to build.
    """
    statement = f"SELECT version FROM {SyncCounter._meta.db_table} WHERE user_id = %s"  # noqa: S608 (name from model meta)
    rows = sql.fetch(statement, [_db_uuid(user_id)])
    return rows[0][0] if rows else 0
