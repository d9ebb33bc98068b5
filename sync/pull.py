"""`GET sync/pull`: what changed for this user since their cursor (WatermelonDB's pull contract).

The cursor (`timestamp`) is the user's sync version at the moment the pull began. The counter is
read FIRST, then only changes stamped at or below it are returned; docs/sync.md proves that a
change committing while a pull runs lands in the next pull.
"""

from collections import defaultdict
from typing import Any

from django.utils.translation import gettext_lazy as _

from accounts.models import TombstoneWatermark, User
from config.api import sql
from config.api.errors import ApplicationError
from sync.changes import FIRST_VERSION, _db_uuid, current_version
from sync.models import SyncCounter, SyncState
from sync.tables import TABLES, Viewer

SCHEMA_VERSION = 1


class InvalidCursorError(ApplicationError):
    code = "invalid_cursor"
    message = _("last_pulled_at is not a cursor this server gave out. Pull again from scratch (no last_pulled_at).")


class UnsupportedSchemaError(ApplicationError):
    code = "unsupported_schema_version"
    message = f"This server speaks sync schema version {SCHEMA_VERSION}. Update the app."


def _empty() -> dict[str, list[Any]]:
    return {"created": [], "updated": [], "deleted": []}


def _changes_since(*, user: User, after: int) -> tuple[int, list[tuple[str, str, bool]], int]:
    """The user's cursor (their committed sync version, `current_version`), the (table, record id,
    deleted) of their records stamped in (after, cursor] (the index `sync_state_user_version`), and the
    version through which their tombstones were purged (accounts.TombstoneWatermark, 0 when never).

    One statement, so one snapshot: every version up to the counter it reads was committed before
    that snapshot, so every stamp up to it is in the same snapshot (docs/sync.md); and the retention
    purge deletes tombstones and moves the watermark in one transaction, so either these states still
    hold the purged tombstones or the watermark read with them says they are gone. Plain SQL: this
    runs on every pull, and the ORM spent more CPU building the query than the database answering it."""
    counter = f"SELECT version FROM {SyncCounter._meta.db_table} WHERE user_id = %s"  # noqa: S608 (names from model meta)
    statement = (
        # The first branch's NULLs typed: three branches would resolve two untyped NULLs to text.
        'SELECT "table", record_id, deleted, CAST(NULL AS BIGINT), CAST(NULL AS BIGINT) '  # noqa: S608 (names from model meta)
        f"FROM {SyncState._meta.db_table} "
        f"WHERE user_id = %s AND version > %s AND version <= ({counter}) "
        f"UNION ALL SELECT NULL, NULL, NULL, purged_through, NULL FROM {TombstoneWatermark._meta.db_table} "
        f"WHERE user_id = %s UNION ALL SELECT NULL, NULL, NULL, NULL, version FROM ({counter}) AS counter"
    )
    user_id = _db_uuid(user.pk)
    states, purged_through, version = [], 0, 0
    for name, record_id, deleted, watermark, counted in sql.fetch(
        statement, [user_id, after, user_id, user_id, user_id]
    ):
        if counted is not None:
            version = counted
        elif name is None:
            purged_through = watermark
        else:
            states.append((name, record_id, bool(deleted)))
    return max(version, FIRST_VERSION - 1), states, purged_through


def _load(changes: dict[str, dict[str, list[Any]]], user: User, name: str, ids: set[str], records: list[Any]) -> None:
    """The changed records of one table, as the user may see them."""
    spec = TABLES[name]
    changes[name]["updated"] = [spec.raw(record, user) for record in records]
    # Stamped as changed but no longer visible (unshared, of an ended couple...): gone for this phone.
    changes[name]["deleted"] += sorted(ids - {str(record.pk) for record in records})


def _everything(user: User, cursor: int) -> dict[str, Any]:
    """A full pull: every record the user may hold. As "updated", like every later pull: the app syncs
    with `sendCreatedAsUpdated: true`, and WatermelonDB logs an error for each "created" then."""
    changes = {name: _empty() for name in TABLES}
    viewer = Viewer.of(user)
    for name, table in TABLES.items():
        changes[name]["updated"] = [table.raw(record, user) for record in table.records(viewer)]
    return {"changes": changes, "timestamp": cursor}


def pull(*, user: User, last_pulled_at: int | None = None, schema_version: int | None = None) -> dict[str, Any]:
    """The counter first, then the records (docs/sync.md: why nothing is missed): an incremental pull
    is the session query, the counter with the states in range (one statement), and one query per
    changed table, plus one for the changed goals' links."""
    if schema_version is not None and schema_version != SCHEMA_VERSION:
        raise UnsupportedSchemaError()
    if last_pulled_at is None:
        return _everything(user, current_version(user.pk))  # before reading any record: see docs/sync.md
    if last_pulled_at < 0:
        raise InvalidCursorError()
    # The counter and the stamps up to it, read in one snapshot (docs/sync.md).
    cursor, states, purged_through = _changes_since(user=user, after=last_pulled_at)
    if last_pulled_at > cursor:
        raise InvalidCursorError()
    if last_pulled_at < purged_through:
        # The phone was away longer than tombstones are kept: deletions it never got are purged.
        # Everything it may hold, and WatermelonDB's replacement strategy drops whatever else it has
        # (its own unsynced records excepted).
        return {**_everything(user, cursor), "experimental_strategy": "replacement"}
    changes: dict[str, dict[str, list[Any]]] = {name: _empty() for name in TABLES}
    changed: dict[str, set[str]] = defaultdict(set)
    for name, record_id, deleted in states:
        if name not in TABLES:
            continue
        if deleted:
            changes[name]["deleted"].append(record_id)
        else:
            changed[name].add(record_id)
    viewer = Viewer.of(user)
    for name, ids in changed.items():
        _load(changes, user, name, ids, TABLES[name].records(viewer, ids))
    return {"changes": changes, "timestamp": cursor}
