"""config.api.sql: hot hand-written SELECTs and compiled querysets, prepared once per connection as
every repeated statement is, logged like any query."""

import os
import subprocess
import sys
import uuid
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.backends.postgresql.base import DatabaseWrapper
from django.db.models import F

from accounts.models import User
from config.api.sql import CompiledInsert, CompiledQuery, fetch
from couples.models import Membership
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

STATEMENT = "SELECT id, email FROM accounts_user WHERE id = %s AND is_active = %s"


def _prepared(statement: str, db=connection) -> int:
    with db.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", [statement[:24] + "%"])
        return cursor.fetchone()[0]


def test_it_returns_the_rows_and_counts_as_one_query(django_assert_num_queries):
    user = UserFactory.create()
    with django_assert_num_queries(1) as captured:
        assert fetch(STATEMENT, [user.pk, True]) == [(user.pk, user.email)]
    logged = captured.captured_queries[0]["sql"]
    assert logged.startswith("SELECT id, email FROM accounts_user WHERE id = '")
    assert logged.endswith("'::uuid AND is_active = true")
    assert fetch(STATEMENT, [user.pk, False]) == []


def test_postgresql_plans_each_repeated_statement_once_per_connection():
    user = UserFactory.create()
    for _ in range(7):
        fetch(STATEMENT, [user.pk, True])
        User.objects.filter(pk=user.pk).update(display_name="Sam")  # the ORM's statements as well
    assert _prepared(STATEMENT) == 1
    assert _prepared('UPDATE "accounts_user" SET') == 1


