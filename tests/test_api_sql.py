"""config.api.sql.fetch: hot hand-written SELECTs, prepared once per connection, logged like any query."""

import pytest
from django.db import connection
from django.test import override_settings

from config.api.sql import fetch
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

STATEMENT = "SELECT id, email FROM accounts_user WHERE id = %s AND is_active = %s"


def _prepared() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", [STATEMENT[:30] + "%"])
        return cursor.fetchone()[0]


def test_it_returns_the_rows_and_counts_as_one_query(django_assert_num_queries):
    user = UserFactory.create()
    with django_assert_num_queries(1) as captured:
        assert fetch(STATEMENT, [user.pk, True]) == [(user.pk, user.email)]
    logged = captured.captured_queries[0]["sql"]
    assert logged.startswith("SELECT id, email FROM accounts_user WHERE id = '")
    assert logged.endswith("'::uuid AND is_active = true")
    assert fetch(STATEMENT, [user.pk, False]) == []


def test_postgresql_plans_it_once_per_connection():
    user = UserFactory.create()
    for _ in range(3):
        fetch(STATEMENT, [user.pk, True])
    assert _prepared() == 1


@override_settings(DB_PREPARED_STATEMENTS=False)
def test_it_can_be_sent_unprepared_for_poolers_that_drop_prepared_statements():
    user = UserFactory.create()
    assert fetch(STATEMENT, [user.pk, True]) == [(user.pk, user.email)]
    assert _prepared() == 0
