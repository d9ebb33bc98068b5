"""`GET sync/pull`: what changed for this user since their cursor (WatermelonDB's pull contract).

The cursor (`timestamp`) is the user's sync version at the moment the pull began. The counter is
read FIRST (or, in an incremental pull on PostgreSQL, in the same statement and snapshot as the
stamps and records), then only changes stamped at or below it are returned; docs/sync.md proves that
a change committing while a pull runs lands in the next pull.
"""

import json
import re
from collections import defaultdict
from typing import Any

from django.db import connection

from accounts.models import User
from config.api import sql
from config.api.errors import ApplicationError
from couples.scoping import active_couple_id
from sync.changes import FIRST_VERSION, _db_uuid, current_version
from sync.models import SyncCounter, SyncState
from sync.tables import TABLES, Table

SCHEMA_VERSION = 1


class InvalidCursorError(ApplicationError):
    code = "invalid_cursor"
    message = "last_pulled_at is not a cursor this server gave out. Pull again from scratch (no last_pulled_at)."


class UnsupportedSchemaError(ApplicationError):
    code = "unsupported_schema_version"
    message = f"This server speaks sync schema version {SCHEMA_VERSION}. Update the app."


def _empty() -> dict[str, list[Any]]:
    return {"created": [], "updated": [], "deleted": []}


def _states(*, user: User, after: int, upto: int) -> list[tuple[str, str, bool]]:
    """(table, record id, deleted) of the user's records stamped in (after, upto]: the index
    `sync_state_user_version`. Plain SQL: this runs on every pull, and the ORM spent more CPU building
    the query than PostgreSQL spent answering it."""
    statement = (
        f'SELECT "table", record_id, deleted FROM {SyncState._meta.db_table} '  # noqa: S608 (table name from model meta)
        "WHERE user_id = %s AND version > %s AND version <= %s"
    )
    rows = sql.fetch(statement, [_db_uuid(user.pk), after, upto])
    return [(name, record_id, bool(deleted)) for name, record_id, deleted in rows]


# The text of a UUID as `str(UUID)` writes it (what the server stamps). A state whose record id is
# not in this form is not cast in SQL (the cast could fail); its table then takes the `load` path,
# which treats such ids exactly as before.
_CANONICAL_UUID = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
_canonical_uuid = re.compile(_CANONICAL_UUID).fullmatch
_BIGINT_MAX = 2**63 - 1
_statements: dict[tuple[tuple[str, Any], ...], str] = {}


def _statement(json_tables: tuple[tuple[str, Any], ...]) -> str:
    """One statement for an incremental pull: the counter, the states in (after, counter], and the
    raw records of the `Table.json` tables among those states, as one JSON document
    `[counter, [[table, record id, deleted], ...] | null, records of each json table | null, ...]`.
    PostgreSQL builds the JSON, so Python parses one string instead of converting row by row, and
    one statement replaces three to four. One statement is one snapshot: the counter is still read
    with (not after) the stamps and records, which keeps docs/sync.md's argument (every version up to
    the counter committed before it, so it is in the same snapshot)."""
    found = _statements.get(json_tables)
    if found is None:
        subqueries = "".join(
            ", ("
            + make(
                "(SELECT CASE WHEN r ~ '" + _CANONICAL_UUID + "' THEN r::uuid END AS id "
                f"FROM s WHERE t = '{name}' AND NOT d) k"
            )
            + ")"
            for name, make in json_tables
        )
        found = (
            "WITH c AS MATERIALIZED ("  # noqa: S608 (names from model meta and TABLES, no input)
            "SELECT greatest(coalesce("
            f"(SELECT version FROM {SyncCounter._meta.db_table} WHERE user_id = %(user)s), 0), "
            f"{FIRST_VERSION - 1}) AS v), "
            's AS MATERIALIZED (SELECT "table" AS t, record_id AS r, deleted AS d '
            f"FROM {SyncState._meta.db_table} "
            "WHERE user_id = %(user)s AND version > %(after)s AND version <= (SELECT v FROM c)) "
            "SELECT json_build_array((SELECT v FROM c), "
            f"(SELECT json_agg(json_build_array(t, r, d)) FROM s){subqueries})::text"
        )
        _statements[json_tables] = found
    return found


