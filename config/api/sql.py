"""Hand-written SQL of the hottest request paths, and the ORM's SQL of a queryset compiled once.

A few statements run on (nearly) every request: authentication's session query, the sync counter
and states of a pull. Each is the only implementation of its read and runs on SQLite too; see "The
read path, and where SQL is allowed" in docs/architecture.md. `CompiledQuery` sends the SQL the ORM
compiles from one queryset the same way, compiled once. Both go through Django's cursor (logged,
counted by `django_assert_num_queries`, errors wrapped); on PostgreSQL its parameters are bound by
the server and psycopg prepares a statement once a connection has run it a few times, as it does
every statement (the database OPTIONS in config/settings/base.py).
"""

import secrets
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any, NamedTuple
from uuid import UUID, uuid4

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model, QuerySet, UUIDField
from django.db.models.base import ModelState
from django.db.models.constants import OnConflict
from django.db.models.query import ModelIterable, get_related_populators
from django.db.models.signals import post_init, pre_init
from django.db.models.sql import InsertQuery


def fetch(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    """All rows of one `%s`-parameterised SELECT."""
    with _db().cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def execute(sql: str, params: Sequence[Any]) -> None:
    """One `%s`-parameterised statement that returns no rows (an INSERT: `CompiledInsert`)."""
    with _db().cursor() as cursor:
        cursor.execute(sql, params)


def _db() -> BaseDatabaseWrapper:
    """The default connection itself. `django.db.connection` is a proxy that looks the connection up
    (a context-local read) on every attribute: the statements here read several per call, and pass
    the connection on to every field's value preparation, which reads it again."""
    return connections[DEFAULT_DB_ALIAS]


class CompiledInsert:
    """`bulk_create` of one model's new instances, its INSERT compiled once per database vendor and
    number of rows, then sent like `fetch` (prepared on PostgreSQL).

    The writes that record a completion, a nudge, a check-in or a notification insert one row or a
    few on every request, and the ORM built and compiled the same statement each time. The SQL is
    the ORM's own (its insert compiler, with every concrete field), the values are prepared as the
    ORM prepares them (each field's `pre_save` and `get_db_prep_save`), and, as with `bulk_create`,
    no signal is sent: callers stamp their rows for sync themselves. `ignore_conflicts` adds the
    ORM's `ON CONFLICT DO NOTHING`. For models whose columns are all written by the INSERT (no
    `db_default` to read back) and that have no parent model.
    """

    def __init__(self, model: type[Model], *, ignore_conflicts: bool = False) -> None:
        if model._meta.parents or any(field.db_returning for field in model._meta.concrete_fields):
            raise ValueError(f"CompiledInsert: {model.__name__} has a parent or a column to read back.")
        self._model = model
        self._fields = list(model._meta.concrete_fields)
        self._on_conflict = OnConflict.IGNORE if ignore_conflicts else None
        # (vendor, rows) -> the SQL, and whether it takes one array per column (PostgreSQL's UNNEST
        # form of several rows) rather than the values row after row.
        self._compiled: dict[tuple[str, int], tuple[str, bool]] = {}

    def insert(self, objects: Sequence[Model]) -> None:
        if not objects:
            return
        db = _db()
        rows: list[list[Any]] = []
        for obj in objects:
            obj._prepare_related_fields_for_save(operation_name="bulk_create")  # type: ignore[attr-defined]
            if obj.pk is None:
                obj.pk = obj._meta.pk.get_pk_value_on_save(obj)
            rows.append([field.get_db_prep_save(field.pre_save(obj, True), db) for field in self._fields])
        key = (db.vendor, len(rows))
        compiled = self._compiled.get(key)
        if compiled is None:
            query = InsertQuery(self._model, on_conflict=self._on_conflict)
            query.insert_values(self._fields, list(objects))
            [(sql, params)] = query.get_compiler(connection=db).as_sql()
            compiled = self._compiled[key] = (sql, len(rows) > 1 and len(params) == len(self._fields))
        sql, by_column = compiled
        execute(
            sql, [list(column) for column in zip(*rows, strict=True)] if by_column else [v for r in rows for v in r]
        )
        for obj in objects:
            obj._state.adding = False
            obj._state.db = db.alias


class CompiledQuery:
    """A queryset compiled to SQL once per database vendor, then run with new arguments.

    For the hottest reads, building and compiling a small queryset costs the ORM more CPU than the
    database spends answering it. `build(*arguments)` returns the queryset, the one definition of the
    read; the first call per vendor (and per length of each list argument) compiles it with marker
    arguments, whose places among the compiled parameters tell where each argument goes. Later calls
    bind the new arguments there, prepared as the ORM prepares them (UUIDs, datetimes), send the SQL
    with `fetch` (prepared on PostgreSQL), and convert the rows with the compiler's own converters:
    `rows()` for a `values_list()` queryset, `objects()` for a model queryset (instances with their
    `select_related` objects and annotations, as the ORM makes them).
    Arguments are UUIDs, datetimes, dates, strings or lists of those; constants belong in `build` itself.
    Every argument must reach the SQL as a parameter (an argument the build used in Python would be
    compiled as its marker), unless `unused_arguments` says some builds ignore some: the sync tables
    share one signature, and a couple's rituals do not depend on who reads them.
    A list argument is a set of values (an `__in` lookup). It is compiled for a power of two of items
    and padded to it with its last item repeated (the same rows: IN ignores duplicates), so a read
    by 1 to 64 ids is at most seven statements to compile and for PostgreSQL to prepare and plan, not
    64 (psycopg keeps 100 prepared statements per connection, and evicts beyond). A list longer than
    `MAX_ITEMS` (a phone back after a long time away, a backfill's batch) is not compiled: the ORM
    builds and runs the queryset, so no statement is kept for every length.
    """

    MAX_ITEMS = 64

    def __init__(self, build: Callable[..., QuerySet[Any]], *, unused_arguments: bool = False) -> None:
        self._build = build
        self._unused_arguments = unused_arguments
        self._compiled: dict[tuple[Any, ...], _Compiled] = {}

    def rows(self, *arguments: Any) -> list[tuple[Any, ...]]:
        """The rows of a `values_list()` queryset, converted as the ORM converts them."""
        if self._too_long(arguments):
            return list(self._build(*arguments))
        compiled, rows = self._fetch(arguments)
        return compiled.converted(rows)

    def objects(self, *arguments: Any) -> list[Any]:
        """The model instances of a model queryset (with its `select_related` relations and its
        annotations), made from each row as Django's `ModelIterable` makes them (`from_db`)."""
        if self._too_long(arguments):
            return list(self._build(*arguments))
        compiled, rows = self._fetch(arguments)
        if compiled.loader is None:
            raise TypeError("CompiledQuery.objects() needs a model queryset, not values()/values_list().")
        return compiled.loader.objects(compiled.converted(rows))

    def _too_long(self, arguments: Sequence[Any]) -> bool:
        return any(isinstance(a, list | tuple) and len(a) > self.MAX_ITEMS for a in arguments)

    def _fetch(self, arguments: Sequence[Any]) -> tuple["_Compiled", list[tuple[Any, ...]]]:
        arguments = [_padded(a) if isinstance(a, list | tuple) else a for a in arguments]
        db = _db()
        shape = (db.vendor, *(len(a) if isinstance(a, list | tuple) else None for a in arguments))
        compiled = self._compiled.get(shape)
        if compiled is None:
            compiled = self._compiled[shape] = self._compile(arguments)
        params = list(compiled.params)
        for position, (index, item) in compiled.slots.items():
            params[position] = _prep(arguments[index] if item is None else arguments[index][item], db)
        return compiled, fetch(compiled.sql, params)

    def _compile(self, arguments: Sequence[Any]) -> "_Compiled":
        markers = [[_marker(v) for v in a] if isinstance(a, list | tuple) else _marker(a) for a in arguments]
        where: dict[Any, tuple[int, int | None]] = {}
        for index, marker in enumerate(markers):
            for item, value in enumerate(marker) if isinstance(marker, list) else [(None, marker)]:
                where[_prep(value, _db())] = (index, item)
        queryset = self._build(*markers)
        if queryset._prefetch_related_lookups or queryset._known_related_objects:  # type: ignore[attr-defined]
            raise ValueError("CompiledQuery: prefetch_related and related-manager querysets are not supported.")
        compiler = queryset.query.get_compiler(using=queryset.db)
        sql, params = compiler.as_sql()
        slots = {position: where.pop(param) for position, param in enumerate(params) if _hashable(param) in where}
        if where and not self._unused_arguments:
            raise ValueError(f"CompiledQuery: arguments {sorted(where.values())} were not bound as parameters.")
        converters = compiler.get_converters([column for column, _, _ in compiler.select])
        loader = _Loader.of(compiler, queryset.db) if queryset._iterable_class is ModelIterable else None
        return _Compiled(sql, list(params), slots, converters, loader)


class _Loader(NamedTuple):
    """What Django's ModelIterable reads from a compiled query to make instances of its rows."""

    model: Any
    db: str
    init_list: list[str]
    start: int
    end: int
    related_populators: list[Any]
    annotations: dict[str, int]

    @classmethod
    def of(cls, compiler: Any, db: str) -> "_Loader":
        klass_info, select = compiler.klass_info, compiler.select
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        init_list = [column[0].target.attname for column in select[start:end]]
        # django-stubs describes a later Django's signature (fetch_mode); 5.2 takes these three.
        populators = get_related_populators(klass_info, select, db)  # type: ignore[call-arg]
        return cls(klass_info["model"], db, init_list, start, end, populators, dict(compiler.annotation_col_map))

    def objects(self, rows: list[tuple[Any, ...]]) -> list[Any]:
        objects = []
        make = _instance if _plain_instances(self.model) else None
        for row in rows:
            values = row[self.start : self.end]
            if make is not None:
                obj = make(self.model, self.db, self.init_list, values)
            else:
                obj = self.model.from_db(self.db, self.init_list, values)
            for populator in self.related_populators:
                populator.populate(row, obj)
            for name, position in self.annotations.items():
                setattr(obj, name, row[position])
            objects.append(obj)
        return objects


def loaded_instance(model: type[Model], db: str, attnames: list[str], values: Sequence[Any]) -> Model:
    """`model.from_db(db, attnames, values)`, made as `_instance` makes it where that is the same: for
    SQL of one's own that loads a row (the session query of authentication)."""
    if _plain_instances(model):
        return _instance(model, db, attnames, values)
    return model.from_db(db, attnames, values)


def _plain_instances(model: type[Model]) -> bool:
    """Whether `_instance` makes what `model.from_db` would: no `from_db` of the model's own and no
    receiver of the init signals for it."""
    return (
        model.from_db.__func__ is Model.from_db.__func__  # type: ignore[attr-defined]
        and not pre_init.has_listeners(model)
        and not post_init.has_listeners(model)
    )


def _instance(model: type[Model], db: str, attnames: list[str], values: Sequence[Any]) -> Model:
    """`model.from_db(db, attnames, values)`: what `Model.__init__` leaves after its generic work and
    signal checks. It sets each loaded field's attribute, on a fresh instance, where no field
    descriptor's setter has anything to clear; a deferred field is one left unset (`only()`), which
    its descriptor loads on first use. A list read's instances cost a third of their CPU
    (docs/performance.md)."""
    obj = model.__new__(model)
    obj.__dict__.update(zip(attnames, values, strict=True))
    state = obj._state = ModelState()
    state.adding, state.db = False, db
    return obj


class _Compiled(NamedTuple):
    sql: str
    params: list[Any]
    slots: dict[int, tuple[int, int | None]]  # parameter position -> (argument, item of a list argument)
    converters: dict[int, tuple[list[Any], Any]]
    loader: _Loader | None  # a model queryset's (objects()); None for values_list()

    def converted(self, rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        """The rows as the ORM converts them (its compiler's converters: UUIDs on SQLite, JSON...)."""
        if not self.converters:
            return rows
        db, converted = _db(), []
        for row in rows:
            values = list(row)
            for index, (functions, expression) in self.converters.items():
                for function in functions:
                    values[index] = function(values[index], expression, db)
            converted.append(tuple(values))
        return converted


_UUID = UUIDField()


def _prep(value: Any, db: BaseDatabaseWrapper) -> Any:
    if isinstance(value, UUID):
        return _UUID.get_db_prep_value(value, db)
    if isinstance(value, datetime):
        return db.ops.adapt_datetimefield_value(value)
    if isinstance(value, date):
        return db.ops.adapt_datefield_value(value)
    return value


def _padded(items: Sequence[Any]) -> Sequence[Any]:
    """`items` with its last item repeated up to the next power of two (empty stays empty)."""
    size = 1 << (len(items) - 1).bit_length() if items else 0
    return [*items, *[items[-1]] * (size - len(items))] if size > len(items) else items


def _hashable(value: Any) -> Any:
    try:
        hash(value)
    except TypeError:
        return None
    return value


def _marker(value: Any) -> Any:
    """A value of `value`'s type that no real argument or constant of a query will equal."""
    if isinstance(value, UUID):
        return uuid4()
    if isinstance(value, datetime):
        return datetime(2999, 1, 1, tzinfo=UTC) + timedelta(microseconds=secrets.randbelow(10**12))
    if isinstance(value, date):
        return date(3000, 1, 1) + timedelta(days=secrets.randbelow(10**6))
    if isinstance(value, str):
        return f"marker-{secrets.token_hex(8)}"
    raise TypeError(f"CompiledQuery takes UUIDs, datetimes, dates and strings, not {type(value).__name__}.")
