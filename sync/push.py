"""`POST sync/push`: apply what a phone changed offline, record by record (WatermelonDB's push contract).

WatermelonDB's backend rules, and where we go further:

- A `created` record whose id exists is an update; an `updated` record that does not exist is
  created; deleting a record that is gone is a no-op.
- A record the server cannot apply does not fail the push: it is **rejected**, alone, with a
  machine-readable code, and the push answers 200 with every rejected id (`rejected_ids`, which the
  app returns to WatermelonDB as `experimentalRejectedIds`, so those records stay unsynced on the
  phone) and each rejection's code. A phone is never stuck on one record.
- A rejection is final (`retry: false`: the rule refused it) or temporary (`retry: true`: a
  conflict, or the server ran out of time). For a final one the server stamps its own truth for the
  pushing user (the record as it is, or a deletion when the phone must drop it), so the next pull
  repairs the phone (docs/sync.md shows the app's side).
- A record changed on the server after `last_pulled_at` is a conflict (`sync_conflict`, retry):
  rejected alone, where WatermelonDB's rules abort the push. The app pulls (its per-column merge
  keeps the local edits) and pushes again, which is what an abort would have led to, without
  holding back the records that did not conflict. A record the server already holds exactly as
  pushed (values compared as the server normalises them) is a replay: a no-op, never a conflict.

The records are applied in chunks, each in its own transaction that ends after `CHUNK_RECORDS`
records or `CHUNK_SECONDS` (what the partner's writes may wait for the sync counters, which the
chunk's stamps take at its very end: `sync.changes.batched`). Each chunk first locks the rows it may
change, then checks conflicts, so nothing changes between the check and the write. A chunk runs
without a savepoint per record; when a record fails, the chunk is rolled back and run again with
one savepoint per record, so the failing record is rejected and the others applied.
"""

import logging
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Mapping
from contextlib import nullcontext
from dataclasses import asdict, dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, InterfaceError, OperationalError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers, status

from accounts.models import User
from config.api.deadline import DeadlineExceededError
from config.api.errors import ApplicationError
from config.api.sql import CompiledQuery
from config.db import rerun_by_caller
from notifications.services import pushes_batched
from sync import changes
from sync.models import SyncState
from sync.tables import TABLES, Viewer
from sync.writers import WRITERS, Raw, parents_remembered

logger = logging.getLogger(__name__)

# Parents before children (WRITERS lists them so), so a record may refer to one created in the same push.
ORDER = tuple(WRITERS)
CHUNK_RECORDS = 250
CHUNK_SECONDS = 0.25
_DEADLOCK_RETRIES = 3


class TooManyRecordsError(ApplicationError):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    code = "too_many_records"
    message = _("This push carries more records than the server takes at once. Push them in parts of max_records.")


@dataclass(frozen=True)
class Item:
    table: str
    verb: str  # created, updated or deleted
    id: str
    raw: Raw | None  # None for a deletion


@dataclass(frozen=True)
class Rejection:
    table: str
    id: str
    code: str
    message: str
    retry: bool = False  # True: keep the local change and push it again after the next pull


def max_records() -> int:
    return int(settings.SYNC_PUSH_MAX_RECORDS)


def push(*, user: User, changes_by_table: Mapping[str, Any], last_pulled_at: int, deadline: float) -> list[Rejection]:
    """Applies every record it can; returns the ones it could not apply. `deadline` is a
    `time.monotonic()` value: records not reached by then are rejected with `deadline` (retry)."""
    items = [
        Item(table, verb, str(raw.get("id")) if verb != "deleted" else str(raw), raw if verb != "deleted" else None)
        for table in ORDER
        if table in changes_by_table
        for verb in ("created", "updated", "deleted")
        for raw in changes_by_table[table].get(verb, [])
    ]
    if len(items) > max_records():
        raise TooManyRecordsError(extra={"max_records": max_records()})
    rejections: list[Rejection] = []
    while items:
        if time.monotonic() >= deadline:
            message = gettext("The server ran out of time for this push. Sync again to push the rest.")
            rejections += [Rejection(item.table, item.id, "deadline", message, retry=True) for item in items]
            break
        done, rejected = _chunk_with_retries(user, items, last_pulled_at)
        rejections += rejected
        items = items[done:]
    return rejections


def _chunk_with_retries(user: User, items: list[Item], cursor: int) -> tuple[int, list[Rejection]]:
    careful = False
    for attempt in range(_DEADLOCK_RETRIES + 1):
        try:
            return _chunk(user, items[:CHUNK_RECORDS], cursor, careful=careful)
        except _RecordFailed:
            careful = True  # run the chunk again, each record in its own savepoint
        except OperationalError as exc:
            # A deadlock with a partner's write (PostgreSQL picked this transaction): run it again.
            if getattr(exc.__cause__, "sqlstate", None) != "40P01" or attempt == _DEADLOCK_RETRIES:
                raise
    return _chunk(user, items[:CHUNK_RECORDS], cursor, careful=True)


