"""Incremental pulls on PostgreSQL run one statement (`sync.pull._incremental`: the counter, the
states and the changed completions and notifications, as JSON built by PostgreSQL). Its output must
be the per-table path's (`sync.pull.pull_by_table`, the code it replaced) record for record and
byte for byte once rendered: same tables, ids, keys in the same order, same values and JSON types.
Only the order of a list may differ (neither path orders its records)."""

import json
import random
import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from django.db import connection

from notifications.models import Notification
from rituals.models import CheckIn, Completion, Ritual
from sync import pull as pull_module
from sync.api import views
from sync.changes import Change, stamp
from sync.models import SyncState
from sync.tables import ms, ms_sql

pytestmark = pytest.mark.django_db
PULL = "/api/v1/sync/pull"


def _by_table(*, user: Any, last_pulled_at: int | None = None, schema_version: int | None = None) -> dict[str, Any]:
    return pull_module.pull_by_table(user=user, last_pulled_at=last_pulled_at)


def _canonical(content: bytes) -> str:
    """The rendered body with every list sorted (by id): key order, values and types are kept."""
    body = json.loads(content)
    for parts in body["changes"].values():
        for part, records in parts.items():
            parts[part] = sorted(records, key=lambda record: record if isinstance(record, str) else record["id"])
    return json.dumps(body, ensure_ascii=False)