def _incremental(user: User, after: int) -> dict[str, Any]:
    """An incremental pull on PostgreSQL: `_statement`, then the `load` path only for changed tables
    without `Table.json` (or with an id `_statement` does not cast). The same output as the
    per-table path below (tests/sync/test_pull_statement.py compares them)."""
    if after > _BIGINT_MAX:
        raise InvalidCursorError()  # above any counter (the per-table path finds the same)
    specs: list[tuple[str, Table]] = [(name, spec) for name, spec in TABLES.items() if spec.json is not None]
    statement = _statement(tuple((name, spec.json) for name, spec in specs))
    params = {"user": user.pk, "after": after, "couple": active_couple_id(user)}
    cursor, states, *records = json.loads(sql.fetch_named(statement, params)[0][0])
    if after > cursor:
        raise InvalidCursorError()
    changes: dict[str, dict[str, list[Any]]] = {name: _empty() for name in TABLES}
    changed: dict[str, set[str]] = defaultdict(set)
    for name, record_id, deleted in states or ():
        if name not in TABLES:
            continue
        if deleted:
            changes[name]["deleted"].append(record_id)
        else:
            changed[name].add(record_id)
    loaded = {name: (spec, rows or []) for (name, spec), rows in zip(specs, records, strict=True)}
    for name, ids in changed.items():
        if name in loaded and all(_canonical_uuid(record_id) for record_id in ids):
            spec, rows = loaded[name]
            finish = spec.finish
            changes[name]["updated"] = rows if finish is None else [finish(row) for row in rows]
            changes[name]["deleted"] += sorted(ids - {row["id"] for row in rows})
        else:
            _load(changes, user, name, ids)
    return {"changes": changes, "timestamp": cursor}


def _load(changes: dict[str, dict[str, list[Any]]], user: User, name: str, ids: set[str]) -> None:
    """The changed records of one table through `Table.changed` (a query of their own)."""
    spec = TABLES[name]
    records = spec.changed(user, ids)
    changes[name]["updated"] = [spec.raw(record, user) for record in records]
    # Stamped as changed but no longer visible (unshared, of an ended couple...): gone for this phone.
    changes[name]["deleted"] += sorted(ids - {str(record.pk) for record in records})


def pull(*, user: User, last_pulled_at: int | None = None, schema_version: int | None = None) -> dict[str, Any]:
    if schema_version is not None and schema_version != SCHEMA_VERSION:
        raise UnsupportedSchemaError()
    if last_pulled_at is not None and last_pulled_at >= 0 and connection.vendor == "postgresql":
        return _incremental(user, last_pulled_at)
    return pull_by_table(user=user, last_pulled_at=last_pulled_at)


def pull_by_table(*, user: User, last_pulled_at: int | None = None) -> dict[str, Any]:
    """The pull statement by statement: the counter, then the records (the first pull everywhere,
    incremental pulls on other databases, and the reference `_incremental` is tested against)."""
    cursor = current_version(user.pk)  # before reading any record: see docs/sync.md
    changes: dict[str, dict[str, list[Any]]] = {name: _empty() for name in TABLES}
    if last_pulled_at is None:
        # First sync: everything the user may hold. As "updated", like every later pull: the app syncs
        # with `sendCreatedAsUpdated: true`, and WatermelonDB logs an error for each "created" then.
        for name, table in TABLES.items():
            changes[name]["updated"] = [table.raw(record, user) for record in table.visible(user)]
        return {"changes": changes, "timestamp": cursor}
    if last_pulled_at < 0 or last_pulled_at > cursor:
        raise InvalidCursorError()

    changed: dict[str, set[str]] = defaultdict(set)
    for name, record_id, deleted in _states(user=user, after=last_pulled_at, upto=cursor):
        if name not in TABLES:
            continue
        if deleted:
            changes[name]["deleted"].append(record_id)
        else:
            changed[name].add(record_id)
    for name, ids in changed.items():
        _load(changes, user, name, ids)
    return {"changes": changes, "timestamp": cursor}