class _RecordFailed(Exception):
    """A record failed in a chunk run without savepoints: the chunk is rolled back and run carefully."""


@dataclass
class _Loaded:
    """What a chunk knows of the records it pushes, read once per table after locking them."""

    existing: dict[str, set[str]]  # ids that exist at all, per table (anyone's)
    visible: dict[str, dict[str, Any]]  # the records the user may hold, per table and id
    conflicts: dict[str, set[str]]  # ids changed for this user after the cursor, per table


def _chunk(user: User, items: list[Item], cursor: int, *, careful: bool) -> tuple[int, list[Rejection]]:
    started = time.monotonic()
    rejections: list[Rejection] = []
    # Run without savepoints, any failure rolls the chunk back to be run again carefully: the
    # services' own retry on a conflict (and its savepoint) is then this rerun.
    rerun = nullcontext() if careful else rerun_by_caller()
    with transaction.atomic(), rerun, changes.batched(), pushes_batched(), parents_remembered():
        loaded = _load(user, items, cursor)
        creates = _Creates(user, careful)
        done = 0
        for item in items:
            if done and time.monotonic() - started > CHUNK_SECONDS:
                break
            done += 1
            if item.table != creates.table:
                creates.flush()
            rejection = _apply(user, item, loaded, creates)
            if rejection is not None:
                rejections.append(rejection)
                if not rejection.retry:
                    _stamp_truth(user, item, loaded)
        creates.flush()
    return done, rejections


class _Creates:
    """New records of one table held back to be created together (`Writer.create_many`), while the
    chunk runs without savepoints; a failure runs the chunk again, record by record."""

    def __init__(self, user: User, careful: bool):
        self.user, self.careful = user, careful
        self.table: str | None = None
        self.raws: list[Raw] = []
        self.create_many: Any = None

    def defer(self, item: Item) -> bool:
        create_many = WRITERS[item.table].create_many
        if self.careful or create_many is None:
            return False
        self.table, self.create_many = item.table, create_many
        self.raws.append(item.raw or {})
        return True

    def flush(self) -> None:
        if self.raws:
            _run(Item(self.table or "", "created", "", None), False, self.create_many, self.user, self.raws)
        self.table, self.raws, self.create_many = None, [], None


def _load(user: User, items: list[Item], cursor: int) -> _Loaded:
    ids: dict[str, set[str]] = defaultdict(set)
    for item in items:
        if _key(item.id) is not None:
            ids[item.table].add(item.id)
    loaded = _Loaded({}, {}, {})
    for table, table_ids in ids.items():
        spec = TABLES[table]
        loaded.existing[table] = _existing(table, sorted(table_ids))
        found = loaded.existing[table]
        loaded.visible[table] = {str(r.pk): r for r in spec.records(Viewer.of(user), found)} if found else {}
        # Only a record the user holds can conflict (new ones are created, others refused unread):
        # a push of new records alone asks nothing more, nor builds the query.
        loaded.conflicts[table] = set()
        if held := sorted(loaded.visible[table]):
            newer = SyncState.objects.filter(user=user, table=table, record_id__in=held, version__gt=cursor)
            loaded.conflicts[table] = set(newer.values_list("record_id", flat=True))
    return loaded


def _existing(table: str, keys: list[str]) -> set[str]:
    """The ids among `keys` that exist at all (anyone's)."""
    if table not in _EXISTING:
        _EXISTING[table] = CompiledQuery(_existing_query(table))
    return {str(pk) for (pk,) in _EXISTING[table].rows([uuid.UUID(key) for key in keys])}


def _existing_query(table: str) -> Callable[[list[uuid.UUID]], QuerySet[Any]]:
    model, writer = TABLES[table].model, WRITERS[table]

    def build(ids: list[uuid.UUID]) -> QuerySet[Any]:
        existing = model._default_manager.filter(pk__in=ids)
        if writer.update or writer.delete:
            # Locked first (in id order), then checked: nothing can change them in between.
            existing = existing.select_for_update(no_key=True).order_by("pk")
        return existing.values_list("pk")

    return build


_EXISTING: dict[str, CompiledQuery] = {}  # each table's lookup of the pushed ids, compiled once


