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
from sync.changes import _db_uuid, current_version
from sync.models import SyncState
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


def _states(*, user: User, after: int, upto: int) -> tuple[list[tuple[str, str, bool]], int]:
    """(table, record id, deleted) of the user's records stamped in (after, upto] (the index
    `sync_state_user_version`), and the version through which the user's tombstones were purged
    (accounts.TombstoneWatermark, 0 when never). One statement, so one snapshot: the retention purge
    deletes tombstones and moves the watermark in one transaction, so either these states still hold
    the purged tombstones or the watermark read with them says they are gone. Plain SQL: this runs on
    every pull, and the ORM spent more CPU building the query than the database spent answering it."""
    statement = (
        f'SELECT "table", record_id, deleted, NULL FROM {SyncState._meta.db_table} '  # noqa: S608 (names from model meta)
        "WHERE user_id = %s AND version > %s AND version <= %s "
        f"UNION ALL SELECT NULL, NULL, NULL, purged_through FROM {TombstoneWatermark._meta.db_table} WHERE user_id = %s"
    )
    user_id = _db_uuid(user.pk)
    states, purged_through = [], 0
    for name, record_id, deleted, watermark in sql.fetch(statement, [user_id, after, upto, user_id]):
        if name is None:
            purged_through = watermark
        else:
            states.append((name, record_id, bool(deleted)))
    return states, purged_through


def _load(changes: dict[str, dict[str, list[Any]]], user: User, name: str, ids: set[str]) -> None:
    """The changed records of one table, as the user may see them (one query)."""
    spec = TABLES[name]
    records = spec.records(Viewer.of(user), ids)
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
    is the session query, the counter, the states in range, and one query per changed table."""
    if schema_version is not None and schema_version != SCHEMA_VERSION:
        raise UnsupportedSchemaError()
    cursor = current_version(user.pk)  # before reading any record: see docs/sync.md
    if last_pulled_at is None:
        return _everything(user, cursor)
    if last_pulled_at < 0 or last_pulled_at > cursor:
        raise InvalidCursorError()

    states, purged_through = _states(user=user, after=last_pulled_at, upto=cursor)
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
    for name, ids in changed.items():
        _load(changes, user, name, ids)
    return {"changes": changes, "timestamp": cursor}
