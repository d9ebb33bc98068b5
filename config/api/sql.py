"""Hand-written SQL of the hottest request paths, as server-side prepared statements on PostgreSQL.

A few statements run on (nearly) every request: authentication's session query, the sync counter
and states of a pull. Each is the only implementation of its read and runs on SQLite too (where it
is a plain cursor); see "The read path, and where SQL is allowed" in docs/architecture.md. PostgreSQL plans each statement it is sent;
for these small joins planning took 2-3x longer than executing (pgbench on the benchmark database:
the session query 0.33 ms as a plain statement, 0.10 ms prepared). Django binds parameters on the
client (psycopg `ClientCursor`), which cannot prepare, and leaves psycopg's automatic preparation
off so that connection poolers keep working. `fetch` runs one statement with server-side binding and
`prepare=True` (turning psycopg's preparation back on for the connection, which affects no other
statement: Django's cursors bind on the client), so each connection plans it once; through Django's
cursor wrapper, so it is logged (and counted by `django_assert_num_queries`) and its errors wrapped
like any other query.

The setting `DB_PREPARED_STATEMENTS = False` sends them unprepared, for a transaction-mode pooler
that does not keep prepared statements (PgBouncer before 1.21, or without `max_prepared_statements`).
Other databases: a plain cursor.
"""

from collections.abc import Mapping, Sequence
from types import SimpleNamespace
from typing import Any

import psycopg
from django.conf import settings
from django.db import connection
from django.db.models import Model


class _Prepared:
    """A psycopg cursor whose `execute` prepares the statement (once per connection)."""

    def __init__(self, cursor: Any) -> None:
        self._cursor = cursor
        self._sent: tuple[str, Sequence[Any] | None] = ("", None)

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> Any:
        self._sent = (sql, params)
        return self._cursor.execute(sql, params, prepare=True)

    @property
    def _query(self) -> SimpleNamespace:
        """What Django's query log reads (`last_executed_query`): the statement with its values."""
        operations: Any = connection.ops  # PostgreSQL's (only used there)
        return SimpleNamespace(query=operations.compose_sql(*self._sent).encode())

    def __getattr__(self, name: str) -> Any:
        return getattr(self._cursor, name)


def fetch(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    """All rows of one `%s`-parameterised SELECT."""
    with connection.cursor() as cursor:  # the health check, the connection and the wrapper, as usual
        if connection.vendor != "postgresql" or not settings.DB_PREPARED_STATEMENTS:
            cursor.execute(sql, params)
            return cursor.fetchall()
    raw = connection.connection
    if raw.prepare_threshold is None:
        # Django switches psycopg's preparation off on its connections (for poolers), which makes
        # `prepare=True` a no-op. It only ever applies to server-side-bound cursors, and Django's own
        # are client-side (they cannot prepare): only the statements sent here are affected.
        raw.prepare_threshold = 5  # psycopg's default
    prepared: Any = _Prepared(psycopg.Cursor(raw))  # server-side binding
    wrapped = connection.make_debug_cursor(prepared) if connection.queries_logged else connection.make_cursor(prepared)
    with wrapped:
        wrapped.execute(sql, params)
        return wrapped.fetchall()


def fetch_named(sql: str, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
    """`fetch` of a statement with `%(name)s` placeholders: a value it uses several times is sent
    once (psycopg numbers the names; Django's cursor wrapper and query log take either form)."""
    return fetch(sql, params)  # type: ignore[arg-type]


class Columns:
    """Some columns of a model: their SELECT list, and rows of them as dicts with the values `.values()`
    would give (the backend's and the fields' converters applied, e.g. JSON decoded)."""

    def __init__(self, model: type[Model], names: Sequence[str], *, alias: str = "") -> None:
        self.names = list(names)
        self.fields = [model._meta.get_field(name) for name in names]
        prefix = f"{alias}." if alias else ""
        self.select = ", ".join(f"{prefix}{field.column}" for field in self.fields)  # type: ignore[union-attr]

    def dicts(self, rows: Sequence[Sequence[Any]]) -> list[dict[str, Any]]:
        converters = []
        for index, field in enumerate(self.fields):
            column = field.get_col(field.model._meta.db_table)  # type: ignore[union-attr]
            found = [*connection.ops.get_db_converters(column), *column.get_db_converters(connection)]
            if found:
                converters.append((index, column, found))
        if not converters:
            return [dict(zip(self.names, row, strict=True)) for row in rows]
        converted = []
        for row in rows:
            values = list(row)
            for index, column, functions in converters:
                for function in functions:
                    values[index] = function(values[index], column, connection)
            converted.append(dict(zip(self.names, values, strict=True)))
        return converted