def test_it_can_be_sent_unprepared_for_poolers_that_drop_prepared_statements():
    environment = {**os.environ, "DB_PREPARED_STATEMENTS": "false", "DATABASE_URL": "postgres://db/app"}
    options = subprocess.run(
        [sys.executable, "-c", "from config.settings import base; print(base.DATABASES['default']['OPTIONS'])"],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "'prepare_threshold': None" in options
    assert "'server_side_binding': True" in options
    unprepared = {**connection.settings_dict["OPTIONS"], "prepare_threshold": None}
    db = DatabaseWrapper({**connection.settings_dict, "OPTIONS": unprepared}, alias="unprepared")
    try:
        for _ in range(7):
            assert fetch_on(db, STATEMENT, [uuid.uuid4(), True]) == []
        assert _prepared(STATEMENT, db) == 0
    finally:
        db.close()


def fetch_on(db, sql, params):
    with db.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _memberships(couple_id, user_ids, since):
    return (
        Membership.objects.filter(couple_id=couple_id, user_id__in=user_ids, joined_at__gte=since, is_active=True)
        .order_by("joined_at")
        .values_list("user_id", "joined_at", "user__time_zone")
    )


def test_a_compiled_query_answers_what_its_queryset_answers_for_any_arguments(
    me_user, partner_user, couple, stranger_user, django_assert_num_queries
):
    compiled = CompiledQuery(_memberships)
    long_ago = datetime(2000, 1, 1, tzinfo=UTC)
    cases = [
        (couple.pk, [me_user.pk, partner_user.pk], long_ago),
        (couple.pk, [partner_user.pk], long_ago),
        (couple.pk, [stranger_user.pk, me_user.pk], long_ago),
        (couple.pk, [me_user.pk], datetime(2999, 1, 1, tzinfo=UTC)),
        (uuid.uuid4(), [me_user.pk, partner_user.pk], long_ago),
    ]
    for arguments in cases:
        expected = list(_memberships(*arguments))
        with django_assert_num_queries(1):
            assert compiled.rows(*arguments) == expected, arguments
    assert len(compiled.rows(*cases[0])) == 2


def test_an_argument_the_queryset_does_not_bind_is_refused(me_user):
    compiled = CompiledQuery(lambda couple_id, user_id: Membership.objects.filter(user_id=user_id).values_list("id"))
    with pytest.raises(ValueError, match="not bound"):
        compiled.rows(uuid.uuid4(), me_user.pk)


def _members_with_users(couple_id, since):
    return (
        Membership.objects.filter(couple_id=couple_id, joined_at__gte=since)
        .select_related("user", "couple")
        .annotate(user_zone=F("user__time_zone"))
        .order_by("joined_at")
    )


def test_a_compiled_model_query_makes_the_instances_the_orm_makes(me_user, partner_user, couple, stranger_user):
    compiled = CompiledQuery(_members_with_users)
    since = datetime(2000, 1, 1, tzinfo=UTC)
    for _ in range(2):  # compiled the first time, reused the second
        made = compiled.objects(couple.pk, since)
        expected = list(_members_with_users(couple.pk, since))
        assert [m.pk for m in made] == [m.pk for m in expected]
        for ours, theirs in zip(made, expected, strict=True):
            assert type(ours) is type(theirs)
            assert {f.attname: getattr(ours, f.attname) for f in Membership._meta.concrete_fields} == {
                f.attname: getattr(theirs, f.attname) for f in Membership._meta.concrete_fields
            }
            assert ours.user == theirs.user
            assert ours.user.email == theirs.user.email
            assert ours.couple.time_zone == theirs.couple.time_zone
            assert ours.user_zone == theirs.user_zone
            assert ours._state.adding is False
            assert ours._state.db == theirs._state.db
    assert compiled.objects(uuid.uuid4(), since) == []


def _fields(obj):
    return {name: value for name, value in vars(obj).items() if name != "_state"}


def test_an_instance_made_from_a_full_row_is_the_one_from_db_makes(me_user, partner_user, couple):
    compiled = CompiledQuery(lambda couple_id: Membership.objects.filter(couple_id=couple_id).order_by("user_id"))
    made = compiled.objects(couple.pk)
    expected = list(Membership.objects.filter(couple_id=couple.pk).order_by("user_id"))
    assert [_fields(m) for m in made] == [_fields(m) for m in expected]
    assert [(m._state.adding, m._state.db) for m in made] == [(False, "default")] * 2
    made[0].user_id = partner_user.pk  # the field descriptors work on it as on the ORM's
    assert made[0].user == partner_user


def test_a_receiver_of_the_init_signals_gets_the_orms_instances_and_deferred_columns_load_on_use(me_user, couple):
    from django.db.models.signals import post_init

    seen = []

    def receiver(sender, instance, **kwargs):
        seen.append(instance)

    post_init.connect(receiver, sender=Membership)
    try:
        made = CompiledQuery(lambda couple_id: Membership.objects.filter(couple_id=couple_id)).objects(couple.pk)
    finally:
        post_init.disconnect(receiver, sender=Membership)
    assert made
    assert seen == made
    deferred = CompiledQuery(lambda couple_id: Membership.objects.filter(couple_id=couple_id).only("id"))
    members = deferred.objects(couple.pk)
    assert all(m.get_deferred_fields() >= {"user_id", "couple_id"} for m in members)
    assert me_user.pk in {m.user_id for m in members}  # loaded on first use, as the ORM's deferred fields are


def test_a_list_longer_than_max_items_is_run_by_the_orm_and_not_compiled(me_user, partner_user, couple):
    compiled = CompiledQuery(lambda ids: Membership.objects.filter(user_id__in=ids).order_by("user_id"))
    many = [me_user.pk, partner_user.pk] + [uuid.uuid4() for _ in range(CompiledQuery.MAX_ITEMS)]
    expected = list(Membership.objects.filter(user_id__in=many).order_by("user_id"))

    assert [m.pk for m in compiled.objects(many)] == [m.pk for m in expected]
    assert [m.pk for m in compiled.objects(many[:2])] == [m.pk for m in expected]
    assert len(compiled._compiled) == 1  # the two ids only: no statement kept for the long list
    ids = CompiledQuery(lambda ids: Membership.objects.filter(user_id__in=ids).values_list("user_id"))
    assert sorted(ids.rows(many)) == sorted((m.user_id,) for m in expected)


def test_lists_are_compiled_for_powers_of_two_and_padded_with_the_same_rows(me_user, partner_user, couple):
    compiled = CompiledQuery(lambda ids: Membership.objects.filter(user_id__in=ids).values_list("user_id"))
    ids = [me_user.pk, *[uuid.uuid4() for _ in range(7)], partner_user.pk]
    for count in range(1, len(ids) + 1):
        wanted = ids[:count]
        expected = sorted(Membership.objects.filter(user_id__in=wanted).values_list("user_id"))
        assert sorted(compiled.rows(wanted)) == expected, count
        assert sorted(compiled.rows(wanted[::-1])) == expected, count  # padded with another last item
    assert sorted(shape[1] for shape in compiled._compiled) == [1, 2, 4, 8, 16]  # nine lengths, five statements


def test_a_compiled_model_query_loads_its_relations_without_a_query(couple, django_assert_num_queries):
    compiled = CompiledQuery(_members_with_users)
    compiled.objects(couple.pk, datetime(2000, 1, 1, tzinfo=UTC))
    with django_assert_num_queries(1):
        members = compiled.objects(couple.pk, datetime(2000, 1, 1, tzinfo=UTC))
        assert {m.user.email for m in members}
        assert {m.couple.pk for m in members} == {couple.pk}


def test_objects_refuses_a_values_query_and_rows_serve_it():
    compiled = CompiledQuery(lambda user_id: Membership.objects.filter(user_id=user_id).values_list("id"))
    with pytest.raises(TypeError):
        compiled.objects(uuid.uuid4())


# CompiledInsert ----------------------------------------------------------------------------------


def _notification(recipient, key: str, **fields):
    from notifications.models import Notification

    return Notification(recipient=recipient, kind="nudge", title=f"title {key}", dedupe_key=key, **fields)


@pytest.mark.parametrize("count", [1, 3])  # one row: VALUES; several: PostgreSQL's one array per column
def test_a_compiled_insert_writes_the_rows_the_orm_writes(me_user, count, django_assert_num_queries):
    from notifications.models import Notification

    insert = CompiledInsert(Notification, ignore_conflicts=True)
    compiled = [_notification(me_user, f"c{i}", data={"screen": "nudges", "n": i}) for i in range(count)]
    by_orm = [_notification(me_user, f"o{i}", data={"screen": "nudges", "n": i}) for i in range(count)]
    with django_assert_num_queries(1):
        insert.insert(compiled)
    Notification.objects.bulk_create(by_orm, ignore_conflicts=True)

    columns = [f.attname for f in Notification._meta.concrete_fields if f.attname not in {"id", "dedupe_key", "title"}]
    stored = {n.dedupe_key: n for n in Notification.objects.all()}
    for mine, theirs in zip(compiled, by_orm, strict=True):
        assert not mine._state.adding
        assert mine.pk is not None
        assert stored[mine.dedupe_key].pk == mine.pk
        # Defaults (created_at, push_state, None for the empty timestamps) as the ORM writes them.
        for name in columns:
            if name != "created_at":
                assert getattr(stored[mine.dedupe_key], name) == getattr(stored[theirs.dedupe_key], name), name
        assert stored[mine.dedupe_key].created_at == mine.created_at


def test_a_compiled_insert_that_ignores_conflicts_skips_a_row_already_there(me_user):
    from notifications.models import Notification

    insert = CompiledInsert(Notification, ignore_conflicts=True)
    insert.insert([_notification(me_user, "same")])
    insert.insert([_notification(me_user, "same"), _notification(me_user, "other")])
    assert sorted(Notification.objects.values_list("dedupe_key", flat=True)) == ["other", "same"]


def test_a_compiled_insert_refuses_a_model_with_a_column_to_read_back():
    from rituals.models import Ritual

    with pytest.raises(ValueError, match="read back"):
        CompiledInsert(Ritual)
