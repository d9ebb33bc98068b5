"""Bulk SQL helpers for hot paths on PostgreSQL: many rows or ids in ONE query parameter.

Django runs psycopg with client-side binding: every `%s` is found by a regex over the statement and
each value is quoted in Python. An `IN (…)` of 500 ids, or a multi-row `VALUES` of 5,000 values, then
costs milliseconds of CPU before the statement leaves the process (reminder dispatch and push delivery
spent more there than in their own code; docs/performance.md). Passing the rows as one JSON document
(`json_to_recordset`) or the ids as one array literal is a single quoted string; PostgreSQL parses it.

Other databases (the embedded SQLite default) keep the plain forms: callers check `is_postgresql()`.
"""

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import wraps
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar
from uuid import UUID

from django.db import IntegrityError, connection, transaction
from django.db.models import ForeignKey, UUIDField
from django.db.models.lookups import In

if TYPE_CHECKING:  # django-stubs do not say that Django's cursor is psycopg's ClientCursor
    from psycopg import ClientCursor

    DjangoClientCursor = ClientCursor[Any]
else:
    from django.db.backends.postgresql.base import Cursor as DjangoClientCursor

P = ParamSpec("P")
R = TypeVar("R")


def atomic_retried_on_conflict(function: Callable[P, R]) -> Callable[P, R]:
    """`atomic_write`, run once more when the block fails on a constraint.

    For a write that looks for a replay (the client's id) or a duplicate before it inserts: a
    concurrent request inserting the same row between that look and the INSERT makes the INSERT
    fail; the block is rolled back whole (its stamps and on-commit pushes with it) and run again,
    and the second run finds that row and answers as for any replay or duplicate. A second failure
    is raised. A savepoint around the INSERT would do the same at two round trips per write; this
    costs nothing until a conflict happens (and in `atomic_write` a failure surfaces at a later
    statement or at COMMIT anyway, where only the whole block can be run again)."""
    atomic_function = atomic_write()(function)

    @wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return atomic_function(*args, **kwargs)
        except IntegrityError:
            return atomic_function(*args, **kwargs)

    return wrapper


@contextmanager
def atomic_write() -> Iterator[None]:
    """`transaction.atomic` for a request's write, in as few round trips as its reads allow.

    A write's statements are small, and each one waited for its own round trip: BEGIN, the lock,
    the reads, the INSERT, the partner's notification, the sync stamp, COMMIT. On PostgreSQL the
    block runs in psycopg's pipeline mode: a statement whose result the code does not read (BEGIN,
    an INSERT, the sync stamp, COMMIT) is sent at once and its result collected with the next one
    whose rows the code reads, and the statements after the last read go with COMMIT, in one round
    trip. The statements, their order and their locks are those of `transaction.atomic` (the server
    runs them one after the other, as it receives them).

    What changes is when a failure is seen: at the next read or at COMMIT, not at its own statement,
    and always inside the block, which then rolls back whole. So inside it, no savepoint that catches
    a database error to carry on (`atomic_retried_on_conflict` runs the whole block again instead)
    and no COPY. A cursor's `rowcount` waits for its own statement's result (`_PipelinedCursor`), so
    `update()`, `delete()` and `save()` keep their answers. Nested in another atomic block it only
    pipelines its own statements and the outer block commits; nested in another `atomic_write` it
    is a savepoint in that block's pipeline. Other databases (SQLite): `atomic`.
    Use it as a decorator (`@atomic_write()`) or a `with` block."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if connection.vendor != "postgresql":
            yield
            return
        raw = connection.connection
        if raw.pgconn.pipeline_status:  # inside another atomic_write: its pipeline carries this block
            yield
            return
        raw.cursor_factory = _PipelinedCursor
        if outermost:
            # psycopg would send BEGIN and wait for the server's answer (it learns the transaction
            # status from it); this block sends BEGIN and COMMIT itself, with its other statements.
            # Django's atomic block still frames it: its COMMIT then finds no transaction open (a
            # no-op), its ROLLBACK after a failure ends this one, and it restores autocommit.
            raw.autocommit = True
        with connection.wrap_database_errors, raw.pipeline(), raw.cursor() as own:
            if outermost:
                own.execute("BEGIN")
            yield
            if outermost and not connection.needs_rollback:
                own.execute("COMMIT")  # sent with the statements still in flight when the pipeline ends


class _PipelinedCursor(DjangoClientCursor):
    """Django's client-side cursor (the one it gives every connection), whose `rowcount` waits for
    its statement's result in a pipeline, where `execute` returns before the server has answered:
    Django reads `rowcount` for `update()` and `delete()`, and `save()` inserts when it is 0."""

    @property
    def rowcount(self) -> int:
        self._fetch_pipeline()  # psycopg's own wait, as its fetch*() methods do in a pipeline
        return super().rowcount


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def uuid_array(values: Iterable[Any]) -> str:
    """A PostgreSQL array literal of UUIDs (`'{…}'`, cast with `::uuid[]`). Each value goes through
    UUID(), so only hex digits and dashes reach the literal."""
    return "{" + ",".join(str(value if isinstance(value, UUID) else UUID(str(value))) for value in values) + "}"


def json_rows(rows: Sequence[dict[str, Any]]) -> str:
    """Rows for `json_to_recordset(%s::json) AS v(column type, …)`: UUIDs and datetimes as their ISO
    text, which PostgreSQL casts to the declared column types."""
    return json.dumps(rows, default=_text)


def _text(value: Any) -> str:
    if isinstance(value, UUID):
        return str(value)
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    raise TypeError(f"cannot pass {type(value).__name__} as JSON")


@UUIDField.register_lookup
@ForeignKey.register_lookup
class AnyOf(In):
    """`field__any=ids` for UUID columns: `= ANY(%s::uuid[])` with one parameter on PostgreSQL, the
    plain `IN (…)` elsewhere or when the right-hand side is a subquery."""

    lookup_name = "any"

    def as_postgresql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        if not isinstance(self.rhs, list | tuple | set | frozenset):
            return self.as_sql(compiler, connection)
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s::uuid[])", (*lhs_params, uuid_array(v for v in self.rhs if v is not None))
