"""Bulk SQL helpers for hot paths on PostgreSQL: many rows or ids in ONE query parameter.

psycopg adapts every parameter of a statement in Python, one by one (and PostgreSQL takes at most
65,535 of them). An `IN (…)` of 500 ids, or a multi-row `VALUES` of 5,000 values, cost milliseconds
of CPU before the statement left the process (reminder dispatch and push delivery spent more there
than in their own code, measured with Django's client-side binding; docs/performance.md). Passing the
rows as one JSON document (`json_to_recordset`) or the ids as one array literal is a single string
parameter, and one statement text whatever the count (so it is prepared once); PostgreSQL parses it.

Other databases (the embedded SQLite default) keep the plain forms: callers check `is_postgresql()`.
"""

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import Any, ParamSpec, TypeVar
from uuid import UUID

from django.db import IntegrityError, connection, transaction
from django.db.models import ForeignKey, UUIDField
from django.db.models.lookups import In

P = ParamSpec("P")
R = TypeVar("R")


def atomic_retried_on_conflict(function: Callable[P, R]) -> Callable[P, R]:
    """`transaction.atomic`, run once more when the block fails on a constraint.

    For a write that looks for a replay (the client's id) or a duplicate before it inserts: a
    concurrent request inserting the same row between that look and the INSERT makes the INSERT
    fail; the block is rolled back whole (its stamps and on-commit pushes with it) and run again,
    and the second run finds that row and answers as for any replay or duplicate. A second failure
    is raised. A savepoint around the INSERT would do the same at two round trips per write; this
    costs nothing until a conflict happens."""
    atomic_function = transaction.atomic(function)

    @wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        if _rerun_by_caller.get():
            with transaction.atomic(savepoint=False):
                return function(*args, **kwargs)
        try:
            return atomic_function(*args, **kwargs)
        except IntegrityError:
            return atomic_function(*args, **kwargs)

    return wrapper


_rerun_by_caller: ContextVar[bool] = ContextVar("rerun_by_caller", default=False)


@contextmanager
def rerun_by_caller() -> Iterator[None]:
    """For a caller that rolls back its whole transaction on any failure and runs it again, looking
    afresh (sync.push's chunk): inside, an `atomic_retried_on_conflict` block joins that transaction
    without a savepoint (a SAVEPOINT and a RELEASE less per write) and leaves its failure to the
    caller instead of retrying it."""
    token = _rerun_by_caller.set(True)
    try:
        yield
    finally:
        _rerun_by_caller.reset(token)


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