def assert_same_as_by_table(client: Any, cursor: int, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    new = client.get(f"{PULL}?last_pulled_at={cursor}")
    with monkeypatch.context() as patch:
        patch.setattr(views, "pull", _by_table)
        old = client.get(f"{PULL}?last_pulled_at={cursor}")
    assert (new.status_code, old.status_code) == (200, 200), (new.content, old.content)
    assert len(new.content) == len(old.content)
    assert _canonical(new.content) == _canonical(old.content)
    return json.loads(new.content)


def cursor_of(client: Any) -> int:
    response = client.get(PULL)
    assert response.status_code == 200
    return response.json()["timestamp"]


def make_ritual(couple: Any, title: str = "t") -> Ritual:
    return Ritual.objects.create(
        couple=couple,
        title=title,
        category="affection",
        rrule="FREQ=DAILY",
        start_date=date(2026, 1, 1),
        local_time=time(8),
        time_zone="UTC",
    )


# Values that make the JSON rendering differ if anything is converted differently: key order,
# floats, nested nulls, non-ASCII, line separators, control characters and quotes.
DATA = [
    {},
    {"screen": "ritual", "b": 1, "a": [1.5, None, True, 1e-7, 10**20], "nested": {"z": {}, "y": []}},
    {"text": 'Ünïcödé ☃ 😀 \u2028 \x01 "quoted" back\\slash\nnew line'},
    {"n": 0.1, "m": -0.0, "i": -12, "f": 3.0},
    # jsonb orders keys by length first: "c" before "bb", where sorted() puts "bb" first.
    {"c": 1, "bb": {"zz": 2, "y": 3}, "a": None},
]


def changes_for(me: Any, partner: Any, couple: Any) -> None:
    """One of everything an incremental pull can carry for this couple and these users."""
    kept, gone = make_ritual(couple, "kept"), make_ritual(couple, "gone")
    instants = [
        datetime(2026, 1, 1, 8, tzinfo=UTC),
        datetime(2026, 3, 2, 8, 0, 0, 123000, tzinfo=UTC),
        datetime(2025, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
    ]
    for ritual in (kept, gone):
        for index, (user, note, rating) in enumerate(
            ((me.user, "mine ☃", 4), (partner.user, "theirs", 2), (me.user, "", None))
        ):
            Completion.objects.create(
                couple=couple,
                ritual=ritual,
                user=user,
                occurrence_at=instants[index],
                note=note,
                connection_rating=rating,
                created_at=instants[index] + timedelta(microseconds=1001),
            )
    Ritual.objects.filter(pk=gone.pk).update(deleted_at=datetime(2026, 11, 1, tzinfo=UTC))
    assert me.delete(f"/api/v1/rituals/{make_ritual(couple, 'deleted').id}").status_code == 204
    for client in (me, partner):
        for index, data in enumerate(DATA):
            Notification.objects.create(
                recipient=client.user,
                kind="nudge",
                title=f"hi “{index}”",
                body="b\t" * index,
                data=data,
                dedupe_key=str(uuid.uuid4()),
                created_at=instants[index % 3],
                read_at=instants[0] if index % 2 else None,
            )
    for user, shared in ((partner.user, False), (partner.user, True), (me.user, False)):
        CheckIn.objects.create(
            user=user, couple=couple, mood=3, connection=4, note="n", is_shared=shared, local_date=date(2026, 11, 23)
        )


def test_a_pull_with_every_kind_of_change_is_the_per_table_pulls(me, partner, couple, stranger, monkeypatch):
    cursors = {name: cursor_of(client) for name, client in (("me", me), ("partner", partner), ("stranger", stranger))}

    changes_for(me, partner, couple)

    body = assert_same_as_by_table(me, cursors["me"], monkeypatch)
    assert len(body["changes"]["ritual_completions"]["updated"]) == 3  # the kept ritual's
    assert len(body["changes"]["ritual_completions"]["deleted"]) == 3  # the deleted ritual's
    assert len(body["changes"]["notifications"]["updated"]) == len(DATA)
    assert body["changes"]["rituals"]["updated"]
    assert body["changes"]["rituals"]["deleted"]
    partners = assert_same_as_by_table(partner, cursors["partner"], monkeypatch)
    notes = {record["note"] for record in partners["changes"]["ritual_completions"]["updated"]}
    assert notes == {"theirs", ""}  # never mine
    stranger_body = assert_same_as_by_table(stranger, cursors["stranger"], monkeypatch)
    assert all(not part for table in stranger_body["changes"].values() for part in table.values())
    # From the beginning of time (cursor 0) as well: every stamp the users ever got.
    for client in (me, partner, stranger):
        assert_same_as_by_table(client, 0, monkeypatch)


def test_unpair_tombstones_are_the_per_table_pulls(me, partner, couple, monkeypatch):
    changes_for(me, partner, couple)
    cursors = {"me": cursor_of(me), "partner": cursor_of(partner)}

    assert partner.post("/api/v1/couple/unpair", {"confirm": True}).status_code == 204
    Notification.objects.create(
        recipient=me.user, kind="nudge", title="after", body="", data={"x": 1}, dedupe_key=str(uuid.uuid4())
    )

    for name, client in (("me", me), ("partner", partner)):
        body = assert_same_as_by_table(client, cursors[name], monkeypatch)
        assert body["changes"]["partner_profiles"]["deleted"]
        assert body["changes"]["ritual_completions"]["deleted"]
        assert_same_as_by_table(client, 0, monkeypatch)


def test_an_unpaired_user_gets_their_notifications(loner, monkeypatch):
    cursor = cursor_of(loner)
    for data in DATA:
        Notification.objects.create(
            recipient=loner.user, kind="nudge", title="t", body="", data=data, dedupe_key=str(uuid.uuid4())
        )
    body = assert_same_as_by_table(loner, cursor, monkeypatch)
    assert len(body["changes"]["notifications"]["updated"]) == len(DATA)


def test_an_id_stamped_in_another_spelling_takes_the_per_table_path(me, partner, couple, monkeypatch):
    """The statement only casts ids spelled as `str(UUID)` writes them; a table with another
    spelling loads through `Table.changed`, which treats it as it always did."""
    cursor = cursor_of(me)
    notification = Notification.objects.create(
        recipient=me.user, kind="nudge", title="t", body="", data={}, dedupe_key=str(uuid.uuid4())
    )
    stamp([Change(me.user.pk, "notifications", str(notification.id).upper())])
    stamp([Change(me.user.pk, "no_such_table", str(uuid.uuid4()))])

    body = assert_same_as_by_table(me, cursor, monkeypatch)
    assert [record["id"] for record in body["changes"]["notifications"]["updated"]] == [str(notification.id)]
    assert body["changes"]["notifications"]["deleted"] == [str(notification.id).upper()]
    assert SyncState.objects.filter(user=me.user, table="no_such_table").exists()


def test_a_pull_with_changed_completions_and_notifications_is_two_queries(
    me, partner, couple, django_assert_num_queries
):
    ritual = make_ritual(couple)
    cursor = cursor_of(me)
    for user in (me.user, partner.user):
        Completion.objects.create(
            couple=couple, ritual=ritual, user=user, occurrence_at=datetime(2026, 1, 1, tzinfo=UTC)
        )
    Notification.objects.create(
        recipient=me.user, kind="nudge", title="t", body="", data={"a": 1}, dedupe_key=str(uuid.uuid4())
    )
    with django_assert_num_queries(2):  # session+user; the pull's one statement
        response = me.get(f"{PULL}?last_pulled_at={cursor}")
    changes = response.json()["changes"]
    assert len(changes["ritual_completions"]["updated"]) == 2
    assert len(changes["notifications"]["updated"]) == 1
    others = [changes[name] for name in changes if name not in {"ritual_completions", "notifications"}]
    assert not any(part for table in others for part in table.values())


def test_milliseconds_computed_by_postgresql_are_pythons():
    """`ms_sql` against `ms` on instants where a float rounding would show (whole milliseconds,
    .999999, before 1970, far future) and random microseconds."""
    rng = random.Random(7)
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    instants = [
        epoch,
        epoch - timedelta(microseconds=1),
        datetime(1969, 7, 20, 20, 17, 40, 999999, tzinfo=UTC),
        datetime(2026, 11, 29, 12, 0, 0, 123000, tzinfo=UTC),
        datetime(2026, 11, 29, 12, 0, 0, 999999, tzinfo=UTC),
        datetime(2262, 4, 11, 23, 47, 16, 854775, tzinfo=UTC),
    ]
    instants += [epoch + timedelta(microseconds=rng.randrange(-(10**16), 10**17)) for _ in range(3000)]
    instants += [datetime(2026, 1, 1, tzinfo=UTC) + timedelta(milliseconds=n) for n in range(3000)]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {ms_sql('t')} FROM unnest(%s::timestamptz[]) WITH ORDINALITY AS x(t, n) ORDER BY n",  # noqa: S608
            [instants],
        )
        found = [row[0] for row in cursor.fetchall()]
    assert found == [ms(instant) for instant in instants]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {ms_sql('NULL::timestamptz')}")
        assert cursor.fetchone()[0] is None


@pytest.mark.parametrize("value", ["7", "07", "7.0", "+7", " 7", "\u0667", "0"])
def test_a_cursor_reads_as_the_query_serializer_reads_it(me, partner, couple, value):
    """The view skips `SyncPullQuerySerializer` for plain digits; any other spelling still goes
    through it, so every spelling means what it meant (compared with `schema_version=1`, which
    always takes the serializer)."""
    for _ in range(8):
        make_ritual(couple)
    plain = me.get(f"{PULL}?last_pulled_at={value}")
    through_serializer = me.get(f"{PULL}?last_pulled_at={value}&schema_version=1")
    assert plain.status_code == through_serializer.status_code == 200
    assert _canonical(plain.content) == _canonical(through_serializer.content)


@pytest.mark.parametrize("value", ["999999999", str(2**63), str(10**40), "-1", "abc", "1" * 1001, "7e3"])
def test_a_bad_cursor_is_the_same_400(me, partner, couple, value, monkeypatch):
    response = me.get(f"{PULL}?last_pulled_at={value}")
    with monkeypatch.context() as patch:
        patch.setattr(views, "pull", _by_table)
        old = me.get(f"{PULL}?last_pulled_at={value}")
    assert response.status_code == old.status_code == 400
    assert response.json() == old.json()
