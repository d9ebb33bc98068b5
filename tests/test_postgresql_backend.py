"""config.postgresql: Django's backend with psycopg's C loader for timestamptz values."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from django.db import connection
from django.db.backends.postgresql.psycopg_any import register_tzloader
from django.utils import timezone as django_timezone
from psycopg.pq import Format

from config.postgresql.base import UTCTimestamptzLoader
from notifications.models import Notification
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

VALUES = (
    "'2026-03-29 01:30:00.123456+02'::timestamptz",
    "'0001-01-01 00:00:00+00'::timestamptz",
    "'9999-12-31 23:59:59.999999+00'::timestamptz",
    "now()",
    "NULL::timestamptz",
)
SELECT = f"SELECT {', '.join(VALUES)}"


def _loaded(cursor_setup=None):
    with connection.cursor() as cursor:
        if cursor_setup:
            cursor_setup(cursor)
        cursor.execute(SELECT)
        return cursor.fetchone()


def test_the_connection_loads_timestamptz_with_the_utc_loader():
    connection.ensure_connection()
    loader = connection.connection.adapters.get_loader(1184, Format.TEXT)
    assert loader is UTCTimestamptzLoader
    # The cursor Django makes keeps it: its zone is the one Django compares the connection's with.
    with connection.cursor() as cursor:
        assert cursor.adapters.get_loader(1184, Format.TEXT) is UTCTimestamptzLoader


def test_values_are_those_of_djangos_own_loader():
    fast = _loaded()
    django = _loaded(lambda cursor: register_tzloader(connection.timezone, cursor))
    assert fast == django
    assert fast[0] == datetime(2026, 3, 29, 1, 30, 0, 123456, tzinfo=timezone(timedelta(hours=2)))
    assert fast[4] is None
    for value in fast[:4]:
        assert value.tzinfo is UTC
        assert value.tzinfo is django[0].tzinfo


def test_a_model_round_trip_keeps_the_instant():
    at = datetime(2026, 12, 5, 11, 30, 15, 654321, tzinfo=UTC)
    user = UserFactory.create()
    notification = Notification.objects.create(recipient=user, kind="nudge", title="t", body="b", read_at=at)
    loaded = Notification.objects.get(pk=notification.pk)
    assert loaded.read_at == at
    assert loaded.read_at.tzinfo is UTC
    assert django_timezone.is_aware(loaded.created_at)