def _key(record_id: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(record_id)
    except ValueError:
        return None


_NOT_A_UUID = "Record ids are UUIDs (give WatermelonDB a UUID id generator). This record was not applied."
_NOT_YOURS = "This id belongs to a record you cannot change. The record was not applied."


def _apply(user: User, item: Item, loaded: _Loaded, creates: _Creates) -> Rejection | None:
    """Applies one record (or hands it to `creates`), or says why not (without having written anything for it)."""
    careful = creates.careful
    key = _key(item.id)
    if key is None or str(key) != item.id.lower():
        return Rejection(item.table, item.id, "invalid_id", _NOT_A_UUID)
    writer = WRITERS[item.table]
    record = loaded.visible.get(item.table, {}).get(item.id)
    exists = item.id in loaded.existing.get(item.table, set())
    conflict = item.id in loaded.conflicts.get(item.table, set())
    if item.verb == "deleted":
        if record is None:
            return None  # already gone, or never the user's: nothing to delete
        if writer.delete is None:
            return Rejection(item.table, item.id, "read_only", f"{item.table} records cannot be deleted by a phone.")
        if conflict:
            return _conflict(item)
        return _run(item, careful, writer.delete, user, record)
    raw = item.raw or {}
    if record is None:
        if exists:
            return Rejection(item.table, item.id, "id_conflict", _NOT_YOURS)
        if writer.create is None:
            return Rejection(item.table, item.id, "read_only", f"{item.table} records cannot be created by a phone.")
        if creates.defer(item):
            return None
        return _run(item, careful, writer.create, user, raw)
    current = TABLES[item.table].raw(record, user)
    changed = writer.changed(raw, current)
    if not changed:
        # The server holds this already (a replay). Columns only the server writes are not the
        # phone's to change: where the phone's copy differs, its next pull gets the server's.
        if any(key in current and current[key] != value for key, value in raw.items() if key != "id"):
            _stamp_truth(user, item, loaded)
        return None
    if conflict:
        return _conflict(item)
    if writer.update is None:
        return Rejection(item.table, item.id, "read_only", f"These {item.table} columns cannot be changed by a phone.")
    return _run(item, careful, writer.update, user, record, raw, changed)


def _conflict(item: Item) -> Rejection:
    message = gettext("Changed on the server since your last pull. Pull (your changes are merged), then push again.")
    return Rejection(item.table, item.id, "sync_conflict", message, retry=True)


# Not about one record: the connection, the database or the request's time is gone. The push stops
# (the client gets the JSON 503 of config.api.outages and syncs again later).
_NOT_THE_RECORDS = (OperationalError, InterfaceError, DeadlineExceededError)


def _run(item: Item, careful: bool, handler: Any, *args: Any) -> Rejection | None:
    if not careful:
        try:
            handler(*args)
        except _NOT_THE_RECORDS:
            raise
        except Exception as exc:
            raise _RecordFailed() from exc
        return None
    try:
        with transaction.atomic():
            handler(*args)
    except _NOT_THE_RECORDS:
        raise
    except ApplicationError as exc:
        return Rejection(item.table, item.id, exc.code, str(exc.message))
    except (ValidationError, serializers.ValidationError) as exc:
        return Rejection(item.table, item.id, "validation_error", _describe(exc))
    except (IntegrityError, DatabaseError, ValueError) as exc:
        return Rejection(item.table, item.id, "invalid_record", f"The record cannot be stored: {type(exc).__name__}.")
    except Exception:
        # A bug of ours must not hold back the phone's other records, nor cost the user this one:
        # it stays on the phone (retry) and goes through once the server is fixed.
        logger.exception("sync push: %s %s failed", item.table, item.id)
        return Rejection(item.table, item.id, "server_error", "The server failed on this record.", retry=True)
    return None


def _describe(exc: ValidationError | serializers.ValidationError) -> str:
    if isinstance(exc, serializers.ValidationError):
        detail: Any = exc.detail
    else:
        detail = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
    if isinstance(detail, dict):
        return "; ".join(f"{field}: {_first(errors)}" for field, errors in detail.items())
    return _first(detail)


def _first(errors: Any) -> str:
    while isinstance(errors, list | tuple) and errors:
        errors = errors[0]
    if isinstance(errors, dict):
        return _describe(serializers.ValidationError(errors))
    return str(errors)


def _stamp_truth(user: User, item: Item, loaded: _Loaded) -> None:
    """Makes the pushing user's next pull carry the server's version of a refused record: the record
    as the user may see it, or its deletion when the user holds no such record."""
    if len(item.id) > SyncState._meta.get_field("record_id").max_length:  # type: ignore[operator]
        return  # no phone generates such ids; nothing can be stamped for it
    visible = item.id in loaded.visible.get(item.table, {})
    changes.stamp([changes.Change(user.pk, item.table, item.id, deleted=not visible)])


def response_body(rejections: list[Rejection]) -> dict[str, Any]:
    rejected_ids: dict[str, list[str]] = defaultdict(list)
    for rejection in rejections:
        rejected_ids[rejection.table].append(rejection.id)
    return {"rejected_ids": dict(rejected_ids), "rejections": [asdict(rejection) for rejection in rejections]}
